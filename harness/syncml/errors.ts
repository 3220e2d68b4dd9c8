/**
 * Errors of the SyncML codec: reading a device's message (parse), writing ours (build), and typed values by
 * Meta.Format. One class, `SyncMLError`, so callers can catch the whole layer with one `instanceof`; code that
 * handles one branches on `err.code` and reads `err.fields.path`, a slash path to the element at fault
 * (`SyncBody/Replace[CmdID=4]/Item[1]/Target/LocURI`).
 *
 * Parse errors carry HTTP 400: when one ends a request, the device sent something we cannot read. Build and value
 * errors carry none: they are the harness's own mistakes.
 */
import { DmcError, defineError, defineErrors, shown } from '../errors.js';
import type { ErrorFields } from '../errors.js';

export interface SyncMLErrorFields extends ErrorFields {
  /** Where in the message: `SyncHdr/Target/LocURI`, `SyncBody/Status[CmdID=5]/CmdRef`. Absent for whole-input faults. */
  path?: string;
}

export class SyncMLError<F extends SyncMLErrorFields = SyncMLErrorFields> extends DmcError<F> {
  constructor(code: string, message: string, fields: F, options?: { cause?: unknown; httpStatus?: number }) {
    super(code, message, fields, options);
    this.name = 'SyncMLError';
  }

  /** The element at fault, as `fields.path`; kept here too because nearly every handler wants it. */
  get path(): string | undefined {
    return this.fields.path;
  }
}

function parseError<F extends SyncMLErrorFields>(code: string, message: (fields: F) => string) {
  return defineError<F, SyncMLError<F>>(code, { message, httpStatus: 400, errorClass: SyncMLError });
}

function harnessError<F extends SyncMLErrorFields>(code: string, message: (fields: F) => string) {
  return defineError<F, SyncMLError<F>>(code, { message, errorClass: SyncMLError });
}

const hex = (byte: number): string => `0x${byte.toString(16).toUpperCase().padStart(2, '0')}`;

