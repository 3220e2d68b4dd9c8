/**
 * The SyncML DM 1.2 codec: the only way the harness reads or writes SyncML text. Other layers import from here,
 * never from the files behind it.
 */
export type * from './types.js';
export { parseSyncML, DEFAULT_MAX_BYTES } from './parse.js';
export type { ParseOptions } from './parse.js';
export { buildSyncML, buildSyncMLBytes, buildCommandXml } from './build.js';
export { SyncMLError, errors as syncmlErrors } from './errors.js';
export type { SyncMLErrorFields } from './errors.js';
export { StatusCode, AlertCode } from './codes.js';
export { decodeValue, encodeValue, META_FORMATS } from './values.js';
export type { MetaFormat, ValueByFormat } from './values.js';
