/**
 * Whether a value, as the text that goes into `<Data>`, is one the DDF's MSFT:AllowedValues permits. Used by the
 * command builders to refuse a value a suite did not mean to send; a deliberate out-of-range value goes through
 * the builders' `.unchecked` path instead.
 */
import type { AllowedValues, CatalogNode } from './types.js';

/** `undefined` when allowed, else the reason, phrased to follow "is not allowed for <LocURI>: ". */
export function allowedValueProblem(node: Pick<CatalogNode, 'allowedValues'>, text: string): string | undefined {
  const allowed: AllowedValues = node.allowedValues;
  switch (allowed.kind) {
    case 'none':
      return undefined;
    case 'enumeration':
      return allowed.values.some((v) => v.value === text)
        ? undefined
        : `the DDF allows only ${allowed.values.map((v) => v.value).join(', ')}`;
    case 'flags': {
      // MSFT DDF "Flag": the value is any bitwise OR of the listed flags.
      const mask = allowed.values.reduce((m, v) => m | Number(v.value), 0);
      const n = /^\d+$/.test(text) ? Number(text) : Number.NaN;
      return Number.isSafeInteger(n) && (n & ~mask) === 0 && n <= mask
        ? undefined
        : `the DDF allows any combination of the flags ${allowed.values.map((v) => v.value).join(', ')}`;
    }
    case 'range': {
      const n = /^-?\d+$/.test(text) ? Number(text) : Number.NaN;
      return n >= allowed.min && n <= allowed.max ? undefined : `the DDF range is ${allowed.asWritten}`;
    }
    case 'regex':
      return new RegExp(allowed.pattern).test(text) ? undefined : `it does not match the DDF pattern ${allowed.pattern}`;
  }
}
