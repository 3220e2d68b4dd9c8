/**
 * Errors of the lab-operation verbs (`dmc run`, `dmc doctor`, `dmc enroll`, `dmc unenroll`, `dmc calibrate`), and
 * the folder options every verb shares (`DMC_ERR_CLI_FOLDER_UNUSABLE`). Each is a user's
 * mistake or a fact about a lab machine, so main.ts prints it on one line and exits 2. docs/errors/cli.md gives the
 * cause and the fix of each.
 */
import { defineError, defineErrors, shown } from '../errors.js';

export const errors = defineErrors({
  DMC_ERR_CLI_INVALID_OPTION: defineError<{ option: string; received: unknown; expected: string }>('DMC_ERR_CLI_INVALID_OPTION', {
    message: (f) => `option ${f.option}: received ${shown(f.received)}, expected ${f.expected}`,
  }),
  DMC_ERR_CLI_TARGET_UNKNOWN: defineError<{ target: string; inventory: string; known: string[] }>('DMC_ERR_CLI_TARGET_UNKNOWN', {
    message: (f) => `target ${shown(f.target)} is not in ${f.inventory} (its targets: ${f.known.join(', ')})`,
  }),
  DMC_ERR_CLI_CERTIFY_REFUSED: defineError<{ problems: string[] }>('DMC_ERR_CLI_CERTIFY_REFUSED', {
    message: (f) =>
      `--certify refused before the run: ${f.problems.length} problem${f.problems.length === 1 ? '' : 's'}:\n` +
      f.problems.map((p) => `  ${p}`).join('\n'),
  }),
  DMC_ERR_CLI_NO_TESTS_MATCH: defineError<{ filter: string; tags: string[] | undefined }>('DMC_ERR_CLI_NO_TESTS_MATCH', {
    message: (f) =>
      `no test matches ${f.filter}` +
      (f.tags === undefined ? '' : f.tags.length === 0 ? '; the tests have no tags' : `; the tests' tags: ${f.tags.map((t) => t.replace(/^@/, '')).join(', ')}`),
  }),
  DMC_ERR_CLI_PLAYWRIGHT_START: defineError<{ command: string; reason: string }>('DMC_ERR_CLI_PLAYWRIGHT_START', {
    message: (f) => `cannot start ${f.command}: ${f.reason}`,
  }),
  DMC_ERR_CLI_NO_LAB_TARGET: defineError<{ verb: string; inventory: string; virtual: string[] }>('DMC_ERR_CLI_NO_LAB_TARGET', {
    message: (f) =>
      `dmc ${f.verb}: ${f.inventory} has no ssh or local target to check` +
      (f.virtual.length === 0 ? '' : ` (its targets are virtual: ${f.virtual.join(', ')})`),
  }),
  DMC_ERR_CLI_TARGET_KIND: defineError<{ verb: string; target: string; kind: string }>('DMC_ERR_CLI_TARGET_KIND', {
    message: (f) =>
      `dmc ${f.verb}: target ${shown(f.target)} is ${f.kind}; ${f.verb} works on ssh and local targets ` +
      '(`dmc run` starts, checks and enrolls virtual devices itself)',
  }),
  DMC_ERR_CLI_FOLDER_UNUSABLE: defineError<{ option: string; path: string; reason: string }>('DMC_ERR_CLI_FOLDER_UNUSABLE', {
    message: (f) => `option ${f.option}: ${shown(f.path)} cannot be used as a folder: ${f.reason}`,
  }),
  DMC_ERR_CLI_CA_FILE: defineError<{ file: string; reason: string }>('DMC_ERR_CLI_CA_FILE', {
    message: (f) => `--ca ${f.file}: ${f.reason}`,
  }),
  DMC_ERR_CLI_ENROLL_FAILED: defineError<{ target: string; hresult: string; detail: string }>('DMC_ERR_CLI_ENROLL_FAILED', {
    message: (f) => `enrolling ${f.target} failed with HRESULT ${f.hresult}: ${f.detail}`,
  }),
  DMC_ERR_CLI_NOT_ENROLLED: defineError<{ target: string; providerId: string; enrollmentId?: string }>('DMC_ERR_CLI_NOT_ENROLLED', {
    message: (f) =>
      f.enrollmentId === undefined
        ? `${f.target} has no enrollment of ProviderID ${shown(f.providerId)}`
        : `${f.target} has no enrollment ${shown(f.enrollmentId)}`,
  }),
  DMC_ERR_CLI_UNENROLL_FAILED: defineError<{ target: string; enrollmentId: string; hresult: string; leftovers: string }>(
    'DMC_ERR_CLI_UNENROLL_FAILED',
    {
      message: (f) => `unenrolling ${f.enrollmentId} on ${f.target} failed with HRESULT ${f.hresult}; left behind: ${f.leftovers}`,
    },
  ),
  DMC_ERR_CLI_CALIBRATE_SYNC: defineError<{ target: string; hresult: string; output: string }>('DMC_ERR_CLI_CALIBRATE_SYNC', {
    message: (f) => `dmc calibrate: ${f.target} did not start an OMA-DM session when asked (HRESULT ${f.hresult}): ${shown(f.output, 200)}`,
  }),
  DMC_ERR_CLI_CALIBRATE_PROBE: defineError<{ target: string; probe: string; reason: string }>('DMC_ERR_CLI_CALIBRATE_PROBE', {
    message: (f) => `dmc calibrate: the ${f.probe} probe cannot read ${f.target}: ${f.reason} (calibration needs an administrator's login)`,
  }),
  DMC_ERR_CLI_CALIBRATE_INCOMPLETE: defineError<{ target: string; field: string; problem: string; missing: string[] }>('DMC_ERR_CLI_CALIBRATE_INCOMPLETE', {
    message: (f) =>
      `dmc calibrate: what ${f.target} showed does not make a valid profile (field ${f.field}: ${f.problem})` +
      (f.missing.length === 0 ? '' : `; not observed: ${f.missing.join(', ')}`),
  }),
  DMC_ERR_CLI_CALIBRATE_OUTPUT: defineError<{ file: string; reason: string }>('DMC_ERR_CLI_CALIBRATE_OUTPUT', {
    message: (f) => `dmc calibrate: cannot write ${shown(f.file)}: ${f.reason}`,
  }),
});

/** An HRESULT as Windows prints it: 0x80180014 (probes report them as signed 32-bit integers). */
export function hresultText(hresult: number): string {
  return `0x${(hresult >>> 0).toString(16).toUpperCase().padStart(8, '0')}`;
}
