/**
 * Errors of the agents layer: reaching a device over SSH or a local PowerShell, and running probes on it.
 *
 * Every error names the target (`user@host:port`, or `local`) and, for probe failures, the probe, so a report
 * line says which machine and which observation broke. Messages never carry passwords, private keys or the
 * encoded command (it may hold a probe's secret argument); stderr and stdout are cut with `shown`.
 */
import { defineErrors, defineError, shown } from '../harness/errors.js';

export const errors = defineErrors({
  DMC_ERR_AGENT_NOT_A_PROBE_COMMAND: defineError<{ problem: string; received: string }>(
    'DMC_ERR_AGENT_NOT_A_PROBE_COMMAND',
    { message: (f) => `not a probe command: ${f.problem}; received ${shown(f.received, 80)}` },
  ),
  DMC_ERR_AGENT_BAD_PROBE_ARGUMENT: defineError<{ probe: string; argument: string; problem: string }>(
    'DMC_ERR_AGENT_BAD_PROBE_ARGUMENT',
    { message: (f) => `probe ${f.probe}: argument ${shown(f.argument)} ${f.problem}` },
  ),
  DMC_ERR_AGENT_PROBE_SCRIPT_NOT_FOUND: defineError<{ probe: string; file: string }>(
    'DMC_ERR_AGENT_PROBE_SCRIPT_NOT_FOUND',
    { message: (f) => `probe ${f.probe}: script file ${shown(f.file)} was not found or has no "# probe: ${f.probe}" header` },
  ),
  DMC_ERR_AGENT_HOST_KEY_UNKNOWN: defineError<{ target: string; fingerprint: string }>(
    'DMC_ERR_AGENT_HOST_KEY_UNKNOWN',
    {
      message: (f) =>
        `${f.target}: host key ${f.fingerprint} is not pinned; if this is the right machine, set hostKey: "${f.fingerprint}" in the target (or pass acceptNewHostKey to trust it once)`,
    },
  ),
  DMC_ERR_AGENT_HOST_KEY_CHANGED: defineError<{ target: string; fingerprint: string; pinned: string }>(
    'DMC_ERR_AGENT_HOST_KEY_CHANGED',
    {
      message: (f) =>
        `${f.target}: host key changed: the server offered ${f.fingerprint} but ${f.pinned} is pinned; if the machine was reinstalled on purpose, set hostKey: "${f.fingerprint}" in the target`,
    },
  ),
  DMC_ERR_AGENT_AUTH_FAILED: defineError<{ target: string; user: string; methods: string }>(
    'DMC_ERR_AGENT_AUTH_FAILED',
    { message: (f) => `${f.target}: authentication failed for user ${shown(f.user)} (tried: ${f.methods})` },
  ),
  DMC_ERR_AGENT_NO_CREDENTIALS: defineError<{ target: string; problem: string }>(
    'DMC_ERR_AGENT_NO_CREDENTIALS',
    { message: (f) => `${f.target}: no way to log in: ${f.problem}` },
  ),
  DMC_ERR_AGENT_UNREACHABLE: defineError<{ target: string; reason: string }>('DMC_ERR_AGENT_UNREACHABLE', {
    message: (f) => `${f.target}: unreachable: ${f.reason}`,
  }),
  DMC_ERR_AGENT_CONNECT_TIMEOUT: defineError<{ target: string; timeoutMs: number }>(
    'DMC_ERR_AGENT_CONNECT_TIMEOUT',
    { message: (f) => `${f.target}: no SSH handshake within ${f.timeoutMs} ms` },
  ),
  DMC_ERR_AGENT_COMMAND_TIMEOUT: defineError<{ target: string; probe: string; timeoutMs: number }>(
    'DMC_ERR_AGENT_COMMAND_TIMEOUT',
    { message: (f) => `${f.target}: probe ${f.probe} did not finish within ${f.timeoutMs} ms` },
  ),
  DMC_ERR_AGENT_CONNECTION_DROPPED: defineError<{ target: string; probe: string; attempts: number; reason: string }>(
    'DMC_ERR_AGENT_CONNECTION_DROPPED',
    {
      message: (f) =>
        `${f.target}: the connection dropped while probe ${f.probe} ran (${f.attempts} attempts): ${f.reason}`,
    },
  ),
  DMC_ERR_AGENT_COMMAND_TOO_LONG: defineError<{ target: string; probe: string; length: number; limit: number; shell: string }>(
    'DMC_ERR_AGENT_COMMAND_TOO_LONG',
    {
      message: (f) =>
        `${f.target}: the command of probe ${f.probe} is ${f.length} characters, more than the ${f.limit} that ${f.shell} accepts; shorten the arguments, or set defaultShell: "powershell" if the device's OpenSSH DefaultShell is PowerShell`,
    },
  ),
  DMC_ERR_AGENT_PROBE_EXIT_NONZERO: defineError<{ target: string; probe: string; exitCode: number | null; stderr: string }>(
    'DMC_ERR_AGENT_PROBE_EXIT_NONZERO',
    {
      message: (f) => `${f.target}: probe ${f.probe} exited with code ${f.exitCode}; stderr: ${shown(f.stderr, 400)}`,
    },
  ),
  DMC_ERR_AGENT_PROBE_OUTPUT_NOT_JSON: defineError<{ target: string; probe: string; stdout: string; problem: string }>(
    'DMC_ERR_AGENT_PROBE_OUTPUT_NOT_JSON',
    {
      message: (f) => `${f.target}: probe ${f.probe} printed no single JSON document (${f.problem}); stdout: ${shown(f.stdout, 200)}`,
    },
  ),
  DMC_ERR_AGENT_PROBE_OUTPUT_SCHEMA: defineError<{ target: string; probe: string; issues: string; stdout: string }>(
    'DMC_ERR_AGENT_PROBE_OUTPUT_SCHEMA',
    {
      message: (f) => `${f.target}: probe ${f.probe} output does not match its schema: ${f.issues}; stdout: ${shown(f.stdout, 200)}`,
    },
  ),
  DMC_ERR_AGENT_POWERSHELL_NOT_FOUND: defineError<{ tried: string[] }>('DMC_ERR_AGENT_POWERSHELL_NOT_FOUND', {
    message: (f) =>
      `PowerShell was not found on this machine (looked for ${f.tried.join(', ')} on PATH); the local target needs Windows PowerShell 5.1 or pwsh`,
  }),
});
