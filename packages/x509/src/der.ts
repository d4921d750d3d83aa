/**
 * A strict DER view over asn1js. asn1js parses BER (indefinite lengths, long-form short lengths); the
 * certificate rules that matter for safety need DER (X.690 §10), so every node is re-checked here and
 * turned into a small plain `DerNode`. Every failure is an `X509Error` — nothing from asn1js leaks.
 */
import * as asn1js from 'asn1js';
import { X509Error, malformed } from './errors.js';

export const TagClass = { universal: 1, application: 2, context: 3, private: 4 } as const;

export const Tag = {
  boolean: 1,
  integer: 2,
  bitString: 3,
  octetString: 4,
  null: 5,
  oid: 6,
  utf8String: 12,
  sequence: 16,
  set: 17,
  printableString: 19,
  t61String: 20,
  ia5String: 22,
  utcTime: 23,
  generalizedTime: 24,
  universalString: 28,
  bmpString: 30,
} as const;

export interface DerNode {
  readonly tagClass: number;
  readonly tagNumber: number;
  readonly constructed: boolean;
  /** The whole TLV. */
  readonly raw: Uint8Array;
  /** The contents octets. */
  readonly content: Uint8Array;
  readonly children: readonly DerNode[];
}

const MAX_DEPTH = 24;

/** Parses exactly one DER value filling `bytes`; `what` names it in errors. */
export function parseDer(bytes: Uint8Array, what: string): DerNode {
  let result: asn1js.FromBerResult;
  try {
    result = asn1js.fromBER(bytes, { maxDepth: MAX_DEPTH, parseEmbedded: false });
  } catch {
    throw malformed(`${what} is not valid DER`);
  }
  if (result.offset === -1 || result.result.error !== '') throw malformed(`${what} is not valid DER`);
  if (result.offset !== bytes.length) throw malformed(`${what} has trailing data`);
  try {
    return convert(result.result, what, 0);
  } catch (e) {
    // Anything asn1js left in an unexpected shape is malformed input, never a crash.
    if (e instanceof X509Error) throw e;
    throw malformed(`${what} is not valid DER`);
  }
}

function convert(block: asn1js.AsnType, what: string, depth: number): DerNode {
  if (depth > MAX_DEPTH) throw malformed(`${what} is nested too deeply`);
  const b = block as asn1js.BaseBlock;
  const raw = b.valueBeforeDecodeView;
  const id = b.idBlock;
  const len = b.lenBlock;
  if (raw === undefined || id === undefined || len === undefined) throw malformed(`${what} is not valid DER`);
  if (len.isIndefiniteForm) throw malformed(`${what} uses an indefinite length (not DER)`);
  const headerLength = id.blockLength + len.blockLength;
  const content = raw.subarray(headerLength);
  if (content.length !== len.length) throw malformed(`${what} has an inconsistent length`);
  // X.690 §10.1: the shortest length form.
  const firstLen = raw[id.blockLength] ?? 0;
  if (len.length < 128 ? firstLen !== len.length : firstLen !== 0x80 + minimalLengthBytes(len.length)) {
    throw malformed(`${what} uses a non-minimal length (not DER)`);
  }
  if (id.isHexOnly && id.tagNumber === -1) throw malformed(`${what} has an unsupported tag`);
  const children: DerNode[] = [];
  if (id.isConstructed) {
    const value = (b.valueBlock as unknown as { value?: asn1js.AsnType[] }).value ?? [];
    for (const child of value) children.push(convert(child, what, depth + 1));
    let total = 0;
    for (const c of children) total += c.raw.length;
    if (total !== content.length) throw malformed(`${what} has an inconsistent constructed value`);
    // DER forbids constructed encodings of strings (X.690 §10.2).
    if (id.tagClass === TagClass.universal && id.tagNumber !== Tag.sequence && id.tagNumber !== Tag.set) {
      throw malformed(`${what} uses a constructed string (not DER)`);
    }
  }
  return { tagClass: id.tagClass, tagNumber: id.tagNumber, constructed: id.isConstructed, raw, content, children };
}

function minimalLengthBytes(n: number): number {
  let k = 0;
  while (n > 0) {
    k++;
    n = Math.floor(n / 256);
  }
  return k;
}

export function isTag(n: DerNode | undefined, tagNumber: number, tagClass: number = TagClass.universal): n is DerNode {
  return n !== undefined && n.tagNumber === tagNumber && n.tagClass === tagClass;
}

export function expect(n: DerNode | undefined, tagNumber: number, what: string, constructed?: boolean): DerNode {
  if (n === undefined || n.tagClass !== TagClass.universal || n.tagNumber !== tagNumber) {
    throw malformed(`${what}: unexpected or missing element`);
  }
  if (constructed !== undefined && n.constructed !== constructed) throw malformed(`${what}: wrong form`);
  return n;
}

export function expectSequence(n: DerNode | undefined, what: string): readonly DerNode[] {
  return expect(n, Tag.sequence, what, true).children;
}

