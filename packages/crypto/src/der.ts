/**
 * A minimal, strict DER (X.690 §10) reader and writer for key encodings: SEQUENCE, INTEGER,
 * BIT STRING, OCTET STRING, OBJECT IDENTIFIER, NULL and context-specific tags. Only single-byte
 * tags, definite minimal lengths and minimal INTEGERs are accepted; every length is checked
 * against the enclosing bound. Not a general ASN.1 library: no SET OF sorting, no strings, no time.
 * Every failure is a `CryptoError('INVALID_KEY_ENCODING')`.
 */
import { CryptoError } from './errors.js';

export const DerTag = {
  INTEGER: 0x02,
  BIT_STRING: 0x03,
  OCTET_STRING: 0x04,
  NULL: 0x05,
  OID: 0x06,
  SEQUENCE: 0x30,
} as const;

/** A context-specific tag `[n]`, constructed (EXPLICIT or IMPLICIT SEQUENCE) or primitive. */
export function contextTag(n: number, constructed: boolean): number {
  if (!Number.isInteger(n) || n < 0 || n > 30) throw new RangeError(`context tag number must be 0..30, got ${n}`);
  return 0x80 | (constructed ? 0x20 : 0) | n;
}

function bad(message: string): CryptoError {
  return new CryptoError('INVALID_KEY_ENCODING', `DER: ${message}`);
}

export interface DerElement {
  readonly tag: number;
  readonly value: Uint8Array;
  /** The whole TLV, for callers that compare or re-emit it. */
  readonly raw: Uint8Array;
}

/** Reads consecutive TLVs from `bytes[start, end)`; never reads outside that window. */
export class DerReader {
  private pos: number;
  private readonly end: number;

  constructor(
    private readonly bytes: Uint8Array,
    start = 0,
    end = bytes.length,
  ) {
    this.pos = start;
    this.end = end;
  }

  get done(): boolean {
    return this.pos >= this.end;
  }

  /** The tag of the next element, or undefined at the end. */
  peekTag(): number | undefined {
    return this.pos < this.end ? this.bytes[this.pos] : undefined;
  }

  /** X.690 §8.1.2–8.1.3 with the DER restrictions of §10.1. */
  readElement(): DerElement {
    const start = this.pos;
    if (this.end - start < 2) throw bad('truncated element');
    const tag = this.bytes[start] as number;
    // High-tag-number form (§8.1.2.4) is never needed for key structures.
    if ((tag & 0x1f) === 0x1f) throw bad('high tag numbers are not supported');
    let p = start + 1;
    const first = this.bytes[p++] as number;
    let length: number;
    if (first < 0x80) {
      length = first;
    } else {
      const n = first & 0x7f;
      // 0x80 is the indefinite form (BER only, §10.1); 0xff is reserved (§8.1.3.5).
      if (n === 0) throw bad('indefinite length');
      if (n > 4) throw bad('length too large');
      if (this.end - p < n) throw bad('truncated length');
      length = 0;
      for (let i = 0; i < n; i++) length = length * 256 + (this.bytes[p + i] as number);
      p += n;
      // §10.1: the length must be in the fewest octets: no leading zero, and long form only for >= 128.
      if (this.bytes[p - n] === 0 || length < 0x80) throw bad('non-minimal length');
    }
    if (length > this.end - p) throw bad('length exceeds the enclosing data');
    this.pos = p + length;
    return { tag, value: this.bytes.subarray(p, p + length), raw: this.bytes.subarray(start, p + length) };
  }

  /** The next element's content; it must carry `tag`. */
  expect(tag: number, what: string): Uint8Array {
    const t = this.peekTag();
    if (t !== tag) throw bad(`expected ${what}, got ${t === undefined ? 'end of data' : `tag 0x${t.toString(16)}`}`);
    return this.readElement().value;
  }

  /** Reads `tag` only if it is the next element. */
  optional(tag: number): Uint8Array | undefined {
    return this.peekTag() === tag ? this.readElement().value : undefined;
  }

  sequence(): DerReader {
    return DerReader.over(this.expect(DerTag.SEQUENCE, 'SEQUENCE'));
  }

  /** A constructed context-specific `[n]` (EXPLICIT), if present. */
  optionalExplicit(n: number): DerReader | undefined {
    const v = this.optional(contextTag(n, true));
    return v === undefined ? undefined : DerReader.over(v);
  }

  /** INTEGER as a signed bigint (X.690 §8.3), minimal two's complement. */
  integer(): bigint {
    const v = this.expect(DerTag.INTEGER, 'INTEGER');
    return decodeInteger(v);
  }

  /** An INTEGER that must be >= 0. */
  unsignedInteger(): bigint {
    const n = this.integer();
    if (n < 0n) throw bad('negative INTEGER');
    return n;
  }

  /** A small non-negative INTEGER such as a version number. */
  smallInteger(): number {
    const n = this.unsignedInteger();
    if (n > 0xffffn) throw bad('INTEGER out of range');
    return Number(n);
  }

  /** BIT STRING content with no unused bits (§8.6.2; DER §11.2: unused bits are zero). */
  bitString(): Uint8Array {
    return decodeBitString(this.expect(DerTag.BIT_STRING, 'BIT STRING'));
  }

  octetString(): Uint8Array {
    return this.expect(DerTag.OCTET_STRING, 'OCTET STRING');
  }

  null(): void {
    if (this.expect(DerTag.NULL, 'NULL').length !== 0) throw bad('NULL with content');
  }

  oid(): string {
    return decodeOid(this.expect(DerTag.OID, 'OBJECT IDENTIFIER'));
  }

