/**
 * Edition SKU ids as the DDF's MSFT:EditionAllowList writes them (hex product types, "0x30"), and their winnt.h
 * names (the PRODUCT_* constants GetProductInfo returns; MS-MDE2 2.2.9.6 lists the same enumeration).
 *
 * The table holds exactly the ids the DMClient DDF uses, each checked against winnt.h; an id it does not know is
 * kept with `name: undefined` rather than guessed.
 */
import { errors } from './errors.js';
import type { EditionId } from './types.js';

export const EDITION_NAMES: Readonly<Record<number, string>> = Object.freeze({
  0x04: 'PRODUCT_ENTERPRISE',
  0x1b: 'PRODUCT_ENTERPRISE_N',
  0x30: 'PRODUCT_PROFESSIONAL',
  0x31: 'PRODUCT_PROFESSIONAL_N',
  0x48: 'PRODUCT_ENTERPRISE_EVALUATION',
  0x54: 'PRODUCT_ENTERPRISE_N_EVALUATION',
  0x62: 'PRODUCT_CORE_N',
  0x63: 'PRODUCT_CORE_COUNTRYSPECIFIC',
  0x64: 'PRODUCT_CORE_SINGLELANGUAGE',
  0x65: 'PRODUCT_CORE',
  0x79: 'PRODUCT_EDUCATION',
  0x7a: 'PRODUCT_EDUCATION_N',
  0x7d: 'PRODUCT_ENTERPRISE_S',
  0x7e: 'PRODUCT_ENTERPRISE_S_N',
  0x81: 'PRODUCT_ENTERPRISE_S_EVALUATION',
  0x82: 'PRODUCT_ENTERPRISE_S_N_EVALUATION',
  0x88: 'PRODUCT_HOLOGRAPHIC_BUSINESS',
  0x8a: 'PRODUCT_PRO_SINGLE_LANGUAGE',
  0x8b: 'PRODUCT_PRO_CHINA',
  0xa1: 'PRODUCT_PRO_WORKSTATION',
  0xa2: 'PRODUCT_PRO_WORKSTATION_N',
  0xa4: 'PRODUCT_PRO_FOR_EDUCATION',
  0xa5: 'PRODUCT_PRO_FOR_EDUCATION_N',
  0xab: 'PRODUCT_ENTERPRISEG',
  0xac: 'PRODUCT_ENTERPRISEGN',
  // Windows Enterprise multi-session; the DDF allows MultipleSession on this SKU only.
  0xaf: 'PRODUCT_SERVERRDSH',
  0xbc: 'PRODUCT_IOTENTERPRISE',
  0xbf: 'PRODUCT_IOTENTERPRISES',
  0xca: 'PRODUCT_CLOUDEDITIONN',
  0xcb: 'PRODUCT_CLOUDEDITION',
  0xcd: 'PRODUCT_IOTENTERPRISESK',
  0xcf: 'PRODUCT_IOTENTERPRISESEVAL',
  0xd2: 'PRODUCT_WNC',
});

const ID_BY_NAME = new Map(Object.entries(EDITION_NAMES).map(([id, name]) => [name, Number(id)]));

/** Reads one SKU id as the DDF writes it; undefined when the text is not hex. */
export function parseSku(text: string): EditionId | undefined {
  if (!/^0x[0-9a-f]+$/i.test(text)) return undefined;
  const id = Number.parseInt(text.slice(2), 16);
  return { sku: text, id, name: EDITION_NAMES[id] };
}

/** A device's edition as a number: accepts 48, "48", "0x30" or "PRODUCT_PROFESSIONAL". */
export function editionId(edition: number | string): number {
  if (typeof edition === 'number' && Number.isInteger(edition) && edition >= 0) return edition;
  if (typeof edition === 'string') {
    if (/^0x[0-9a-f]+$/i.test(edition)) return Number.parseInt(edition.slice(2), 16);
    if (/^[0-9]+$/.test(edition)) return Number(edition);
    const byName = ID_BY_NAME.get(edition.toUpperCase());
    if (byName !== undefined) return byName;
  }
  throw errors.DMC_ERR_CSP_UNKNOWN_EDITION.create({ edition });
}

/** "0x30 (PRODUCT_PROFESSIONAL)" for messages. */
export function describeEdition(id: number): string {
  const name = EDITION_NAMES[id];
  const hex = `0x${id.toString(16).toUpperCase()}`;
  return name === undefined ? hex : `${hex} (${name})`;
}
