/**
 * Reading a results.json back: every way it can be wrong (missing, not JSON, another kind of JSON, a field of
 * the wrong shape) ends as one DmcError that names the file and, for a shape problem, the field by its path.
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { FILE_WRITE_REASONS, readFailureReason } from '../errors.js';
import { errors } from './errors.js';
import { renderMatrixHtml } from './matrix-html.js';
import { HTML_FILE, RESULTS_FILE, RESULTS_FORMAT, resultsSchema, type Results } from './results-model.js';

/** A zod issue path as a reader writes it: `tests[3].verdict`, `run.startedAt`, `(root)` for the whole value. */
export function fieldPath(path: readonly PropertyKey[]): string {
  let text = '';
  for (const key of path) {
    if (typeof key === 'number') text += `[${key}]`;
    else text += text === '' ? String(key) : `.${String(key)}`;
  }
  return text === '' ? '(root)' : text;
}

function valueAt(data: unknown, path: readonly PropertyKey[]): unknown {
  let value = data;
  for (const key of path) {
    if (typeof value !== 'object' || value === null) return undefined;
    value = (value as Record<PropertyKey, unknown>)[key];
  }
  return value;
}

/** Validates parsed JSON as results; `file` names the source in errors. */
export function parseResults(data: unknown, file: string): Results {
  const format = typeof data === 'object' && data !== null ? (data as { format?: unknown }).format : undefined;
  if (format !== RESULTS_FORMAT) throw errors.DMC_ERR_REPORT_NOT_RESULTS.create({ file, format });
  const parsed = resultsSchema.safeParse(data);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  throw errors.DMC_ERR_REPORT_SCHEMA_MISMATCH.create({
    file,
    field: fieldPath(issue.path),
    issue: issue.message,
    received: valueAt(data, issue.path),
  });
}

/** The text of a file of a results package, or DMC_ERR_REPORT_FILE_UNREADABLE naming the file and why. */
export function readReportFile(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    throw errors.DMC_ERR_REPORT_FILE_UNREADABLE.create({ file, reason: readFailureReason(error) }, { cause: error });
  }
}

/**
 * Runs `write` (which writes the report at `path`) and turns a file-system refusal into
 * DMC_ERR_REPORT_OUT_UNWRITABLE: a wrong --out is the user's mistake, not an internal error.
 */
export function writingReport<T>(path: string, write: () => T): T {
  try {
    return write();
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === undefined || typeof (error as NodeJS.ErrnoException).syscall !== 'string') throw error;
    const reason = FILE_WRITE_REASONS[code] ?? (error as Error).message;
    throw errors.DMC_ERR_REPORT_OUT_UNWRITABLE.create({ path, reason }, { cause: error });
  }
}

export function readResults(file: string): Results {
  const text = readReportFile(file);
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw errors.DMC_ERR_REPORT_NOT_JSON.create({ file, reason: (error as Error).message }, { cause: error });
  }
  return parseResults(data, file);
}

/** The text written to results.json: stable key order (the schema's), two-space indent, final newline. */
export function resultsText(results: Results): string {
  return `${JSON.stringify(resultsSchema.parse(results), null, 2)}\n`;
}

/**
 * Writes results.json and conformance.html into `dir`. results.json goes to a temporary name first and is then
 * renamed, so a reader never sees half a file.
 */
export function writeResultsPackage(dir: string, results: Results): void {
  mkdirSync(dir, { recursive: true });
  const file = join(dir, RESULTS_FILE);
  writeFileSync(`${file}.tmp`, resultsText(results));
  renameSync(`${file}.tmp`, file);
  writeFileSync(join(dir, HTML_FILE), renderMatrixHtml(results));
}