  /** Fails unless every byte of the window was consumed. */
  finish(what: string): void {
    if (this.pos !== this.end) throw bad(`trailing data after ${what}`);
  }

  static over(bytes: Uint8Array): DerReader {
    return new DerReader(bytes, 0, bytes.length);
  }
}

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

export function decodeInteger(v: Uint8Array): bigint {
  if (v.length === 0) throw bad('empty INTEGER');
  // §8.3.2: the first nine bits must not be all zero or all one.
  if (v.length > 1) {
    const b0 = v[0] as number;
    const b1 = v[1] as number;
    if ((b0 === 0x00 && (b1 & 0x80) === 0) || (b0 === 0xff && (b1 & 0x80) !== 0)) throw bad('non-minimal INTEGER');
  }
  // One hex parse, not a shift per byte: that is quadratic, ≈ 1 ms for an RSA-16384 modulus.
  let hex = '';
  for (const b of v) hex += HEX[b] as string;
  let n = BigInt(`0x${hex}`);
  if (((v[0] as number) & 0x80) !== 0) n -= 1n << BigInt(8 * v.length);
  return n;
}

export function decodeBitString(v: Uint8Array): Uint8Array {
  if (v.length === 0) throw bad('empty BIT STRING');
  if (v[0] !== 0) throw bad('BIT STRING with unused bits');
  return v.subarray(1);
}

/** Longer OIDs are refused before any arithmetic (as the x509 package does): none we know is near it. */
const MAX_OID_BYTES = 64;

/** X.690 §8.19; subidentifiers are minimal base-128. */
export function decodeOid(v: Uint8Array): string {
  if (v.length === 0) throw bad('empty OBJECT IDENTIFIER');
  // A peer's certificate carries these (curve, PSS hash): an arc of thousands of bytes would cost a
  // bigint shift per byte, quadratic.
  if (v.length > MAX_OID_BYTES) throw bad(`OBJECT IDENTIFIER of ${v.length} bytes`);
  if (((v[v.length - 1] as number) & 0x80) !== 0) throw bad('truncated OBJECT IDENTIFIER');
  const arcs: bigint[] = [];
  let cur = 0n;
  let startOfArc = true;
  for (const b of v) {
    if (startOfArc && b === 0x80) throw bad('non-minimal OBJECT IDENTIFIER arc');
    cur = (cur << 7n) | BigInt(b & 0x7f);
    startOfArc = (b & 0x80) === 0;
    if (startOfArc) {
      arcs.push(cur);
      cur = 0n;
    }
  }
  const first = arcs[0] as bigint;
  const head = first < 40n ? [0n, first] : first < 80n ? [1n, first - 40n] : [2n, first - 80n];
  return [...head, ...arcs.slice(1)].join('.');
}

// --- writer ---------------------------------------------------------------------------------

function encodeLength(n: number): Uint8Array {
  if (n < 0x80) return Uint8Array.of(n);
  const bytes: number[] = [];
  for (let x = n; x > 0; x = Math.floor(x / 256)) bytes.unshift(x & 0xff);
  return Uint8Array.of(0x80 | bytes.length, ...bytes);
}

export function derElement(tag: number, ...content: Uint8Array[]): Uint8Array {
  let len = 0;
  for (const c of content) len += c.length;
  const l = encodeLength(len);
  const out = new Uint8Array(1 + l.length + len);
  out[0] = tag;
  out.set(l, 1);
  let p = 1 + l.length;
  for (const c of content) {
    out.set(c, p);
    p += c.length;
  }
  return out;
}

export const derSequence = (...content: Uint8Array[]): Uint8Array => derElement(DerTag.SEQUENCE, ...content);
export const derOctetString = (bytes: Uint8Array): Uint8Array => derElement(DerTag.OCTET_STRING, bytes);
export const derBitString = (bytes: Uint8Array): Uint8Array => derElement(DerTag.BIT_STRING, Uint8Array.of(0), bytes);
export const derNull = (): Uint8Array => Uint8Array.of(DerTag.NULL, 0);
export const derExplicit = (n: number, ...content: Uint8Array[]): Uint8Array => derElement(contextTag(n, true), ...content);

/** A non-negative INTEGER in minimal form (a 0x00 pad when the top bit is set). */
export function derInteger(n: bigint): Uint8Array {
  if (n < 0n) throw new RangeError('derInteger: negative integers are not needed here');
  const bytes: number[] = [];
  for (let x = n; x > 0n; x >>= 8n) bytes.unshift(Number(x & 0xffn));
  if (bytes.length === 0 || ((bytes[0] as number) & 0x80) !== 0) bytes.unshift(0);
  return derElement(DerTag.INTEGER, Uint8Array.from(bytes));
}

export function derOid(dotted: string): Uint8Array {
  const parts = dotted.split('.').map((s) => {
    if (!/^\d+$/.test(s)) throw new RangeError(`derOid: bad arc in ${dotted}`);
    return BigInt(s);
  });
  const [a, b, ...rest] = parts;
  if (a === undefined || b === undefined || a > 2n || (a < 2n && b >= 40n)) throw new RangeError(`derOid: bad OID ${dotted}`);
  const out: number[] = [];
  for (const arc of [a * 40n + b, ...rest]) {
    const group: number[] = [Number(arc & 0x7fn)];
    for (let x = arc >> 7n; x > 0n; x >>= 7n) group.unshift(Number(x & 0x7fn) | 0x80);
    out.push(...group);
  }
  return derElement(DerTag.OID, Uint8Array.from(out));
}
