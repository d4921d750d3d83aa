/**
 * A growable writer for the TLS presentation language. Length prefixes are reserved before the body
 * and patched after it (`vector8/16/24`), and checked against the prefix width and declared bounds:
 * encoding a value that the peer would have to reject is a local bug, reported as a RangeError.
 */

export class Writer {
  #buf: Uint8Array;
  #len = 0;

  constructor(initialCapacity = 256) {
    if (!Number.isSafeInteger(initialCapacity) || initialCapacity < 1) {
      throw new RangeError(`initialCapacity must be a positive integer, got ${initialCapacity}`);
    }
    this.#buf = new Uint8Array(initialCapacity);
  }

  get length(): number {
    return this.#len;
  }

  #reserve(n: number): number {
    const need = this.#len + n;
    if (need > this.#buf.length) {
      let cap = this.#buf.length * 2;
      while (cap < need) cap *= 2;
      const next = new Uint8Array(cap);
      next.set(this.#buf.subarray(0, this.#len));
      this.#buf = next;
    }
    const at = this.#len;
    this.#len = need;
    return at;
  }

  #checkUint(v: number, max: number, what: string): void {
    if (!Number.isInteger(v) || v < 0 || v > max) throw new RangeError(`${what} out of range: ${v}`);
  }

  u8(v: number): this {
    this.#checkUint(v, 0xff, 'uint8');
    const at = this.#reserve(1);
    this.#buf[at] = v;
    return this;
  }

  u16(v: number): this {
    this.#checkUint(v, 0xffff, 'uint16');
    const i = this.#reserve(2);
    this.#buf[i] = v >>> 8;
    this.#buf[i + 1] = v & 0xff;
    return this;
  }

  u24(v: number): this {
    this.#checkUint(v, 0xffffff, 'uint24');
    const i = this.#reserve(3);
    this.#buf[i] = v >>> 16;
    this.#buf[i + 1] = (v >>> 8) & 0xff;
    this.#buf[i + 2] = v & 0xff;
    return this;
  }

  u32(v: number): this {
    this.#checkUint(v, 0xffffffff, 'uint32');
    const i = this.#reserve(4);
    this.#buf[i] = v >>> 24;
    this.#buf[i + 1] = (v >>> 16) & 0xff;
    this.#buf[i + 2] = (v >>> 8) & 0xff;
    this.#buf[i + 3] = v & 0xff;
    return this;
  }

  u64(v: bigint): this {
    if (typeof v !== 'bigint' || v < 0n || v > 0xffffffffffffffffn) throw new RangeError(`uint64 out of range: ${String(v)}`);
    this.u32(Number(v >> 32n));
    return this.u32(Number(v & 0xffffffffn));
  }

  bytes(b: Uint8Array): this {
    if (!(b instanceof Uint8Array)) throw new TypeError('bytes must be a Uint8Array');
    const at = this.#reserve(b.length); // before reading #buf: reserving may replace it
    this.#buf.set(b, at);
    return this;
  }

  /** opaque data<min..max> with a 1-, 2- or 3-byte length. */
  vec8(b: Uint8Array, min = 0, max = 0xff): this {
    return this.vector8(() => this.bytes(b), min, max);
  }

  vec16(b: Uint8Array, min = 0, max = 0xffff): this {
    return this.vector16(() => this.bytes(b), min, max);
  }

  vec24(b: Uint8Array, min = 0, max = 0xffffff): this {
    return this.vector24(() => this.bytes(b), min, max);
  }

  /** Writes `body`, then patches the 1-byte length before it. */
  vector8(body: (w: this) => void, min = 0, max = 0xff): this {
    return this.#prefixed(1, body, min, Math.min(max, 0xff));
  }

  vector16(body: (w: this) => void, min = 0, max = 0xffff): this {
    return this.#prefixed(2, body, min, Math.min(max, 0xffff));
  }

  vector24(body: (w: this) => void, min = 0, max = 0xffffff): this {
    return this.#prefixed(3, body, min, Math.min(max, 0xffffff));
  }

  #prefixed(width: 1 | 2 | 3, body: (w: this) => void, min: number, max: number): this {
    const at = this.#reserve(width);
    body(this);
    const len = this.#len - at - width;
    if (len < min || len > max) throw new RangeError(`vector length ${len} outside ${min}..${max}`);
    for (let k = width - 1, v = len; k >= 0; k--, v >>>= 8) this.#buf[at + k] = v & 0xff;
    return this;
  }

  /** A copy of what was written, sized exactly. */
  finish(): Uint8Array {
    return this.#buf.slice(0, this.#len);
  }
}
