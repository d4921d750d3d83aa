/**
 * A bounds-checked reader over a `Uint8Array` for the TLS presentation language (RFC 8446 §3).
 * Every read past the end, or a vector outside its declared bounds, throws `DecodeError` — never a
 * typed-array RangeError, never a silent truncation. Reads of opaque data return subarray views.
 */
import { DecodeError } from './errors.js';

export class Reader {
  readonly #bytes: Uint8Array;
  #offset: number;
  readonly #end: number;

  constructor(bytes: Uint8Array, offset = 0, end = bytes.length) {
    if (!(bytes instanceof Uint8Array)) throw new TypeError('bytes must be a Uint8Array');
    if (!Number.isSafeInteger(offset) || !Number.isSafeInteger(end) || offset < 0 || end < offset || end > bytes.length) {
      throw new RangeError(`offset/end out of range: ${offset}..${end} of ${bytes.length}`);
    }
    this.#bytes = bytes;
    this.#offset = offset;
    this.#end = end;
  }

  /** Bytes left to read. */
  get remaining(): number {
    return this.#end - this.#offset;
  }

  /** Position relative to the start of the underlying array. */
  get offset(): number {
    return this.#offset;
  }

  get atEnd(): boolean {
    return this.#offset === this.#end;
  }

  #take(n: number, what: string): number {
    if (n > this.#end - this.#offset) {
      throw new DecodeError(`truncated ${what}: need ${n} byte(s), ${this.#end - this.#offset} left`);
    }
    const at = this.#offset;
    this.#offset += n;
    return at;
  }

  u8(): number {
    return this.#bytes[this.#take(1, 'uint8')] as number;
  }

  u16(): number {
    const i = this.#take(2, 'uint16');
    return ((this.#bytes[i] as number) << 8) | (this.#bytes[i + 1] as number);
  }

  u24(): number {
    const i = this.#take(3, 'uint24');
    const b = this.#bytes;
    return ((b[i] as number) << 16) | ((b[i + 1] as number) << 8) | (b[i + 2] as number);
  }

  u32(): number {
    const i = this.#take(4, 'uint32');
    const b = this.#bytes;
    return ((b[i] as number) * 0x1000000 + (((b[i + 1] as number) << 16) | ((b[i + 2] as number) << 8) | (b[i + 3] as number))) >>> 0;
  }

  /** A 64-bit unsigned integer as bigint (DTLS sequence numbers, ticket ages need only u32). */
  u64(): bigint {
    const hi = this.u32();
    const lo = this.u32();
    return (BigInt(hi) << 32n) | BigInt(lo);
  }

  /** `n` bytes as a view into the input. */
  bytes(n: number): Uint8Array {
    if (!Number.isSafeInteger(n) || n < 0) throw new RangeError(`n must be a non-negative integer, got ${n}`);
    const i = this.#take(n, 'opaque field');
    return this.#bytes.subarray(i, i + n);
  }

  /** The rest of the input as a view. */
  rest(): Uint8Array {
    return this.bytes(this.remaining);
  }

  #length(prefixBytes: 1 | 2 | 3, min: number, max: number, what: string): number {
    const len = prefixBytes === 1 ? this.u8() : prefixBytes === 2 ? this.u16() : this.u24();
    if (len < min || len > max) throw new DecodeError(`${what} length ${len} outside ${min}..${max}`);
    if (len > this.remaining) throw new DecodeError(`truncated ${what}: length ${len}, ${this.remaining} left`);
    return len;
  }

  /** opaque data<min..max> with a 1-byte length. */
  vec8(min = 0, max = 0xff): Uint8Array {
    return this.bytes(this.#length(1, min, max, 'vector<..2^8-1>'));
  }

  /** opaque data<min..max> with a 2-byte length. */
  vec16(min = 0, max = 0xffff): Uint8Array {
    return this.bytes(this.#length(2, min, max, 'vector<..2^16-1>'));
  }

  /** opaque data<min..max> with a 3-byte length. */
  vec24(min = 0, max = 0xffffff): Uint8Array {
    return this.bytes(this.#length(3, min, max, 'vector<..2^24-1>'));
  }

  /** A sub-reader over a length-prefixed body; the caller must consume it (`end()`), see `nested`. */
  sub8(min = 0, max = 0xff): Reader {
    return this.#sub(this.#length(1, min, max, 'vector<..2^8-1>'));
  }

  sub16(min = 0, max = 0xffff): Reader {
    return this.#sub(this.#length(2, min, max, 'vector<..2^16-1>'));
  }

  sub24(min = 0, max = 0xffffff): Reader {
    return this.#sub(this.#length(3, min, max, 'vector<..2^24-1>'));
  }

  #sub(len: number): Reader {
    const start = this.#take(len, 'vector');
    return new Reader(this.#bytes, start, start + len);
  }

  /** Fails unless every byte was consumed: a length-prefixed field must be read exactly. */
  end(what = 'structure'): void {
    if (this.#offset !== this.#end) throw new DecodeError(`${this.#end - this.#offset} trailing byte(s) after ${what}`);
  }

  /**
   * Reads a length-prefixed body with `parse` and requires that it consumes the body fully.
   * `prefixBytes` is the width of the length field.
   */
  nested<T>(prefixBytes: 1 | 2 | 3, min: number, max: number, parse: (r: Reader) => T, what = 'vector'): T {
    const sub = prefixBytes === 1 ? this.sub8(min, max) : prefixBytes === 2 ? this.sub16(min, max) : this.sub24(min, max);
    const value = parse(sub);
    sub.end(what);
    return value;
  }

  /** Reads items until the reader is exhausted (the body of a vector of structs). */
  list<T>(parse: (r: Reader) => T): T[] {
    const out: T[] = [];
    while (!this.atEnd) out.push(parse(this));
    return out;
  }
}
