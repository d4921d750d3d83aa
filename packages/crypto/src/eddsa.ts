/**
 * Pure Ed25519 and Ed448 (RFC 8032 §5.1, §5.2) on @noble/curves, as TLS 1.3 uses them (no
 * context, no prehash; RFC 8446 §4.2.3). Verification is strict RFC 8032 rather than ZIP-215:
 * canonical point encodings only and S < L (§5.1.7 step 1, §5.2.7 step 1); noble's strict mode
 * also refuses small-order public keys. Returns false on any malformed input, never throws.
 * The curve comes from family-25519.ts / family-448.ts, so neither is loaded before it is needed.
 *
 * RFC 8032 allows the cofactored or the cofactorless equation. Ed25519 checks the cofactorless one,
 * [S]B = R + [k]A exactly, as OpenSSL does: with noble's cofactored check, a signature whose R has a
 * small-order part, or a key with one, verified here and failed on the node:crypto provider, so the
 * outcome of a handshake depended on the provider. OpenSSL's Ed448 is cofactored, like noble's.
 */
import type { EdDSA } from '@noble/curves/abstract/edwards.js';
import { sha512 } from '@noble/hashes/sha2.js';

export interface EdCurve {
  readonly name: 'Ed25519' | 'Ed448';
  readonly impl: EdDSA;
  /** Bytes of a seed, a public key and each half of a signature: 32 / 57. */
  readonly size: number;
  /** Order of the base point, L. */
  readonly L: bigint;
}

/** The EdCurve of a noble EdDSA instance. */
export function edCurve(name: 'Ed25519' | 'Ed448', impl: EdDSA, size: number): EdCurve {
  return Object.freeze({ name, impl, size, L: impl.Point.Fn.ORDER });
}

function littleEndian(bytes: Uint8Array): bigint {
  let n = 0n;
  for (let i = bytes.length - 1; i >= 0; i--) n = (n << 8n) | BigInt(bytes[i] as number);
  return n;
}

function assertSeed(c: EdCurve, seed: unknown): asserts seed is Uint8Array {
  if (!(seed instanceof Uint8Array)) throw new TypeError('key.seed must be a Uint8Array');
  if (seed.length !== c.size) throw new RangeError(`key.seed must be ${c.size} bytes for ${c.name}, got ${seed.length}`);
}

function sign(c: EdCurve, seed: Uint8Array, message: Uint8Array): Uint8Array {
  assertSeed(c, seed);
  return c.impl.sign(message, seed);
}

function publicKey(c: EdCurve, seed: Uint8Array): Uint8Array {
  assertSeed(c, seed);
  return c.impl.getPublicKey(seed);
}

function verify(c: EdCurve, key: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean {
  try {
    if (key.length !== c.size || signature.length !== 2 * c.size) return false;
    // RFC 8032 §5.1.7 / §5.2.7 step 1: reject S >= L (signature malleability).
    const S = littleEndian(signature.subarray(c.size));
    if (S >= c.L) return false;
    if (c.name === 'Ed25519') return verifyCofactorless(c, key, message, signature, S);
    return c.impl.verify(signature, message, key, { zip215: false });
  } catch {
    return false;
  }
}

/**
 * RFC 8032 §5.1.7 with the cofactorless equation: A and R canonical (y < p), A not of small order
 * (as noble's strict mode), k = SHA-512(R || A || M) mod L, and [S]B = R + [k]A. Public data only:
 * the variable-time multiplications are fine.
 */
function verifyCofactorless(c: EdCurve, key: Uint8Array, message: Uint8Array, signature: Uint8Array, S: bigint): boolean {
  const P = c.impl.Point;
  const A = P.fromBytes(key, false);
  const R = P.fromBytes(signature.subarray(0, c.size), false);
  if (A.isSmallOrder()) return false;
  const h = new Uint8Array(2 * c.size + message.length);
  h.set(signature.subarray(0, c.size));
  h.set(key, c.size);
  h.set(message, 2 * c.size);
  const k = littleEndian(sha512(h)) % c.L;
  return P.BASE.multiplyUnsafe(S).equals(R.add(A.multiplyUnsafe(k)));
}

/** Sign, verify and public key of one curve, with the checks above. */
export function edFunctions(c: EdCurve): {
  sign(seed: Uint8Array, message: Uint8Array): Uint8Array;
  verify(key: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean;
  publicKey(seed: Uint8Array): Uint8Array;
} {
  return {
    sign: (seed, message) => sign(c, seed, message),
    verify: (key, message, signature) => verify(c, key, message, signature),
    publicKey: (seed) => publicKey(c, seed),
  };
}
