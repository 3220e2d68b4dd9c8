/**
 * Reading raw ASN.1 with asn1js, one checked step at a time, so a malformed structure is reported with the
 * place it broke (`CertificationRequestInfo.subject`) instead of a library stack trace. Strict X.509 parsers
 * reject the Windows CSR (a PrintableString holding `!` and NUL), so the CSR is walked by hand.
 */
import * as asn1js from 'asn1js';
import { errors } from './errors.js';

export type Block = asn1js.AsnType;

/** Parses exactly one DER element filling `der`; trailing bytes are an error because signatures cover bytes. */
export function parseDer(der: Uint8Array, where: string): Block {
  const parsed = asn1js.fromBER(der);
  if (parsed.offset === -1) {
    throw errors.DMC_ERR_PKI_CSR_MALFORMED.create({ where, problem: `not DER (${parsed.result.error || 'decoder failed'})` });
  }
  if (parsed.offset !== der.byteLength) {
    throw errors.DMC_ERR_PKI_CSR_MALFORMED.create({
      where,
      problem: `${der.byteLength - parsed.offset} trailing bytes after the DER element`,
    });
  }
  return parsed.result;
}

function describe(block: Block): string {
  const id = (block as asn1js.BaseBlock).idBlock;
  return id ? `tag class ${id.tagClass} number ${id.tagNumber}` : 'an unknown element';
}

export function children(block: Block, where: string, min: number): Block[] {
  if (!(block instanceof asn1js.Sequence || block instanceof asn1js.Set || block instanceof asn1js.Constructed)) {
    throw errors.DMC_ERR_PKI_CSR_MALFORMED.create({ where, problem: `expected a constructed element, found ${describe(block)}` });
  }
  const items = block.valueBlock.value;
  if (items.length < min) {
    throw errors.DMC_ERR_PKI_CSR_MALFORMED.create({ where, problem: `expected at least ${min} elements, found ${items.length}` });
  }
  return items;
}

export function sequence(block: Block | undefined, where: string, min = 0): Block[] {
  if (!(block instanceof asn1js.Sequence)) {
    throw errors.DMC_ERR_PKI_CSR_MALFORMED.create({ where, problem: `expected a SEQUENCE, found ${block ? describe(block) : 'nothing'}` });
  }
  return children(block, where, min);
}

export function setOf(block: Block | undefined, where: string, min = 0): Block[] {
  if (!(block instanceof asn1js.Set)) {
    throw errors.DMC_ERR_PKI_CSR_MALFORMED.create({ where, problem: `expected a SET, found ${block ? describe(block) : 'nothing'}` });
  }
  return children(block, where, min);
}

export function oid(block: Block | undefined, where: string): string {
  if (!(block instanceof asn1js.ObjectIdentifier)) {
    throw errors.DMC_ERR_PKI_CSR_MALFORMED.create({ where, problem: `expected an OBJECT IDENTIFIER, found ${block ? describe(block) : 'nothing'}` });
  }
  return block.valueBlock.toString();
}

export function integer(block: Block | undefined, where: string): number {
  if (!(block instanceof asn1js.Integer)) {
    throw errors.DMC_ERR_PKI_CSR_MALFORMED.create({ where, problem: `expected an INTEGER, found ${block ? describe(block) : 'nothing'}` });
  }
  return block.valueBlock.valueDec;
}

export function octetString(block: Block | undefined, where: string): Uint8Array {
  if (!(block instanceof asn1js.OctetString) || block.valueBlock.isConstructed) {
    throw errors.DMC_ERR_PKI_CSR_MALFORMED.create({ where, problem: `expected a primitive OCTET STRING, found ${block ? describe(block) : 'nothing'}` });
  }
  return new Uint8Array(block.valueBlock.valueHexView);
}

export function bitStringBytes(block: Block | undefined, where: string): Uint8Array {
  if (!(block instanceof asn1js.BitString) || block.valueBlock.isConstructed) {
    throw errors.DMC_ERR_PKI_CSR_MALFORMED.create({ where, problem: `expected a primitive BIT STRING, found ${block ? describe(block) : 'nothing'}` });
  }
  if (block.valueBlock.unusedBits !== 0) {
    throw errors.DMC_ERR_PKI_CSR_MALFORMED.create({ where, problem: `BIT STRING has ${block.valueBlock.unusedBits} unused bits, expected 0` });
  }
  return new Uint8Array(block.valueBlock.valueHexView);
}

/** The exact bytes this element was decoded from (tag, length and value), which signatures are computed over. */
export function rawBytes(block: Block): Uint8Array {
  return new Uint8Array(block.valueBeforeDecodeView);
}

/** Universal string tags a DirectoryString or the CN may use (X.520), by tag number. */
const STRING_TAGS: Readonly<Record<number, string>> = {
  12: 'UTF8String',
  19: 'PrintableString',
  20: 'TeletexString',
  22: 'IA5String',
  30: 'BMPString',
};

/**
 * A directory string's content bytes and tag name, without checking its character set: Windows puts `!` and a
 * NUL into a PrintableString, which X.680 forbids, and the harness must accept what real devices send.
 */
export function directoryString(block: Block | undefined, where: string): { text: string; stringType: string } {
  const id = (block as asn1js.BaseBlock | undefined)?.idBlock;
  const stringType = id && id.tagClass === 1 ? STRING_TAGS[id.tagNumber] : undefined;
  if (block === undefined || stringType === undefined || (block as asn1js.BaseBlock).idBlock.isConstructed) {
    throw errors.DMC_ERR_PKI_CSR_MALFORMED.create({ where, problem: `expected a directory string, found ${block ? describe(block) : 'nothing'}` });
  }
  // The content bytes are everything after the tag and length; take them from the raw encoding so no string
  // class re-interprets them.
  const raw = rawBytes(block);
  const header = raw.byteLength - (block as asn1js.BaseBlock).lenBlock.length;
  const content = Buffer.from(raw.subarray(header));
  let text: string;
  if (stringType === 'UTF8String') text = content.toString('utf8');
  else if (stringType === 'BMPString') text = content.swap16().toString('utf16le');
  else text = content.toString('latin1');
  return { text, stringType };
}
