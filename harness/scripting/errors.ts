/** Errors a suite meets when it reads what `device.sync()` returned (results.ts). */
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
});
