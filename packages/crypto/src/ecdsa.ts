/**
 * ECDSA over P-256, P-384 and P-521 (FIPS 186-5 §6, SEC 1 §4.1) on @noble/curves, with the
 * NIST curve table shared by key exchange and key encodings. Any curve goes with any of SHA-256/384/512:
 * the message is hashed here and noble gets the digest (prehash: false).
 *
 * Signing is RFC 6979 deterministic with hedging (§3.6 extra entropy from the provider's random).
 * Verification accepts high-S signatures (TLS peers do not normalise S), parses DER strictly
 * (X.690 §10: no BER, no trailing bytes, minimal positive INTEGERs) and needs 1 <= r, s < n.
 * It returns false on any malformed input and never throws.
 */
import type { ECDSA, WeierstrassPoint } from '@noble/curves/abstract/weierstrass.js';
import { p256, p384, p521 } from '@noble/curves/nist.js';
import { sha256, sha384, sha512 } from '@noble/hashes/sha2.js';
import { assertEcPrivateScalar } from './curve-params.js';
import { derInteger, derSequence } from './der.js';
import { bigIntToBytes, bytesToBigInt, signatureToCompact } from './ecdsa-encoding.js';
export { bigIntToBytes, bytesToBigInt, signatureToCompact } from './ecdsa-encoding.js';
import { CryptoError } from './errors.js';
import { randomBytesFrom } from './random.js';
import type { EcCurve, HashName, RandomSource } from './types.js';

export interface EcCurveInfo {
  readonly name: EcCurve;
  readonly ecdsa: ECDSA;
  /** Order of the base point. */
  readonly n: bigint;
  /** Bytes of a scalar (private key, r, s): 32 / 48 / 66. */
  readonly scalarLength: number;
  /** Bytes of a field element (a coordinate, the ECDH shared secret): 32 / 48 / 66. */
  readonly fieldLength: number;
  /** Bytes of an uncompressed SEC1 point: 65 / 97 / 133. */
  readonly pointLength: number;
}

function info(name: EcCurve, ecdsa: ECDSA): EcCurveInfo {
  const { Fn, Fp } = ecdsa.Point;
  return Object.freeze({ name, ecdsa, n: Fn.ORDER, scalarLength: Fn.BYTES, fieldLength: Fp.BYTES, pointLength: 1 + 2 * Fp.BYTES });
}

const CURVES: Readonly<Record<EcCurve, EcCurveInfo>> = {
  'P-256': info('P-256', p256),
  'P-384': info('P-384', p384),
  'P-521': info('P-521', p521),
};

export function ecCurve(name: EcCurve): EcCurveInfo {
  const c = Object.hasOwn(CURVES, name) ? CURVES[name] : undefined;
  if (c === undefined) throw new RangeError(`curve must be P-256, P-384 or P-521, got ${String(name)}`);
  return c;
}

const HASHES = { 'SHA-256': sha256, 'SHA-384': sha384, 'SHA-512': sha512 } as const;

export function hashMessage(hash: HashName, message: Uint8Array): Uint8Array {
  const h = Object.hasOwn(HASHES, hash) ? HASHES[hash] : undefined;
  if (h === undefined) throw new RangeError(`hash must be SHA-256, SHA-384 or SHA-512, got ${String(hash)}`);
  return h(message);
}

/** Checks a private scalar supplied by the caller (curve-params.ts: 1 <= d < n, SEC 1 §3.2.1). */
export const assertEcScalar: (c: EcCurveInfo, d: unknown, argument: string) => asserts d is Uint8Array = assertEcPrivateScalar;

/**
 * Decodes and validates a SEC1 point (SEC 1 §2.3.4 and §3.2.2: on the curve, not the identity).
 * Compressed forms are accepted only when `allowCompressed` (certificates may carry them; TLS key
 * shares may not, RFC 8446 §4.2.8.2). CryptoError INVALID_PUBLIC_KEY otherwise.
 */
export function ecPointFromBytes(c: EcCurveInfo, bytes: Uint8Array, allowCompressed: boolean): WeierstrassPoint<bigint> {
  const head = bytes[0];
  const uncompressed = bytes.length === c.pointLength && head === 0x04;
  const compressed = allowCompressed && bytes.length === 1 + c.fieldLength && (head === 0x02 || head === 0x03);
  if (!uncompressed && !compressed) {
    throw new CryptoError('INVALID_PUBLIC_KEY', `${c.name} public key must be an ${allowCompressed ? '' : 'uncompressed '}SEC1 point`);
  }
  try {
    const p = c.ecdsa.Point.fromBytes(bytes);
    p.assertValidity();
    if (p.is0()) throw new Error('identity');
    return p;
  } catch {
    throw new CryptoError('INVALID_PUBLIC_KEY', `${c.name} public key is not a point on the curve`);
  }
}

/** `ecPointFromBytes`, returned in the uncompressed encoding. */
export function decodeEcPoint(c: EcCurveInfo, bytes: Uint8Array, allowCompressed: boolean): Uint8Array {
  const p = ecPointFromBytes(c, bytes, allowCompressed);
  return bytes[0] === 0x04 ? bytes.slice() : p.toBytes(false);
}

export function ecdsaSign(
  curve: EcCurve,
  hash: HashName,
  encoding: 'der' | 'p1363',
  d: Uint8Array,
  message: Uint8Array,
  random: RandomSource,
): Uint8Array {
  const c = ecCurve(curve);
  assertEcScalar(c, d, 'key.d');
  const digest = hashMessage(hash, message);
  // RFC 6979 §3.6: k' mixed into the HMAC-DRBG seed; a broken `random` degrades to plain RFC 6979.
  const extraEntropy = randomBytesFrom(random, c.scalarLength);
  const compact = c.ecdsa.sign(digest, d, { prehash: false, format: 'compact', extraEntropy });
  if (encoding === 'p1363') return compact;
  const L = c.scalarLength;
  return derSequence(derInteger(bytesToBigInt(compact.subarray(0, L))), derInteger(bytesToBigInt(compact.subarray(L))));
}

export function ecdsaVerify(
  curve: EcCurve,
  hash: HashName,
  encoding: 'der' | 'p1363',
  point: Uint8Array,
  message: Uint8Array,
  signature: Uint8Array,
): boolean {
  try {
    const c = ecCurve(curve);
    const compact = signatureToCompact(c, encoding, signature);
    if (compact === undefined) return false;
    // PublicKey.point is uncompressed by contract (parseSpki decompresses).
    if (point.length !== c.pointLength || point[0] !== 0x04) return false;
    const digest = hashMessage(hash, message);
    return c.ecdsa.verify(compact, digest, point, { prehash: false, lowS: false, format: 'compact' });
  } catch {
    return false;
  }
}
