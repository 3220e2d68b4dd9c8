/**
 * One line of `dmc doctor`'s table: what was checked, what was found, and — unless it passed — how to fix it.
 * `skip` means the check could not run (an earlier one failed); it does not fail the doctor by itself, but the
 * check it depends on does.
 */
export type CheckStatus = 'pass' | 'warn' | 'fail' | 'skip';

export interface CheckResult {
  name: string;
  status: CheckStatus;
  /** What was found, in a few words ("OpenSSH answered on 10.0.0.7:22"). */
  detail: string;
  /** What to do about it; given for warn, fail and skip. */
  fix?: string;
}

/** The first line of an error's message: a table row holds one line, and the rest is in the call records. */
export function firstLine(error: unknown): string {
  return error instanceof Error ? (error.message.split('\n', 1)[0] ?? '') : String(error);
}

export const pass = (name: string, detail: string): CheckResult => ({ name, status: 'pass', detail });
export const warn = (name: string, detail: string, fix: string): CheckResult => ({ name, status: 'warn', detail, fix });
export const fail = (name: string, detail: string, fix: string): CheckResult => ({ name, status: 'fail', detail, fix });
export const skip = (name: string, detail: string, fix: string): CheckResult => ({ name, status: 'skip', detail, fix });

/** The names of the checks, in the order the table lists them. */
export const CHECK_NAMES = {
  sshPort: 'SSH reachable',
  hostKey: 'host key pinned',
  login: 'login works',
  powershell: 'PowerShell',
  admin: 'admin rights',
  defaultShell: 'OpenSSH default shell',
  clock: 'clock skew',
  caTrust: 'harness CA trusted',
  harnessUrl: 'harness URL reachable',
  enrollments: 'enrollments',
  mdmCertificate: 'MDM certificate',
  tpm: 'TPM',
  securedCore: 'Secured-core',
  build: 'build and edition',
} as const;

/** Renders the table: one row per check, the fix on an indented line below a row that did not pass. */
export function renderTable(target: string, results: readonly CheckResult[]): string {
  const nameWidth = Math.max(...results.map((r) => r.name.length), 5);
  const lines = [`dmc doctor ${target}`, ''];
  lines.push(`${'check'.padEnd(nameWidth)}  status  found`);
  lines.push(`${'-'.repeat(nameWidth)}  ------  ${'-'.repeat(40)}`);
  for (const r of results) {
    lines.push(`${r.name.padEnd(nameWidth)}  ${r.status.toUpperCase().padEnd(6)}  ${r.detail}`);
    if (r.fix !== undefined && r.status !== 'pass') lines.push(`${' '.repeat(nameWidth)}          fix: ${r.fix}`);
  }
  const failed = results.filter((r) => r.status === 'fail').length;
  const warned = results.filter((r) => r.status === 'warn').length;
  lines.push('');
  lines.push(failed === 0 ? `ready: no check failed${warned === 0 ? '' : ` (${warned} warning${warned === 1 ? '' : 's'})`}` : `not ready: ${failed} check${failed === 1 ? '' : 's'} failed`);
  return `${lines.join('\n')}\n`;
}
