/**
 * Errors a suite meets when it reads what `device.sync()` returned (results.ts), and the refusals of the Policy CSP
 * builders (policy-builders.ts: an Area or Policy name that cannot stand in a LocURI, a value of the wrong type).
 */
import { defineError, defineErrors, shown } from '../errors.js';

export const errors = defineErrors({
  DMC_ERR_SCRIPTING_UNEXPECTED_STATUS: defineError<{ command: string; expected: string[]; received: string | undefined; sessionId: string }>(
    'DMC_ERR_SCRIPTING_UNEXPECTED_STATUS',
    {
      message: (f) =>
        `${f.command} answered ${f.received === undefined ? 'no Status' : `Status ${shown(f.received)}`} ` +
        `in session ${shown(f.sessionId)}, expected ${f.expected.join(' or ')}`,
    },
  ),
  DMC_ERR_SCRIPTING_NO_RESULTS: defineError<{ command: string; status: string | undefined; count: number }>(
    'DMC_ERR_SCRIPTING_NO_RESULTS',
    {
      message: (f) =>
        `${f.command} returned ${f.count} Results item(s) (Status ${f.status === undefined ? 'none' : shown(f.status)}), ` +
        'expected exactly one value',
    },
  ),
  DMC_ERR_SCRIPTING_NO_SUCH_COMMAND: defineError<{ locUri: string; known: string[] }>('DMC_ERR_SCRIPTING_NO_SUCH_COMMAND', {
    message: (f) => `no command of this sync targets ${shown(f.locUri)}; it sent: ${f.known.map((k) => shown(k)).join(', ') || 'nothing'}`,
  }),
  DMC_ERR_SCRIPTING_BAD_POLICY_NAME: defineError<{ part: 'Area' | 'Policy' | 'EnrollmentID'; value: unknown; reason: string }>('DMC_ERR_SCRIPTING_BAD_POLICY_NAME', {
    message: (f) =>
      f.part === 'EnrollmentID'
        ? `The enrollment ID ${shown(f.value)} cannot name a PolicyManager provider key: ${f.reason}`
        : `The Policy CSP ${f.part} name ${shown(f.value)} cannot stand in ./Vendor/MSFT/Policy/Config/<Area>/<Policy>: ${f.reason}`,
  }),
  DMC_ERR_SCRIPTING_POLICY_VALUE: defineError<{ locUri: string; format: string; expected: string; received: unknown; receivedType: string }>(
    'DMC_ERR_SCRIPTING_POLICY_VALUE',
    {
      message: (f) =>
        `The policy ${f.locUri} was declared with format ${f.format} and takes ${f.expected}, but received ${shown(f.received)} (${f.receivedType}); ` +
        'use .unchecked to send other data on purpose',
    },
  ),
});
