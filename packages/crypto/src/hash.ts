/**
 * SHA-2 (FIPS 180-4), HMAC (RFC 2104) and HKDF (RFC 5869) for the noble provider, on @noble/hashes.
 * Only the hashes of the TLS 1.3 suites and signature schemes: SHA-256, SHA-384, SHA-512.
 * No SHA-1/MD5, and no streaming HMAC (TLS needs none).
 */
import { expand, extract } from '@noble/hashes/hkdf.js';
import { hmac as nobleHmac } from '@noble/hashes/hmac.js';
import { sha256, sha384, sha512 } from '@noble/hashes/sha2.js';
import type { HashContext, HashFunction, HashName } from './types.js';

type NobleHash = typeof sha256 | typeof sha384 | typeof sha512;
type NobleContext = ReturnType<NobleHash['create']>;

const NOBLE: Readonly<Record<HashName, NobleHash>> = { 'SHA-256': sha256, 'SHA-384': sha384, 'SHA-512': sha512 };

function bytes(value: unknown, name: string): Uint8Array {
  if (!(value instanceof Uint8Array)) throw new TypeError(`${name} must be a Uint8Array`);
  return value;
}

function nobleOf(name: HashName): NobleHash {
  // Own-property lookup: a name like "constructor" or "toString" must not resolve.
  const h = Object.hasOwn(NOBLE, name) ? NOBLE[name] : undefined;
  if (h === undefined) throw new RangeError(`unsupported hash: ${String(name)}`);
  return h;
}

class NobleHashContext implements HashContext {
  readonly #ctx: NobleContext;
  constructor(ctx: NobleContext) {
    this.#ctx = ctx;
  }
  update(data: Uint8Array): HashContext {
    this.#ctx.update(bytes(data, 'data'));
    return this;
  }
  digest(): Uint8Array {
    return this.#ctx.digest();
  }
  clone(): HashContext {
    return new NobleHashContext(this.#ctx.clone());
  }
}

const cache = new Map<HashName, HashFunction>();

export function nobleHash(name: HashName): HashFunction {
  let fn = cache.get(name);
  if (fn !== undefined) return fn;
  const h = nobleOf(name);
  fn = Object.freeze({
    name,
    outputLength: h.outputLen,
    blockLength: h.blockLen,
    digest: (data: Uint8Array) => h(bytes(data, 'data')),
    create: (): HashContext => new NobleHashContext(h.create()),
  });
  cache.set(name, fn);
  return fn;
}

export function hmac(hash: HashName, key: Uint8Array, data: Uint8Array): Uint8Array {
  return nobleHmac(nobleOf(hash), bytes(key, 'key'), bytes(data, 'data'));
}

/** RFC 5869 §2.2. An empty salt stands for HashLen zero bytes (the same HMAC key once padded). */
export function hkdfExtract(hash: HashName, salt: Uint8Array, ikm: Uint8Array): Uint8Array {
  const h = nobleOf(hash);
  bytes(salt, 'salt');
  return extract(h, bytes(ikm, 'ikm'), salt.length === 0 ? new Uint8Array(h.outputLen) : salt);
}

/** RFC 5869 §2.3: L <= 255 * HashLen, and PRK of at least HashLen bytes. */
export function hkdfExpand(hash: HashName, prk: Uint8Array, info: Uint8Array, length: number): Uint8Array {
  const h = nobleOf(hash);
  bytes(prk, 'prk');
  bytes(info, 'info');
  if (!Number.isSafeInteger(length) || length < 0 || length > 255 * h.outputLen) {
    throw new RangeError(`length must be an integer in 0..${255 * h.outputLen} for ${hash}, got ${length}`);
  }
  if (prk.length < h.outputLen) throw new RangeError(`prk must be at least ${h.outputLen} bytes for ${hash}, got ${prk.length}`);
  return expand(h, prk, info, length);
}
