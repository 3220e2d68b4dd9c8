/**
 * SshAgent: the Agent over SSH (ssh2), for Windows machines running the OpenSSH server.
 *
 * - Log in with a key file, an ssh-agent (SSH_AUTH_SOCK) or a password read from an environment variable the target
 *   names; the password itself never enters a config file, a call record or an error.
 * - The host key is pinned by its SHA256 fingerprint as OpenSSH prints it (`SHA256:` + unpadded base64). An unknown
 *   or changed key is refused with the fingerprint seen and how to pin it; trusting a new key is an explicit option.
 * - One connection per target, opened on first use, kept alive, reopened once when it drops under a command
 *   (commands that change the device are not run twice); parallel commands are capped per host, since Windows
 *   sshd allows 10 sessions per connection by default (MaxSessions).
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Client, type ClientChannel, type ConnectConfig } from 'ssh2';
import { ProbeAgent, type CommandResult, type ProbeRequest, type Transport } from './agent.js';
import type { DmcError } from '../harness/errors.js';
import { errors } from './errors.js';

export interface SshTargetConfig {
  host: string;
  port?: number;
  user: string;
  /** OpenSSH or PEM private key file. */
  privateKeyFile?: string;
  /** Name of the environment variable holding the key file's passphrase. */
  passphraseEnv?: string;
  /** Use an ssh-agent: true for SSH_AUTH_SOCK, or the socket path. */
  agent?: boolean | string;
  /** Name of the environment variable holding the password (never the password itself). */
  passwordEnv?: string;
  /** Pinned host key, `SHA256:...` as `ssh-keygen -lf` or the first connection prints it. */
  hostKey?: string;
  /** Accept and remember an unpinned host key (trust on first use); read it back from `hostKeyFingerprint`. */
  acceptNewHostKey?: boolean;
  connectTimeoutMs?: number;
  /** Overrides every probe's own timeout when set. */
  commandTimeoutMs?: number;
  keepaliveIntervalMs?: number;
  /** At most this many commands run at once on this host (default 4). */
  maxParallel?: number;
  /** The OpenSSH DefaultShell of the device: cmd.exe (default) takes 8191 characters, PowerShell 32767. */
  defaultShell?: 'cmd' | 'powershell';
  /** Where the *Env names are looked up (default process.env). */
  env?: Record<string, string | undefined>;
}

/** `SHA256:<unpadded base64>` of an SSH public key blob, as OpenSSH prints fingerprints. */
export function sshFingerprint(publicKeyBlob: Buffer): string {
  return `SHA256:${createHash('sha256').update(publicKeyBlob).digest('base64').replace(/=+$/, '')}`;
}

const samePin = (a: string, b: string): boolean => a.replace(/=+$/, '') === b.replace(/=+$/, '');

/** Raised inside the transport when the connection goes away under a command; retried once or mapped. */
class Dropped extends Error {}

/** A counting semaphore: the cap on parallel commands per host. */
class Slots {
  private active = 0;
  private readonly waiting: Array<() => void> = [];
  constructor(private readonly size: number) {}
  async acquire(): Promise<() => void> {
    if (this.active >= this.size) await new Promise<void>((resolve) => this.waiting.push(resolve));
    this.active++;
    return () => {
      this.active--;
      this.waiting.shift()?.();
    };
  }
}

export class SshTransport implements Transport {
  readonly target: string;
  private client: Client | undefined;
  private connecting: Promise<Client> | undefined;
  private seenHostKey: string | undefined;
  private readonly slots: Slots;

  constructor(private readonly config: SshTargetConfig) {
    this.target = `${config.user}@${config.host}:${config.port ?? 22}`;
    this.slots = new Slots(Math.max(1, config.maxParallel ?? 4));
  }

  /** The host key fingerprint seen on the last handshake (to pin after acceptNewHostKey). */
  get hostKeyFingerprint(): string | undefined {
    return this.seenHostKey;
  }

  /**
   * Why this agent cannot log in whatever the device does, found without connecting: a key file that cannot be
   * read, an unset passwordEnv, agent: true without SSH_AUTH_SOCK, no method at all. Undefined when the credentials
   * are at hand (whether the device accepts them is another matter).
   */
  credentialProblem(): DmcError | undefined {
    try {
      this.credentials();
      return undefined;
    } catch (err) {
      if (errors.DMC_ERR_AGENT_NO_CREDENTIALS.is(err)) return err;
      throw err;
    }
  }

