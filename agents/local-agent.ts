/**
 * LocalAgent: the Agent on the machine the harness runs on (the `local` target), through node-powershell.
 *
 * It runs the very command line SshAgent sends (`powershell.exe ... -EncodedCommand ...`) from a persistent
 * PowerShell, so a probe behaves the same locally and over SSH, and reads the child's exit code back from
 * $LASTEXITCODE. Without PowerShell on the PATH it fails at once with a DmcError instead of a spawn stack trace.
 */
import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, isAbsolute, join } from 'node:path';
import { PowerShell } from 'node-powershell';
import { ProbeAgent, type CommandResult, type ProbeRequest, type Transport } from './agent.js';
import { errors } from './errors.js';

export interface LocalAgentOptions {
  /** A PowerShell executable (name on PATH or absolute path); by default powershell.exe, then pwsh. */
  executable?: string;
  env?: Record<string, string | undefined>;
  platform?: NodeJS.Platform;
}

function isExecutableFile(path: string, platform: NodeJS.Platform): boolean {
  try {
    if (!statSync(path).isFile()) return false;
    if (platform !== 'win32') accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** The PowerShell executable to use, or undefined when none is on the PATH. */
export function findPowerShell(options: LocalAgentOptions = {}): { path: string } | { tried: string[] } {
  const env = options.env ?? process.env;
  const platform = options.platform ?? process.platform;
  const names = options.executable !== undefined
    ? [options.executable]
    : platform === 'win32' ? ['powershell.exe', 'pwsh.exe'] : ['pwsh', 'powershell'];
  for (const name of names) {
    if (isAbsolute(name)) {
      if (isExecutableFile(name, platform)) return { path: name };
      continue;
    }
    const dirs = (env.PATH ?? env.Path ?? '').split(platform === 'win32' ? ';' : delimiter).filter((d) => d !== '');
    for (const dir of dirs) {
      const candidate = join(dir, name);
      if (isExecutableFile(candidate, platform)) return { path: candidate };
    }
  }
  return { tried: names };
}

const EXIT_MARK = '__DMC_PROBE_EXIT__';

export class LocalTransport implements Transport {
  readonly target = 'local';
  readonly executable: string;
  private shell: PowerShell | undefined;

  constructor(options: LocalAgentOptions = {}) {
    const found = findPowerShell(options);
    if ('tried' in found) throw errors.DMC_ERR_AGENT_POWERSHELL_NOT_FOUND.create({ tried: found.tried });
    this.executable = found.path;
  }

  private session(): PowerShell {
    this.shell ??= new PowerShell({
      executable: this.executable,
      executableOptions: { '-NoProfile': true, '-NonInteractive': true, '-ExecutionPolicy': 'Bypass' },
      throwOnInvocationError: false,
    });
    return this.shell;
  }

  async exec(request: ProbeRequest): Promise<CommandResult> {
    // The probe runs in a child PowerShell, as over SSH; its executable is the one found, not whatever
    // "powershell.exe" resolves to, and the child's exit code is printed after a mark.
    const rest = request.commandLine.replace(/^powershell\.exe\s+/i, '');
    const command = `& '${this.executable.replace(/'/g, "''")}' ${rest}; [Console]::Out.WriteLine('${EXIT_MARK}' + $LASTEXITCODE)`;
    const started = Date.now();
    const shell = this.session();
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        // A stuck probe takes the shell with it; the next call starts a fresh one.
        this.shell = undefined;
        void shell.dispose('SIGKILL');
        reject(errors.DMC_ERR_AGENT_COMMAND_TIMEOUT.create({ target: this.target, probe: request.probe, timeoutMs: request.timeoutMs }));
      }, request.timeoutMs);
    });
    try {
      const result = await Promise.race([shell.invoke(command), timeout]);
      const stdout = result.stdout?.toString('utf8') ?? '';
      const at = stdout.lastIndexOf(EXIT_MARK);
      const exit = at < 0 ? Number.NaN : Number.parseInt(stdout.slice(at + EXIT_MARK.length), 10);
      return {
        stdout: at < 0 ? stdout : stdout.slice(0, at),
        stderr: result.stderr?.toString('utf8') ?? '',
        exitCode: Number.isNaN(exit) ? null : exit,
        durationMs: Date.now() - started,
        attempts: 1,
      };
    } finally {
      clearTimeout(timer);
    }
  }

  async close(): Promise<void> {
    const shell = this.shell;
    this.shell = undefined;
    await shell?.dispose();
  }
}

export class LocalAgent extends ProbeAgent {
  /** Throws DMC_ERR_AGENT_POWERSHELL_NOT_FOUND at once when no PowerShell is on the PATH. */
  constructor(options: LocalAgentOptions = {}) {
    super(new LocalTransport(options));
  }
}
