/**
 * Public-key point checks without an elliptic-curve implementation, so that key encodings
 * (keys.ts) load none: plain bigint arithmetic modulo p.
 * - NIST P-256/384/521: SEC 1 §2.3.4 decoding of uncompressed and compressed points, with the
 *   public-key validation of SEC 1 §3.2.2.1 (coordinates in [0, p-1], on the curve; cofactor 1, so
 *   nothing more). The identity (0x00) and the hybrid forms (0x06/0x07) are refused.
 * - Ed25519 / Ed448: RFC 8032 §5.1.3 / §5.2.3 point decoding used as a validity check, strict as
 *   RFC 8032 is (not ZIP-215): y < p, x recoverable, no x = 0 with the sign bit set. Small-order
 *   points decode (they are points); whether they may verify is for signature verification.
 * Variable-time: these see public keys only.
 */
import { ecCurveParams, type EcCurveParams } from './curve-params.js';
import { CryptoError } from './errors.js';
import { i2osp, mod, modPow, os2ip } from './rsa/bigint.js';
import type { EcCurve } from './types.js';

const offCurve = (c: EcCurveParams): CryptoError => new CryptoError('INVALID_PUBLIC_KEY', `${c.name} public key is not a point on the curve`);

/**
 * Decodes and validates a SEC1 point, returning a copy in the uncompressed form 0x04 || x || y.
 * Compressed forms are accepted only when `allowCompressed` (certificates may carry them, RFC 5480
 * §2.2; TLS key shares may not, RFC 8446 §4.2.8.2). CryptoError INVALID_PUBLIC_KEY otherwise.
 */
export function decodeSec1Point(curve: EcCurve, bytes: Uint8Array, allowCompressed: boolean): Uint8Array {
  const c = ecCurveParams(curve);
  const L = c.fieldLength;
  const head = bytes[0];
  const uncompressed = bytes.length === c.pointLength && head === 0x04;
  const compressed = allowCompressed && bytes.length === 1 + L && (head === 0x02 || head === 0x03);
  if (!uncompressed && !compressed) {
    throw new CryptoError('INVALID_PUBLIC_KEY', `${c.name} public key must be an ${allowCompressed ? '' : 'uncompressed '}SEC1 point`);
  }
  const { p } = c;
  // SEC 1 §2.3.6: a coordinate is an integer in [0, p-1].
  const x = os2ip(bytes.subarray(1, 1 + L));
  if (x >= p) throw offCurve(c);
  const rhs = mod(x * x * x - 3n * x + c.b, p); // y² = x³ − 3x + b
  let y: bigint;
  if (uncompressed) {
    y = os2ip(bytes.subarray(1 + L));
    if (y >= p || (y * y) % p !== rhs) throw offCurve(c);
  } else {
    // SEC 1 §2.3.4: β = √rhs, y = β or p − β by the parity in the prefix. p ≡ 3 (mod 4), so
    // rhs^((p+1)/4) is a square root when there is one.
    y = modPow(rhs, (p + 1n) >> 2n, p);
    if ((y * y) % p !== rhs) throw offCurve(c);
    if ((y & 1n) !== BigInt(head & 1)) y = p - y;
  }
  // y = 0 would be a point of order 2, which these prime-order curves do not have (noble refuses it
  // too); y = p is β = 0 negated for an odd prefix, not a field element.
  if (y === 0n || y === p) throw offCurve(c);
  if (uncompressed) return bytes.slice();
  const out = new Uint8Array(c.pointLength);
  out[0] = 0x04;
  out.set(bytes.subarray(1), 1);
  out.set(i2osp(y, L), 1 + L);
  return out;
}

interface EdwardsCurve {
  /** Bytes of an encoded point: 32 / 57. */
  readonly size: number;
  readonly p: bigint;
  /** -x² + y² = 1 + d·x²·y² (Ed25519) and x² + y² = 1 + d·x²·y² (Ed448): a = -1 / 1. */
  readonly a: bigint;
  readonly d: bigint;
}

// RFC 8032 §5.1: p = 2^255 − 19, d = −121665/121666 mod p.
const ED25519: EdwardsCurve = {
  size: 32,
  p: (1n << 255n) - 19n,
  a: -1n,
  d: 37095705934669439343138083508754565189542113879843219016388785533085940283555n,
};
// RFC 8032 §5.2: p = 2^448 − 2^224 − 1, d = −39081.
const ED448: EdwardsCurve = { size: 57, p: (1n << 448n) - (1n << 224n) - 1n, a: 1n, d: -39081n };

/** RFC 8032 §5.1.3 / §5.2.3: does `key` decode to a point? False on anything malformed. */
function edwardsPointIsCanonical(e: EdwardsCurve, key: unknown): boolean {
  if (!(key instanceof Uint8Array) || key.length !== e.size) return false;
  const last = key[e.size - 1] as number;
  // §5.2.2: an Ed448 encoding's final octet is 0 but for the sign bit (y < 2^448 needs it anyway).
  if (e.size === 57 && (last & 0x7f) !== 0) return false;
  const signBit = last >> 7;
  // Step 1: y is the little-endian integer with the sign bit cleared, and must be < p.
  let y = BigInt(last & 0x7f);
  for (let i = e.size - 2; i >= 0; i--) y = (y << 8n) | BigInt(key[i] as number);
  const { p } = e;
  if (y >= p) return false;
  // Step 2: x² = u/v with u = y² − 1, v = d·y² − a. u/v is a square iff u·v is (v ≠ 0), so
  // Euler's criterion on u·v decides whether step 3 finds a root, without computing it.
  const y2 = (y * y) % p;
  const u = mod(y2 - 1n, p);
  const v = mod(e.d * y2 - e.a, p);
  if (v === 0n) return false; // d is not a square: never happens
  // Step 4: x = 0 (u = 0) with the sign bit set has no encoding.
  if (u === 0n) return signBit === 0;
  return modPow((u * v) % p, (p - 1n) >> 1n, p) === 1n;
}

/** True when `key` is a canonical Ed25519 point encoding (RFC 8032 §5.1.3); never throws. */
export const ed25519PointIsCanonical = (key: Uint8Array): boolean => edwardsPointIsCanonical(ED25519, key);

/** True when `key` is a canonical Ed448 point encoding (RFC 8032 §5.2.3); never throws. */
export const ed448PointIsCanonical = (key: Uint8Array): boolean => edwardsPointIsCanonical(ED448, key);