  private credentials(): { auth: Partial<ConnectConfig>; methods: string[]; password?: string } {
    const env = this.config.env ?? process.env;
    const auth: Partial<ConnectConfig> = {};
    const methods: string[] = [];
    let password: string | undefined;
    if (this.config.privateKeyFile !== undefined) {
      try {
        auth.privateKey = readFileSync(this.config.privateKeyFile);
      } catch {
        throw errors.DMC_ERR_AGENT_NO_CREDENTIALS.create({ target: this.target, problem: `the key file ${JSON.stringify(this.config.privateKeyFile)} cannot be read` });
      }
      if (this.config.passphraseEnv !== undefined) auth.passphrase = env[this.config.passphraseEnv];
      methods.push(`publickey (${this.config.privateKeyFile})`);
    }
    const agent = this.config.agent === true ? env.SSH_AUTH_SOCK : this.config.agent || undefined;
    if (this.config.agent === true && agent === undefined) {
      throw errors.DMC_ERR_AGENT_NO_CREDENTIALS.create({ target: this.target, problem: 'agent: true was given but SSH_AUTH_SOCK is not set' });
    }
    if (typeof agent === 'string') {
      auth.agent = agent;
      methods.push('ssh-agent');
    }
    if (this.config.passwordEnv !== undefined) {
      password = env[this.config.passwordEnv];
      if (password === undefined || password === '') {
        throw errors.DMC_ERR_AGENT_NO_CREDENTIALS.create({ target: this.target, problem: `the environment variable ${this.config.passwordEnv} named by passwordEnv is not set` });
      }
      auth.password = password;
      auth.tryKeyboard = true;
      methods.push(`password (from ${this.config.passwordEnv})`);
    }
    if (methods.length === 0 && env.SSH_AUTH_SOCK !== undefined) {
      auth.agent = env.SSH_AUTH_SOCK;
      methods.push('ssh-agent');
    }
    if (methods.length === 0) {
      throw errors.DMC_ERR_AGENT_NO_CREDENTIALS.create({ target: this.target, problem: 'set privateKeyFile, agent or passwordEnv in the target (SSH_AUTH_SOCK is not set either)' });
    }
    return password === undefined ? { auth, methods } : { auth, methods, password };
  }

  private connection(): Promise<Client> {
    if (this.client !== undefined) return Promise.resolve(this.client);
    this.connecting ??= this.connect().finally(() => {
      this.connecting = undefined;
    });
    return this.connecting;
  }

  private connect(): Promise<Client> {
    const { auth, methods, password } = this.credentials();
    const timeoutMs = this.config.connectTimeoutMs ?? 15_000;
    let hostKeyProblem: 'unknown' | 'changed' | undefined;
    return new Promise<Client>((resolve, reject) => {
      const client = new Client();
      let ready = false;
      client.on('keyboard-interactive', (_name, _instructions, _lang, prompts, finish) => {
        // Windows sshd may offer keyboard-interactive instead of password; every prompt is the password prompt.
        finish(prompts.map(() => password ?? ''));
      });
      client.on('ready', () => {
        ready = true;
        this.client = client;
        resolve(client);
      });
      client.on('error', (err: Error & { level?: string; code?: string }) => {
        if (ready) return; // after the handshake, 'close' tells the commands in flight
        if (hostKeyProblem === 'unknown') {
          reject(errors.DMC_ERR_AGENT_HOST_KEY_UNKNOWN.create({ target: this.target, fingerprint: this.seenHostKey ?? '?' }));
        } else if (hostKeyProblem === 'changed') {
          reject(errors.DMC_ERR_AGENT_HOST_KEY_CHANGED.create({ target: this.target, fingerprint: this.seenHostKey ?? '?', pinned: this.config.hostKey ?? '' }));
        } else if (err.level === 'client-authentication') {
          reject(errors.DMC_ERR_AGENT_AUTH_FAILED.create({ target: this.target, user: this.config.user, methods: methods.join(', ') }));
        } else if (err.level === 'client-timeout') {
          reject(errors.DMC_ERR_AGENT_CONNECT_TIMEOUT.create({ target: this.target, timeoutMs }));
        } else {
          const reason = err.code !== undefined && !err.message.includes(err.code) ? `${err.code}: ${err.message}` : err.message;
          reject(errors.DMC_ERR_AGENT_UNREACHABLE.create({ target: this.target, reason }));
        }
      });
      client.on('close', () => {
        if (this.client === client) this.client = undefined;
        if (!ready) reject(errors.DMC_ERR_AGENT_UNREACHABLE.create({ target: this.target, reason: 'the server closed the connection during the handshake' }));
      });
      try {
        client.connect({
          host: this.config.host,
          port: this.config.port ?? 22,
          username: this.config.user,
          readyTimeout: timeoutMs,
          keepaliveInterval: this.config.keepaliveIntervalMs ?? 15_000,
          keepaliveCountMax: 3,
          ...auth,
          hostVerifier: (key: Buffer) => {
            this.seenHostKey = sshFingerprint(key);
            const pinned = this.config.hostKey;
            if (pinned !== undefined && pinned !== '') {
              if (samePin(pinned, this.seenHostKey)) return true;
              hostKeyProblem = 'changed';
              return false;
            }
            if (this.config.acceptNewHostKey === true) return true;
            hostKeyProblem = 'unknown';
            return false;
          },
        });
      } catch (err) {
        // ssh2 throws at once for a key it cannot parse (malformed, or encrypted without a passphrase).
        reject(errors.DMC_ERR_AGENT_NO_CREDENTIALS.create({ target: this.target, problem: `the private key cannot be used: ${(err as Error).message}` }));
      }
    });
  }