export function readOid(n: DerNode | undefined, what: string): string {
  const node = expect(n, Tag.oid, what, false);
  const c = node.content;
  if (c.length === 0 || c.length > 64) throw malformed(`${what}: bad OID`);
  const parts: number[] = [];
  let v = 0;
  for (let i = 0; i < c.length; i++) {
    const byte = c[i] ?? 0;
    if (v === 0 && byte === 0x80) throw malformed(`${what}: non-minimal OID arc`);
    v = v * 128 + (byte & 0x7f);
    if (v > Number.MAX_SAFE_INTEGER / 256) throw malformed(`${what}: OID arc too large`);
    if ((byte & 0x80) === 0) {
      parts.push(v);
      v = 0;
    } else if (i === c.length - 1) {
      throw malformed(`${what}: truncated OID`);
    }
  }
  const first = parts[0] ?? 0;
  const head = first < 40 ? [0, first] : first < 80 ? [1, first - 40] : [2, first - 80];
  return [...head, ...parts.slice(1)].join('.');
}

/** A DER INTEGER's contents, checked minimal (X.690 §8.3.2). */
export function readIntegerBytes(n: DerNode | undefined, what: string): Uint8Array {
  const node = expect(n, Tag.integer, what, false);
  const c = node.content;
  if (c.length === 0) throw malformed(`${what}: empty INTEGER`);
  if (c.length > 1 && ((c[0] === 0 && ((c[1] ?? 0) & 0x80) === 0) || (c[0] === 0xff && ((c[1] ?? 0) & 0x80) !== 0))) {
    throw malformed(`${what}: non-minimal INTEGER`);
  }
  return c;
}

/** A small non-negative INTEGER (versions, path lengths). */
export function readSmallInteger(n: DerNode | undefined, what: string): number {
  const c = readIntegerBytes(n, what);
  if (((c[0] ?? 0) & 0x80) !== 0 || c.length > 4) throw malformed(`${what}: INTEGER out of range`);
  let v = 0;
  for (const b of c) v = v * 256 + b;
  return v;
}

export function readBoolean(n: DerNode | undefined, what: string): boolean {
  const node = expect(n, Tag.boolean, what, false);
  // X.690 §11.1: DER TRUE is 0xFF.
  if (node.content.length !== 1 || (node.content[0] !== 0 && node.content[0] !== 0xff)) throw malformed(`${what}: bad BOOLEAN`);
  return node.content[0] === 0xff;
}

/** BIT STRING contents: the bits and the count of unused bits in the last byte. */
export function readBitString(n: DerNode | undefined, what: string): { bytes: Uint8Array; unusedBits: number } {
  const node = expect(n, Tag.bitString, what, false);
  const c = node.content;
  const unusedBits = c[0];
  if (unusedBits === undefined || unusedBits > 7 || (c.length === 1 && unusedBits !== 0)) throw malformed(`${what}: bad BIT STRING`);
  const bytes = c.subarray(1);
  // DER: unused bits are zero (X.690 §11.2.1).
  const last = bytes[bytes.length - 1];
  if (last !== undefined && (last & ((1 << unusedBits) - 1)) !== 0) throw malformed(`${what}: BIT STRING padding is not zero`);
  return { bytes, unusedBits };
}

export function readOctetString(n: DerNode | undefined, what: string): Uint8Array {
  return expect(n, Tag.octetString, what, false).content;
}

const decoderUtf8 = new TextDecoder('utf-8', { fatal: true });

/** Bytes as Latin-1 code points, without spreading a peer-sized array into a call. */
export function latin1(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i += 4096) s += String.fromCharCode(...bytes.subarray(i, i + 4096));
  return s;
}

/** A directory string or IA5String as text; invalid encodings are malformed. */
export function readString(n: DerNode, what: string): string {
  if (n.tagClass !== TagClass.universal || n.constructed) throw malformed(`${what}: not a string`);
  const c = n.content;
  try {
    switch (n.tagNumber) {
      case Tag.utf8String:
        return decoderUtf8.decode(c);
      case Tag.printableString:
      case Tag.ia5String:
      case Tag.t61String:
        // T61 is treated as Latin-1, as most implementations do.
        for (const b of c) if (n.tagNumber !== Tag.t61String && b > 0x7f) throw malformed(`${what}: non-ASCII string`);
        return latin1(c);
      case Tag.bmpString: {
        if (c.length % 2 !== 0) throw malformed(`${what}: bad BMPString`);
        let s = '';
        for (let i = 0; i < c.length; i += 2) s += String.fromCharCode(((c[i] ?? 0) << 8) | (c[i + 1] ?? 0));
        return s;
      }
      case Tag.universalString: {
        if (c.length % 4 !== 0) throw malformed(`${what}: bad UniversalString`);
        let s = '';
        for (let i = 0; i < c.length; i += 4) {
          const cp = (((c[i] ?? 0) << 24) | ((c[i + 1] ?? 0) << 16) | ((c[i + 2] ?? 0) << 8) | (c[i + 3] ?? 0)) >>> 0;
          if (cp > 0x10ffff) throw malformed(`${what}: bad UniversalString`);
          s += String.fromCodePoint(cp);
        }
        return s;
      }
      default:
        throw malformed(`${what}: unsupported string type`);
    }
  } catch (e) {
    if (e instanceof X509Error) throw e;
    throw malformed(`${what}: invalid string encoding`);
  }
}

export function toHex(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += b.toString(16).padStart(2, '0');
  return s;
}
