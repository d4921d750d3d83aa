/**
 * SHA-2 (FIPS 180-4), HMAC (RFC 2104) and HKDF (RFC 5869) on node:crypto, with the argument checks
 * and errors of the noble provider's hash.ts: only SHA-256/384/512, a RangeError for any other name.
 */
import { createHash, createHmac, type Hash } from 'node:crypto';
import type { HashContext, HashFunction, HashName } from '@puretls/crypto';

interface HashInfo {
  readonly node: string;
  readonly outputLength: number;
  readonly blockLength: number;
}

const HASHES: Readonly<Record<HashName, HashInfo>> = {
  'SHA-256': { node: 'sha256', outputLength: 32, blockLength: 64 },
  'SHA-384': { node: 'sha384', outputLength: 48, blockLength: 128 },
  'SHA-512': { node: 'sha512', outputLength: 64, blockLength: 128 },
};

export function bytes(value: unknown, name: string): Uint8Array {
  if (!(value instanceof Uint8Array)) throw new TypeError(`${name} must be a Uint8Array`);
  return value;
}

/** A Buffer result as a plain Uint8Array over the same memory (no copy). */
export const plain = (b: Buffer): Uint8Array => new Uint8Array(b.buffer, b.byteOffset, b.byteLength);

export function hashInfo(name: HashName): HashInfo {
  // Own-property lookup: "constructor" or "toString" must not resolve.
  const h = Object.hasOwn(HASHES, name) ? HASHES[name] : undefined;
  if (h === undefined) throw new RangeError(`unsupported hash: ${String(name)}`);
  return h;
}

class NodeHashContext implements HashContext {
  readonly #ctx: Hash;
  constructor(ctx: Hash) {
    this.#ctx = ctx;
  }
  update(data: Uint8Array): HashContext {
    this.#ctx.update(bytes(data, 'data'));
    return this;
  }
  digest(): Uint8Array {
    return plain(this.#ctx.digest());
  }
  clone(): HashContext {
    return new NodeHashContext(this.#ctx.copy());
  }
}

const cache = new Map<HashName, HashFunction>();

export function nodeHash(name: HashName): HashFunction {
  let fn = cache.get(name);
  if (fn !== undefined) return fn;
  const h = hashInfo(name);
  fn = Object.freeze({
    name,
    outputLength: h.outputLength,
    blockLength: h.blockLength,
    digest: (data: Uint8Array) => plain(createHash(h.node).update(bytes(data, 'data')).digest()),
    create: (): HashContext => new NodeHashContext(createHash(h.node)),
  });
  cache.set(name, fn);
  return fn;
}

export function nodeHmac(hash: HashName, key: Uint8Array, data: Uint8Array): Uint8Array {
  const h = hashInfo(hash);
  bytes(key, 'key');
  return plain(createHmac(h.node, key).update(bytes(data, 'data')).digest());
}

/** RFC 5869 §2.2. An empty salt stands for HashLen zero bytes (the same HMAC key once padded). */
export function nodeHkdfExtract(hash: HashName, salt: Uint8Array, ikm: Uint8Array): Uint8Array {
  const h = hashInfo(hash);
  bytes(salt, 'salt');
  bytes(ikm, 'ikm');
  return plain(createHmac(h.node, salt.length === 0 ? new Uint8Array(h.outputLength) : salt).update(ikm).digest());
}

/** RFC 5869 §2.3: T(i) = HMAC(PRK, T(i-1) | info | i); L <= 255 * HashLen, PRK at least HashLen bytes. */
export function nodeHkdfExpand(hash: HashName, prk: Uint8Array, info: Uint8Array, length: number): Uint8Array {
  const h = hashInfo(hash);
  bytes(prk, 'prk');
  bytes(info, 'info');
  if (!Number.isSafeInteger(length) || length < 0 || length > 255 * h.outputLength) {
    throw new RangeError(`length must be an integer in 0..${255 * h.outputLength} for ${hash}, got ${length}`);
  }
  if (prk.length < h.outputLength) throw new RangeError(`prk must be at least ${h.outputLength} bytes for ${hash}, got ${prk.length}`);
  if (length <= h.outputLength) {
    // One block, all TLS 1.3 asks for: T(1) = HMAC(PRK, info | 0x01) in one native update.
    const input = new Uint8Array(info.length + 1);
    input.set(info);
    input[info.length] = 1;
    const t = plain(createHmac(h.node, prk).update(input).digest());
    return length === t.length ? t : t.slice(0, length);
  }
  const out = new Uint8Array(length);
  let t: Uint8Array = new Uint8Array(0);
  const counter = new Uint8Array(1);
  for (let i = 0, pos = 0; pos < length; i++) {
    counter[0] = i + 1;
    t = createHmac(h.node, prk).update(t).update(info).update(counter).digest();
    out.set(t.subarray(0, Math.min(t.length, length - pos)), pos);
    pos += t.length;
  }
  return out;
}