  async exec(request: ProbeRequest): Promise<CommandResult> {
    const limit = this.config.defaultShell === 'powershell' ? 32_767 : 8_191;
    if (request.commandLine.length > limit) {
      throw errors.DMC_ERR_AGENT_COMMAND_TOO_LONG.create({
        target: this.target, probe: request.probe, length: request.commandLine.length, limit,
        shell: this.config.defaultShell === 'powershell' ? 'Windows (CreateProcess)' : 'cmd.exe, the default OpenSSH shell',
      });
    }
    const release = await this.slots.acquire();
    let dropped: Dropped | undefined;
    try {
      for (let attempts = 1; ; attempts++) {
        try {
          const client = await this.connection();
          return { ...(await this.execOnce(client, request)), attempts };
        } catch (err) {
          const code = (err as { code?: unknown }).code;
          if (dropped !== undefined && (code === 'DMC_ERR_AGENT_UNREACHABLE' || code === 'DMC_ERR_AGENT_CONNECT_TIMEOUT')) {
            // A device that went away under the probe (a reboot) also refuses the new connection: that is still
            // this probe's dropped connection, and the report must say which probe it cut.
            const why = (err as Error).message.replace(`${this.target}: `, '');
            throw errors.DMC_ERR_AGENT_CONNECTION_DROPPED.create(
              { target: this.target, probe: request.probe, attempts: attempts - 1, reason: `${dropped.message}; reconnecting failed: ${why}` },
              { cause: err },
            );
          }
          if (!(err instanceof Dropped)) throw err;
          dropped = err;
          if (!request.retryable || attempts >= 2) {
            throw errors.DMC_ERR_AGENT_CONNECTION_DROPPED.create({ target: this.target, probe: request.probe, attempts, reason: err.message });
          }
        }
      }
    } finally {
      release();
    }
  }

  private execOnce(client: Client, request: ProbeRequest): Promise<Omit<CommandResult, 'attempts'>> {
    const timeoutMs = this.config.commandTimeoutMs ?? request.timeoutMs;
    const started = Date.now();
    return new Promise((resolve, reject) => {
      let settled = false;
      let channel: ClientChannel | undefined;
      const finish = (outcome: () => void): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        client.removeListener('close', onClose);
        outcome();
      };
      const onClose = (): void => finish(() => reject(new Dropped('the SSH connection closed before the command ended')));
      client.once('close', onClose);
      const timer = setTimeout(() => {
        // Closing the channel ends the session; the remote process may still run on until it is done.
        channel?.close();
        finish(() => reject(errors.DMC_ERR_AGENT_COMMAND_TIMEOUT.create({ target: this.target, probe: request.probe, timeoutMs })));
      }, timeoutMs);
      client.exec(request.commandLine, (err, stream) => {
        if (err) {
          finish(() => reject(new Dropped(`the server refused a session channel: ${err.message}`)));
          return;
        }
        if (settled) {
          stream.close(); // the command timed out before its channel opened
          return;
        }
        channel = stream;
        const stdout: Buffer[] = [];
        const stderr: Buffer[] = [];
        let exitCode: number | null = null;
        let sawExit = false;
        stream.on('data', (chunk: Buffer) => stdout.push(chunk));
        stream.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
        stream.on('exit', (code: number | null) => {
          sawExit = true;
          exitCode = typeof code === 'number' ? code : null;
        });
        const done = (): void =>
          finish(() =>
            resolve({
              stdout: Buffer.concat(stdout).toString('utf8'),
              stderr: Buffer.concat(stderr).toString('utf8'),
              exitCode,
              durationMs: Date.now() - started,
            }),
          );
        // Windows sshd always sends an exit status; a channel closing without one is usually the connection
        // going away, and the client's 'close' (which follows at once) must win over a result without exit code.
        stream.on('close', () => (sawExit ? done() : setImmediate(done)));
      });
    });
  }

  close(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    if (client === undefined) return Promise.resolve();
    return new Promise((resolve) => {
      client.once('close', () => resolve());
      client.end();
    });
  }
}

export class SshAgent extends ProbeAgent {
  declare protected readonly transport: SshTransport;

  constructor(config: SshTargetConfig) {
    super(new SshTransport(config));
  }

  /** The host key fingerprint seen on the last handshake, to pin after `acceptNewHostKey`. */
  get hostKeyFingerprint(): string | undefined {
    return this.transport.hostKeyFingerprint;
  }

  /** Credentials missing on this side, found without connecting (SshTransport.credentialProblem). */
  credentialProblem(): DmcError | undefined {
    return this.transport.credentialProblem();
  }
}
