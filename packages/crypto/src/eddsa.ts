/**
 * Pure Ed25519 and Ed448 (RFC 8032 §5.1, §5.2) on @noble/curves, as TLS 1.3 uses them (no
 * context, no prehash; RFC 8446 §4.2.3). Verification is strict RFC 8032 rather than ZIP-215:
 * canonical point encodings only and S < L (§5.1.7 step 1, §5.2.7 step 1); noble's strict mode
 * also refuses small-order public keys. Returns false on any malformed input, never throws.
 */
import { ed25519 } from '@noble/curves/ed25519.js';
import { ed448 } from '@noble/curves/ed448.js';
import type { EdDSA } from '@noble/curves/abstract/edwards.js';

interface EdCurve {
  readonly name: 'Ed25519' | 'Ed448';
  readonly impl: EdDSA;
  /** Bytes of a seed, a public key and each half of a signature: 32 / 57. */
  readonly size: number;
  /** Order of the base point, L. */
  readonly L: bigint;
}

const ED25519: EdCurve = { name: 'Ed25519', impl: ed25519, size: 32, L: ed25519.Point.Fn.ORDER };
const ED448: EdCurve = { name: 'Ed448', impl: ed448, size: 57, L: ed448.Point.Fn.ORDER };

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
    if (littleEndian(signature.subarray(c.size)) >= c.L) return false;
    return c.impl.verify(signature, message, key, { zip215: false });
  } catch {
    return false;
  }
}

/** True when `key` is a canonical encoding of a curve point (RFC 8032 §5.1.3 / §5.2.3). */
function isValidPoint(c: EdCurve, key: Uint8Array): boolean {
  try {
    c.impl.Point.fromBytes(key, false);
    return true;
  } catch {
    return false;
  }
}

export const ed25519Sign = (seed: Uint8Array, message: Uint8Array): Uint8Array => sign(ED25519, seed, message);
export const ed25519Verify = (key: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean =>
  verify(ED25519, key, message, signature);
export const ed25519PublicKey = (seed: Uint8Array): Uint8Array => publicKey(ED25519, seed);
export const ed25519IsValidPoint = (key: Uint8Array): boolean => isValidPoint(ED25519, key);

export const ed448Sign = (seed: Uint8Array, message: Uint8Array): Uint8Array => sign(ED448, seed, message);
export const ed448Verify = (key: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean =>
  verify(ED448, key, message, signature);
export const ed448PublicKey = (seed: Uint8Array): Uint8Array => publicKey(ED448, seed);
export const ed448IsValidPoint = (key: Uint8Array): boolean => isValidPoint(ED448, key);
