/**
 * How a probe travels to a device: one command line that works whether the OpenSSH default shell is cmd.exe or
 * PowerShell (DESIGN.md "The agent protocol").
 *
 * The encoded text (UTF-16LE, base64, as `-EncodedCommand` wants it) is exactly:
 *
 *   $ErrorActionPreference='Stop'; $ProgressPreference='SilentlyContinue'
 *   & {
 *   <the probe file's text: "# probe: <name>", then a param(...) block, then the body>
 *   } -Name 'value' -List @('a','b') -Count 5 -Switch
 *
 * `decodeProbeCommand` is the inverse; the virtual device's SSH server uses it to learn which probe it was asked
 * for and with which arguments.
 */
import { errors } from './errors.js';

export type ProbeArgValue = string | string[] | number | boolean;
export type ProbeArgs = Record<string, ProbeArgValue>;

/** What `encodeProbeCommand` needs of a probe: its name and the text of its `.ps1` file. */
export interface ProbeDefinition {
  readonly name: string;
  readonly script: string;
}

export interface DecodedProbeCommand {
  probe: string;
  args: ProbeArgs;
  script: string;
}

export const PROBE_PREAMBLE = "$ErrorActionPreference='Stop'; $ProgressPreference='SilentlyContinue'";
const POWERSHELL = 'powershell.exe -NoProfile -NonInteractive -ExecutionPolicy Bypass -EncodedCommand';
const HEADER = /^# probe: ([a-z0-9]+(?:-[a-z0-9]+)*)[ \t]*\r?$/;
const ARG_NAME = /^[A-Za-z][A-Za-z0-9]*$/;

/** The name in a probe file's first line (`# probe: <name>`), or undefined when the line is missing. */
export function probeHeaderName(script: string): string | undefined {
  const firstLine = script.replace(/^\uFEFF/, '').split('\n', 1)[0] ?? '';
  return HEADER.exec(firstLine)?.[1];
}

/** PowerShell single-quoted literal: only `'` is special, and it is written twice. */
export function quotePs(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

function renderArg(probe: string, name: string, value: ProbeArgValue): string | undefined {
  if (!ARG_NAME.test(name)) {
    throw errors.DMC_ERR_AGENT_BAD_PROBE_ARGUMENT.create({ probe, argument: name, problem: 'is not a PowerShell parameter name' });
  }
  if (typeof value === 'string') return `-${name} ${quotePs(value)}`;
  if (Array.isArray(value)) return `-${name} @(${value.map(quotePs).join(',')})`;
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value)) {
      throw errors.DMC_ERR_AGENT_BAD_PROBE_ARGUMENT.create({ probe, argument: name, problem: `must be an integer, received ${value}` });
    }
    return `-${name} ${value}`;
  }
  // A switch: present means true; false is spelled out so the decoder can give it back.
  return value ? `-${name}` : `-${name}:$false`;
}

/** The text inside -EncodedCommand, before UTF-16LE and base64. */
export function buildProbeText(probe: ProbeDefinition, args: ProbeArgs): string {
  const header = probeHeaderName(probe.script);
  if (header !== probe.name) {
    throw errors.DMC_ERR_AGENT_NOT_A_PROBE_COMMAND.create({
      problem: `the script of probe ${probe.name} does not start with "# probe: ${probe.name}"`,
      received: probe.script.slice(0, 80),
    });
  }
  const script = probe.script.replace(/^\uFEFF/, '').replace(/\r\n/g, '\n').replace(/\n+$/, '');
  const rendered = Object.entries(args)
    .map(([name, value]) => renderArg(probe.name, name, value))
    .filter((part): part is string => part !== undefined);
  return `${PROBE_PREAMBLE}\n& {\n${script}\n}${rendered.map((r) => ` ${r}`).join('')}`;
}

export function encodeProbeCommand(probe: ProbeDefinition, args: ProbeArgs): string {
  const encoded = Buffer.from(buildProbeText(probe, args), 'utf16le').toString('base64');
  return `${POWERSHELL} ${encoded}`;
}

// powershell.exe takes any unambiguous prefix of -EncodedCommand ("-en", "-enc", ...) and also "-e" and "-ec".
function isEncodedCommandFlag(token: string): boolean {
  const flag = token.replace(/^[-/]/, '').toLowerCase();
  if (token === flag) return false;
  return flag === 'e' || flag === 'ec' || (flag.length >= 2 && 'encodedcommand'.startsWith(flag));
}

function notAProbe(problem: string, received: string): never {
  throw errors.DMC_ERR_AGENT_NOT_A_PROBE_COMMAND.create({ problem, received });
}

