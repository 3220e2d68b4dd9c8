/**
 * A test's error on one line, for a terminal or a CI log (`dmc run`'s summary, `dmc report diff`): its first line,
 * then the `Expected:` and `Received:` lines of an expect() failure (its first line alone, "expect(received).toBe(
 * expected)", says nothing of the values), its code unless already named, and where; cut to a log line.
 */
import type { TestErrorInfo } from './results-model.js';

/** A summary this long is cut: a log line, not the report. */
export const ERROR_SUMMARY_CHARS = 300;

export function errorSummary(error: TestErrorInfo): string {
  const [first = '', ...rest] = error.message.split('\n').map((l) => l.trim());
  const values = rest.filter((l) => /^(Expected|Received)\b/.test(l));
  let text = [first, ...values].join(' · ');
  if (text.length > ERROR_SUMMARY_CHARS) text = `${text.slice(0, ERROR_SUMMARY_CHARS - 1)}…`;
  const code = error.code === undefined || text.includes(error.code) ? '' : ` [${error.code}]`;
  return `${text}${code}${error.location === undefined ? '' : ` (${error.location})`}`;
}
