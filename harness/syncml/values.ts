/**
 * Typed node values by Meta.Format (OMA-DM 1.2 Tree and Description, "Format"; the DDF's DFFormat): what a
 * Replace should carry for a node, and what a Results item's Data means.
 *
 * | Format | TypeScript value | on the wire |
 * | ------ | ---------------- | ----------- |
 * | chr    | string           | the text |
 * | int    | number           | decimal, 32-bit signed (the DM int range) |
 * | bool   | boolean          | `true` / `false` (any case accepted, lower case written) |
 * | b64    | Uint8Array       | base64 text (whitespace between groups accepted) |
 * | xml    | string (markup)  | escaped text or embedded elements; must be well-formed |
 * | node   | string[]         | an interior node's child names, `/`-separated (a Get on an interior node) |
 * | null   | null             | no Data or empty Data |
 */
import { errors } from './errors.js';
import { embeddedXmlFault } from './strict-xml.js';
import type { Data } from './types.js';

export interface ValueByFormat {
  chr: string;
  int: number;
  bool: boolean;
  b64: Uint8Array;
  xml: string;
  node: string[];
  null: null;
}
export type MetaFormat = keyof ValueByFormat;
export const META_FORMATS: readonly MetaFormat[] = ['chr', 'int', 'bool', 'b64', 'xml', 'node', 'null'];

const INT = /^[+-]?[0-9]+$/;
const INT_MIN = -2147483648;
const INT_MAX = 2147483647;
const INT_EXPECTED = 'a decimal integer from -2147483648 to 2147483647';
const B64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

function isFormat(format: string): format is MetaFormat {
  return (META_FORMATS as readonly string[]).includes(format);
}

function bad(format: string, value: unknown, expected: string): never {
  throw errors.DMC_ERR_SYNCML_BAD_VALUE.create({ format, value, expected });
}

/** The text of a Data, or the markup of embedded XML (only Format xml may carry that). */
function dataText(format: MetaFormat, data: Data | undefined): string {
  if (data === undefined) return '';
  if (typeof data === 'string') return data;
  if (format === 'xml') return data.xml;
  return bad(format, data.xml, 'text (received embedded XML elements)');
}

/** Reads a Data as the value its Meta.Format says; the format comes from Meta.Format or the DDF. */
export function decodeValue<F extends MetaFormat>(format: F, data: Data | undefined): ValueByFormat[F];
export function decodeValue(format: string, data: Data | undefined): ValueByFormat[MetaFormat];
export function decodeValue(format: string, data: Data | undefined): ValueByFormat[MetaFormat] {
  if (!isFormat(format)) throw errors.DMC_ERR_SYNCML_UNKNOWN_FORMAT.create({ format });
  const text = dataText(format, data);
  switch (format) {
    case 'chr':
      return text;
    case 'int': {
      const trimmed = text.trim();
      const n = INT.test(trimmed) ? Number(trimmed) : Number.NaN;
      if (!(n >= INT_MIN && n <= INT_MAX)) bad(format, text, INT_EXPECTED);
      return n === 0 ? 0 : n; // -0 reads as 0
    }
    case 'bool': {
      const lower = text.trim().toLowerCase();
      if (lower === 'true') return true;
      if (lower === 'false') return false;
      return bad(format, text, 'true or false');
    }
    case 'b64': {
      const compact = text.replace(/[ \t\r\n]+/g, '');
      if (!B64.test(compact)) bad(format, text, 'base64 text (A-Z a-z 0-9 + /, padded with = to a multiple of 4)');
      return new Uint8Array(Buffer.from(compact, 'base64'));
    }
    case 'xml': {
      const fault = embeddedXmlFault(text);
      if (fault !== undefined) bad(format, text, `well-formed XML (${fault})`);
      return text;
    }
    case 'node': {
      const trimmed = text.trim();
      return trimmed === '' ? [] : trimmed.split('/');
    }
    case 'null':
      if (text.trim() !== '') bad(format, text, 'empty (Format null carries no value)');
      return null;
  }
}

/** Writes a value as the Data for a node of that Meta.Format (pair it with `Meta.Format = format`). */
export function encodeValue<F extends MetaFormat>(format: F, value: ValueByFormat[F]): Data;
export function encodeValue(format: string, value: unknown): Data;
export function encodeValue(format: string, value: unknown): Data {
  if (!isFormat(format)) throw errors.DMC_ERR_SYNCML_UNKNOWN_FORMAT.create({ format });
  switch (format) {
    case 'chr':
      if (typeof value !== 'string') bad(format, value, 'a string');
      return value;
    case 'int':
      if (typeof value !== 'number' || !Number.isInteger(value) || value < INT_MIN || value > INT_MAX) {
        bad(format, value, INT_EXPECTED);
      }
      return String(value === 0 ? 0 : value);
    case 'bool':
      if (typeof value !== 'boolean') bad(format, value, 'a boolean');
      return value ? 'true' : 'false';
    case 'b64':
      if (!(value instanceof Uint8Array)) bad(format, typeof value, 'a Uint8Array');
      return Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('base64');
    case 'xml': {
      if (typeof value !== 'string') bad(format, value, 'a string of XML markup');
      // As build.ts writes embedded XML: this also refuses a DTD or an entity declaration.
      const fault = embeddedXmlFault(value);
      if (fault !== undefined) bad(format, value, `well-formed XML (${fault})`);
      // Sent as escaped text, the form every Windows CSP that takes xml accepts.
      return value;
    }
    case 'node':
      if (!Array.isArray(value) || value.some((n) => typeof n !== 'string' || n === '' || n.includes('/'))) {
        bad(format, value, 'an array of child node names, each non-empty and without "/"');
      }
      return (value as string[]).join('/');
    case 'null':
      if (value !== null) bad(format, value, 'null');
      return '';
  }
}
