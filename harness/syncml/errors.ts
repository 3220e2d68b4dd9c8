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

/**
 * Text placed in a message without quotes (a path, a parser's reason) cut like `shown()` cuts a quoted value, so a
 * device's megabyte CmdID or element name cannot flood a log line. Paths keep their end too: the element at fault
 * is the last step.
 */
function cut(text: string, max = 240): string {
  if (text.length <= max) return text;
  const keep = max / 2;
  return `${text.slice(0, keep)}…(${text.length} chars)…${text.slice(-keep)}`;
}

/** Bytes that are not UTF-8, or (a message given as a string) a UTF-16 surrogate with no partner, which has no UTF-8. */
type Utf8Fields =
  | { byteOffset: number; byte: number }
  | { charOffset: number; codeUnit: number; line: number; column: number };

function utf8Message(f: Utf8Fields): string {
  if ('byte' in f) {
    return `SyncML message is not valid UTF-8: byte ${hex(f.byte)} at offset ${f.byteOffset} does not fit the encoding`;
  }
  const unit = `U+${f.codeUnit.toString(16).toUpperCase()}`;
  return `SyncML message is not valid UTF-8: the text has a lone surrogate ${unit} at character ${f.charOffset} ` +
    `(line ${f.line}, column ${f.column}), which no UTF-8 byte sequence encodes`;
}

export const errors = defineErrors({
  DMC_ERR_SYNCML_TOO_LARGE: parseError<{ bytes: number; maxBytes: number }>('DMC_ERR_SYNCML_TOO_LARGE', (f) =>
    `SyncML message is ${f.bytes} bytes, over the limit of ${f.maxBytes} bytes; refused before parsing`,
  ),
  DMC_ERR_SYNCML_INVALID_UTF8: parseError<Utf8Fields>('DMC_ERR_SYNCML_INVALID_UTF8', utf8Message),
  DMC_ERR_SYNCML_DOCTYPE: parseError<{ declaration: string; offset: number }>('DMC_ERR_SYNCML_DOCTYPE', (f) =>
    `SyncML message contains ${shown(f.declaration)} at character ${f.offset}; DTDs and entity declarations are ` +
    `refused (SyncML needs none, and they allow entity expansion and external entities)`,
  ),
  DMC_ERR_SYNCML_UNSUPPORTED_ENCODING: parseError<{ encoding: string }>('DMC_ERR_SYNCML_UNSUPPORTED_ENCODING', (f) =>
    `SyncML message declares encoding ${shown(f.encoding)}; only UTF-8 is supported`,
  ),
  DMC_ERR_SYNCML_MALFORMED_XML: parseError<{ reason: string; line?: number; column?: number; path?: string }>(
    'DMC_ERR_SYNCML_MALFORMED_XML',
    (f) =>
      `SyncML message is not well-formed XML${f.path === undefined ? '' : ` in ${cut(f.path)}`}: ${cut(f.reason)}` +
      (f.line === undefined ? '' : ` (line ${f.line}, column ${f.column ?? 0})`),
  ),
  DMC_ERR_SYNCML_WRONG_ROOT: parseError<{ root: string }>('DMC_ERR_SYNCML_WRONG_ROOT', (f) =>
    `SyncML message has root element ${shown(f.root)}; expected SyncML`,
  ),
  DMC_ERR_SYNCML_WRONG_NAMESPACE: parseError<{ namespace: string }>('DMC_ERR_SYNCML_WRONG_NAMESPACE', (f) =>
    `SyncML root element has namespace ${shown(f.namespace)}; expected SYNCML:SYNCML1.2 (in any case)`,
  ),
  DMC_ERR_SYNCML_MISSING_ELEMENT: parseError<{ path: string; element: string }>('DMC_ERR_SYNCML_MISSING_ELEMENT', (f) =>
    `SyncML ${cut(f.path)}: required element ${cut(f.element)} is missing`,
  ),
  DMC_ERR_SYNCML_MISSING_CMDID: parseError<{ path: string; command: string }>('DMC_ERR_SYNCML_MISSING_CMDID', (f) =>
    `SyncML ${cut(f.path)}: ${cut(f.command)} has no CmdID; every command needs one`,
  ),
  DMC_ERR_SYNCML_UNKNOWN_ELEMENT: parseError<{ path: string; element: string; allowed: string[] }>(
    'DMC_ERR_SYNCML_UNKNOWN_ELEMENT',
    (f) => `SyncML ${cut(f.path)}: unknown element ${shown(f.element)}; allowed here: ${f.allowed.join(', ')}`,
  ),
  DMC_ERR_SYNCML_NESTED_COMMAND_NOT_ALLOWED: parseError<{ path: string; command: string; container: string }>(
    'DMC_ERR_SYNCML_NESTED_COMMAND_NOT_ALLOWED',
    (f) =>
      `SyncML ${cut(f.path)}: ${cut(f.command)} is not allowed inside ${cut(f.container)}; ` +
      `allowed: Add, Alert, Atomic, Delete, Exec, Get, Replace, Sequence`,
  ),
  DMC_ERR_SYNCML_DUPLICATE_ELEMENT: parseError<{ path: string; element: string }>(
    'DMC_ERR_SYNCML_DUPLICATE_ELEMENT',
    (f) => `SyncML ${cut(f.path)}: element ${cut(f.element)} appears more than once where only one is allowed`,
  ),
  DMC_ERR_SYNCML_INVALID_CONTENT: parseError<{ path: string; expected: string; received: string }>(
    'DMC_ERR_SYNCML_INVALID_CONTENT',
    (f) => `SyncML ${cut(f.path)}: expected ${cut(f.expected)}, received ${cut(f.received)}`,
  ),
  DMC_ERR_SYNCML_BAD_REFERENCE: parseError<{ path: string; reference: string }>('DMC_ERR_SYNCML_BAD_REFERENCE', (f) =>
    `SyncML ${cut(f.path)}: reference ${shown(f.reference)} is not allowed; only &amp; &lt; &gt; &quot; &apos; and ` +
    `numeric references to XML characters are`,
  ),
  DMC_ERR_SYNCML_BUILD_INVALID_CHAR: harnessError<{ path: string; codePoint: string }>(
    'DMC_ERR_SYNCML_BUILD_INVALID_CHAR',
    (f) => `SyncML build: ${cut(f.path)} contains ${cut(f.codePoint)}, which XML 1.0 cannot carry`,
  ),
  DMC_ERR_SYNCML_BUILD_INVALID: harnessError<{ path: string; problem: string; received: unknown }>(
    'DMC_ERR_SYNCML_BUILD_INVALID',
    (f) => `SyncML build: ${cut(f.path)} ${cut(f.problem)}, received ${shown(f.received)}`,
  ),
  DMC_ERR_SYNCML_UNKNOWN_FORMAT: harnessError<{ format: string }>('DMC_ERR_SYNCML_UNKNOWN_FORMAT', (f) =>
    `Meta.Format ${shown(f.format)} is not one of chr, int, bool, b64, xml, node, null`,
  ),
  DMC_ERR_SYNCML_BAD_VALUE: harnessError<{ format: string; value: unknown; expected: string }>(
    'DMC_ERR_SYNCML_BAD_VALUE',
    (f) => `Meta.Format ${cut(f.format)}: value ${shown(f.value)} is not ${cut(f.expected)}`,
  ),
});