export const errors = defineErrors({
  DMC_ERR_SYNCML_TOO_LARGE: parseError<{ bytes: number; maxBytes: number }>('DMC_ERR_SYNCML_TOO_LARGE', (f) =>
    `SyncML message is ${f.bytes} bytes, over the limit of ${f.maxBytes} bytes; refused before parsing`,
  ),
  DMC_ERR_SYNCML_INVALID_UTF8: parseError<{ byteOffset: number; byte: number }>('DMC_ERR_SYNCML_INVALID_UTF8', (f) =>
    `SyncML message is not valid UTF-8: byte ${hex(f.byte)} at offset ${f.byteOffset} does not fit the encoding`,
  ),
  DMC_ERR_SYNCML_DOCTYPE: parseError<{ declaration: string; offset: number }>('DMC_ERR_SYNCML_DOCTYPE', (f) =>
    `SyncML message contains ${shown(f.declaration)} at character ${f.offset}; DTDs and entity declarations are ` +
    `refused (SyncML needs none, and they allow entity expansion and external entities)`,
  ),
  DMC_ERR_SYNCML_UNSUPPORTED_ENCODING: parseError<{ encoding: string }>('DMC_ERR_SYNCML_UNSUPPORTED_ENCODING', (f) =>
    `SyncML message declares encoding ${shown(f.encoding)}; only UTF-8 is supported`,
  ),
  DMC_ERR_SYNCML_MALFORMED_XML: parseError<{ reason: string; line?: number; column?: number }>(
    'DMC_ERR_SYNCML_MALFORMED_XML',
    (f) =>
      `SyncML message is not well-formed XML: ${f.reason}` +
      (f.line === undefined ? '' : ` (line ${f.line}, column ${f.column ?? 0})`),
  ),
  DMC_ERR_SYNCML_WRONG_ROOT: parseError<{ root: string }>('DMC_ERR_SYNCML_WRONG_ROOT', (f) =>
    `SyncML message has root element ${shown(f.root)}; expected SyncML`,
  ),
  DMC_ERR_SYNCML_WRONG_NAMESPACE: parseError<{ namespace: string }>('DMC_ERR_SYNCML_WRONG_NAMESPACE', (f) =>
    `SyncML root element has namespace ${shown(f.namespace)}; expected SYNCML:SYNCML1.2 (in any case)`,
  ),
  DMC_ERR_SYNCML_MISSING_ELEMENT: parseError<{ path: string; element: string }>('DMC_ERR_SYNCML_MISSING_ELEMENT', (f) =>
    `SyncML ${f.path}: required element ${f.element} is missing`,
  ),
  DMC_ERR_SYNCML_MISSING_CMDID: parseError<{ path: string; command: string }>('DMC_ERR_SYNCML_MISSING_CMDID', (f) =>
    `SyncML ${f.path}: ${f.command} has no CmdID; every command needs one`,
  ),
  DMC_ERR_SYNCML_UNKNOWN_ELEMENT: parseError<{ path: string; element: string; allowed: string[] }>(
    'DMC_ERR_SYNCML_UNKNOWN_ELEMENT',
    (f) => `SyncML ${f.path}: unknown element ${shown(f.element)}; allowed here: ${f.allowed.join(', ')}`,
  ),
  DMC_ERR_SYNCML_NESTED_COMMAND_NOT_ALLOWED: parseError<{ path: string; command: string; container: string }>(
    'DMC_ERR_SYNCML_NESTED_COMMAND_NOT_ALLOWED',
    (f) =>
      `SyncML ${f.path}: ${f.command} is not allowed inside ${f.container}; ` +
      `allowed: Add, Alert, Atomic, Delete, Exec, Get, Replace, Sequence`,
  ),
  DMC_ERR_SYNCML_DUPLICATE_ELEMENT: parseError<{ path: string; element: string }>(
    'DMC_ERR_SYNCML_DUPLICATE_ELEMENT',
    (f) => `SyncML ${f.path}: element ${f.element} appears more than once where only one is allowed`,
  ),
  DMC_ERR_SYNCML_INVALID_CONTENT: parseError<{ path: string; expected: string; received: string }>(
    'DMC_ERR_SYNCML_INVALID_CONTENT',
    (f) => `SyncML ${f.path}: expected ${f.expected}, received ${f.received}`,
  ),
  DMC_ERR_SYNCML_BAD_REFERENCE: parseError<{ path: string; reference: string }>('DMC_ERR_SYNCML_BAD_REFERENCE', (f) =>
    `SyncML ${f.path}: reference ${shown(f.reference)} is not allowed; only &amp; &lt; &gt; &quot; &apos; and ` +
    `numeric references to XML characters are`,
  ),
  DMC_ERR_SYNCML_BUILD_INVALID_CHAR: harnessError<{ path: string; codePoint: string }>(
    'DMC_ERR_SYNCML_BUILD_INVALID_CHAR',
    (f) => `SyncML build: ${f.path} contains ${f.codePoint}, which XML 1.0 cannot carry`,
  ),
  DMC_ERR_SYNCML_BUILD_INVALID: harnessError<{ path: string; problem: string; received: unknown }>(
    'DMC_ERR_SYNCML_BUILD_INVALID',
    (f) => `SyncML build: ${f.path} ${f.problem}, received ${shown(f.received)}`,
  ),
  DMC_ERR_SYNCML_UNKNOWN_FORMAT: harnessError<{ format: string }>('DMC_ERR_SYNCML_UNKNOWN_FORMAT', (f) =>
    `Meta.Format ${shown(f.format)} is not one of chr, int, bool, b64, xml, node, null`,
  ),
  DMC_ERR_SYNCML_BAD_VALUE: harnessError<{ format: string; value: unknown; expected: string }>(
    'DMC_ERR_SYNCML_BAD_VALUE',
    (f) => `Meta.Format ${f.format}: value ${shown(f.value)} is not ${f.expected}`,
  ),
});
