/**
 * Errors of the report layer: reading a results.json back (for `dmc report diff` and merge), merging shards, and
 * the conformance reporter's own options. Every message names the file and, for a shape problem, the field.
 */
import { defineErrors, defineError, shown } from '../errors.js';

export const errors = defineErrors({
  DMC_ERR_REPORT_FILE_UNREADABLE: defineError<{ file: string; reason: string }>('DMC_ERR_REPORT_FILE_UNREADABLE', {
    message: (f) => `Cannot read the results file ${f.file}: ${f.reason}`,
  }),
  DMC_ERR_REPORT_NOT_JSON: defineError<{ file: string; reason: string }>('DMC_ERR_REPORT_NOT_JSON', {
    message: (f) => `The results file ${f.file} is not JSON: ${f.reason}`,
  }),
  DMC_ERR_REPORT_NOT_RESULTS: defineError<{ file: string; format: unknown }>('DMC_ERR_REPORT_NOT_RESULTS', {
    message: (f) =>
      `The file ${f.file} is not a conformance results.json: ` +
      (f.format === undefined ? 'it has no field "format"' : `its field "format" is ${shown(f.format)}`) +
      ', expected "dmc-conformance-results"',
  }),
  DMC_ERR_REPORT_SCHEMA_MISMATCH: defineError<{ file: string; field: string; issue: string; received: unknown }>(
    'DMC_ERR_REPORT_SCHEMA_MISMATCH',
    {
      message: (f) => `The results file ${f.file} has a bad field ${f.field}: ${f.issue} (received ${shown(f.received, 60)})`,
    },
  ),
  DMC_ERR_REPORT_MERGE_DUPLICATE: defineError<{ id: string; target: string; first: string; second: string }>(
    'DMC_ERR_REPORT_MERGE_DUPLICATE',
    {
      message: (f) =>
        `Cannot merge: test ${shown(f.id)} on target ${shown(f.target)} is in both ${f.first} and ${f.second}`,
    },
  ),
  DMC_ERR_REPORT_MERGE_TARGET_CONFLICT: defineError<{ target: string; field: string; first: string; second: string; values: [unknown, unknown] }>(
    'DMC_ERR_REPORT_MERGE_TARGET_CONFLICT',
    {
      message: (f) =>
        `Cannot merge: target ${shown(f.target)} has ${f.field} ${shown(f.values[0])} in ${f.first} ` +
        `but ${shown(f.values[1])} in ${f.second}`,
    },
  ),
  DMC_ERR_REPORT_OUT_UNWRITABLE: defineError<{ path: string; reason: string }>('DMC_ERR_REPORT_OUT_UNWRITABLE', {
    message: (f) => `Cannot write the report to ${f.path}: ${f.reason}`,
  }),
  DMC_ERR_REPORT_MERGE_NOTHING: defineError<{ count: number }>('DMC_ERR_REPORT_MERGE_NOTHING', {
    message: (f) => `Cannot merge ${f.count} results files: give at least one`,
  }),
  DMC_ERR_REPORT_NO_RUN: defineError<{ dir: string }>('DMC_ERR_REPORT_NO_RUN', {
    message: (f) =>
      `The directory ${f.dir} holds no conformance run: neither results.json nor results.partial.jsonl is in it`,
  }),
  DMC_ERR_REPORT_BAD_OPTIONS: defineError<{ field: string; issue: string; received: unknown }>('DMC_ERR_REPORT_BAD_OPTIONS', {
    message: (f) =>
      `The conformance reporter's option ${f.field} is invalid: ${f.issue} (received ${shown(f.received, 60)})`,
  }),
});