export function decodeProbeCommand(commandLine: string): DecodedProbeCommand {
  // A quoted executable path may hold spaces ("C:\Program Files\PowerShell\7\pwsh.exe").
  const quoted = /^\s*"([^"]*)"/.exec(commandLine);
  const rest = quoted === null ? commandLine.trim() : `exe ${commandLine.slice(quoted[0].length).trim()}`;
  const tokens = rest.split(/\s+/);
  const at = tokens.findIndex(isEncodedCommandFlag);
  if (at < 0) notAProbe('no -EncodedCommand argument', commandLine);
  const executable = (quoted?.[1] ?? tokens[0] ?? '').toLowerCase();
  if (at > 0 && !/(^|[\\/])(powershell|pwsh)(\.exe)?$/.test(executable)) {
    notAProbe('the command does not run powershell.exe', commandLine);
  }
  const base64 = tokens[at + 1] ?? '';
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(base64) || base64.length % 4 !== 0) {
    notAProbe('the -EncodedCommand value is not base64', base64);
  }
  const bytes = Buffer.from(base64, 'base64');
  if (bytes.length % 2 !== 0) notAProbe('the -EncodedCommand value is not UTF-16LE text (odd byte count)', base64);
  return parseProbeText(bytes.toString('utf16le'));
}

/** Parses the decoded text of a probe command (the inverse of `buildProbeText`). */
export function parseProbeText(text: string): DecodedProbeCommand {
  // Only the framing may have CRLF line ends; argument values are left exactly as they came.
  const opening = /^\uFEFF?\$ErrorActionPreference='Stop'; \$ProgressPreference='SilentlyContinue'\r?\n& \{\r?\n/.exec(text);
  if (opening === null) notAProbe('the text does not start with the probe preamble and "& {"', text);
  const rest = text.slice(opening[0].length);
  const probe = probeHeaderName(rest);
  if (probe === undefined) notAProbe('the script block does not start with "# probe: <name>"', rest);
  // The script block ends at the last "\n}" after which the remainder is a well-formed argument list. An argument
  // value may itself hold "\n}", but a tail starting inside a quoted value always has an odd number of quotes
  // (inner quotes are doubled, the closing one is single) and so never parses as arguments.
  for (let end = rest.lastIndexOf('\n}'); end >= 0; end = end === 0 ? -1 : rest.lastIndexOf('\n}', end - 1)) {
    const args = parseArgs(rest.slice(end + 2));
    if (args !== undefined) return { probe, args, script: rest.slice(0, end).replace(/\r$/, '') };
  }
  return notAProbe('the script block is not closed by "}" followed by arguments', rest.slice(-80));
}

/** Reads `-Name 'v' -List @('a','b') -N 5 -Switch -Off:$false`; undefined when the text is not exactly that. */
function parseArgs(tail: string): ProbeArgs | undefined {
  const args: ProbeArgs = {};
  let i = 0;
  const skipSpace = (): void => {
    while (i < tail.length && (tail[i] === ' ' || tail[i] === '\t')) i++;
  };
  const readQuoted = (): string | undefined => {
    if (tail[i] !== "'") return undefined;
    let out = '';
    for (i++; i < tail.length; i++) {
      if (tail[i] !== "'") out += tail[i];
      else if (tail[i + 1] === "'") (out += "'"), i++;
      else return (i++, out);
    }
    return undefined;
  };
  for (skipSpace(); i < tail.length; skipSpace()) {
    const name = /^-([A-Za-z][A-Za-z0-9]*)(:\$false)?(?=[ \t]|$)/.exec(tail.slice(i));
    if (name === null) return undefined;
    i += name[0].length;
    const key = name[1] as string;
    if (name[2] !== undefined) {
      args[key] = false;
      continue;
    }
    skipSpace();
    if (tail[i] === "'") {
      const value = readQuoted();
      if (value === undefined) return undefined;
      args[key] = value;
    } else if (tail.startsWith('@(', i)) {
      i += 2;
      const list: string[] = [];
      while (tail[i] !== ')') {
        const item = readQuoted();
        if (item === undefined) return undefined;
        list.push(item);
        if (tail[i] === ',') i++;
        else if (tail[i] !== ')') return undefined;
      }
      i++;
      args[key] = list;
    } else {
      const int = /^-?\d+(?=[ \t]|$)/.exec(tail.slice(i));
      if (int !== null) {
        args[key] = Number(int[0]);
        i += int[0].length;
      } else if (i >= tail.length || tail[i] === '-') {
        args[key] = true;
      } else {
        return undefined;
      }
    }
  }
  return args;
}
