/**
 * Errors of the CSP layer: reading Microsoft's DMClient DDF into the catalogue, looking nodes up, matching LocURIs,
 * applicability checks, and the catalogue-driven command builders of `harness/scripting/dmclient-*.ts` (their
 * refusals are about catalogue facts: a path, an access type, a format, an allowed value).
 */
import { defineErrors, defineError, shown } from '../errors.js';

export const errors = defineErrors({
  DMC_ERR_CSP_DDF_UNREADABLE: defineError<{ file: string; reason: string }>('DMC_ERR_CSP_DDF_UNREADABLE', {
    message: (f) => `Cannot read the DDF file ${f.file}: ${f.reason}`,
  }),
  DMC_ERR_CSP_DDF_MALFORMED: defineError<{ file: string; reason: string }>('DMC_ERR_CSP_DDF_MALFORMED', {
    message: (f) => `The DDF file ${f.file} is not XML the catalogue can read: ${f.reason}`,
  }),
  DMC_ERR_CSP_DDF_SHAPE: defineError<{ file: string; at: string; issue: string }>('DMC_ERR_CSP_DDF_SHAPE', {
    message: (f) => `The DDF file ${f.file} does not have the expected shape at ${f.at}: ${f.issue}`,
  }),
  DMC_ERR_CSP_DUPLICATE_PATH: defineError<{ file: string; path: string }>('DMC_ERR_CSP_DUPLICATE_PATH', {
    message: (f) => `The DDF file ${f.file} defines the node path ${shown(f.path)} more than once`,
  }),
  DMC_ERR_CSP_UNKNOWN_NODE: defineError<{ path: string; scope?: string }>('DMC_ERR_CSP_UNKNOWN_NODE', {
    message: (f) =>
      `No DMClient catalogue node has the path ${shown(f.path)}` + (f.scope === undefined ? '' : ` in the ${f.scope} tree`),
  }),
  DMC_ERR_CSP_NOT_DMCLIENT_LOCURI: defineError<{ locUri: string; reason: string }>('DMC_ERR_CSP_NOT_DMCLIENT_LOCURI', {
    message: (f) => `The LocURI ${shown(f.locUri)} does not name a DMClient catalogue node: ${f.reason}`,
  }),
  DMC_ERR_CSP_BAD_BUILD: defineError<{ build: string }>('DMC_ERR_CSP_BAD_BUILD', {
    message: (f) => `The OS build ${shown(f.build)} is not a Windows build number like "10.0.22631" or "10.0.22631.4317"`,
  }),
  DMC_ERR_CSP_UNKNOWN_EDITION: defineError<{ edition: unknown }>('DMC_ERR_CSP_UNKNOWN_EDITION', {
    message: (f) =>
      `The edition ${shown(f.edition)} is neither a product SKU number (like 48 or "0x30") nor a known PRODUCT_* name`,
  }),
  DMC_ERR_CSP_OPERATION_NOT_ALLOWED: defineError<{ locUri: string; operation: string; accessTypes: string[] }>(
    'DMC_ERR_CSP_OPERATION_NOT_ALLOWED',
    {
      message: (f) =>
        `The DDF does not allow ${f.operation} on ${f.locUri} (its access types: ${f.accessTypes.join(', ')}); ` +
        `use .unchecked to send it on purpose`,
    },
  ),
  DMC_ERR_CSP_VALUE_TYPE: defineError<{ locUri: string; format: string; expected: string; received: unknown; receivedType: string }>(
    'DMC_ERR_CSP_VALUE_TYPE',
    {
      message: (f) =>
        `The node ${f.locUri} has format ${f.format} and takes ${f.expected}, but received ${shown(f.received)} (${f.receivedType})`,
    },
  ),
  DMC_ERR_CSP_VALUE_NOT_ALLOWED: defineError<{ locUri: string; value: string; reason: string }>('DMC_ERR_CSP_VALUE_NOT_ALLOWED', {
    message: (f) => `The value ${shown(f.value)} is not allowed for ${f.locUri}: ${f.reason}; use .unchecked to send it on purpose`,
  }),
  DMC_ERR_CSP_UNFILLED_SEGMENT: defineError<{ path: string; segment: string; option: string }>('DMC_ERR_CSP_UNFILLED_SEGMENT', {
    message: (f) => `The path ${shown(f.path)} has the dynamic segment {${f.segment}} but no value was given for it (set ${f.option})`,
  }),
  DMC_ERR_CSP_BAD_SEGMENT: defineError<{ segment: string; value: unknown; reason: string }>('DMC_ERR_CSP_BAD_SEGMENT', {
    message: (f) => `The value ${shown(f.value)} for the dynamic segment {${f.segment}} cannot stand in a LocURI: ${f.reason}`,
  }),
  DMC_ERR_CSP_UNDECODABLE_VALUE: defineError<{ locUri: string; format: string; data: unknown }>('DMC_ERR_CSP_UNDECODABLE_VALUE', {
    message: (f) => `The data ${shown(f.data)} received for ${f.locUri} is not a valid ${f.format} value`,
  }),
});
