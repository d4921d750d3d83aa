/**
 * Domain parameters of the NIST prime curves P-256, P-384 and P-521 (FIPS 186-5 §6.1.1 via
 * NIST SP 800-186 §3.2.1.3-5; the same curves as secp256r1 / secp384r1 / secp521r1 in SEC 2
 * §2.4.2, §2.5.1, §2.6.1), and the private-scalar range check they define. Plain constants, no
 * curve arithmetic: key encodings use them without loading an elliptic-curve implementation.
 * All three have a = -3 and cofactor 1; the base point is not needed here.
 */
import { os2ip } from './rsa/bigint.js';
import type { EcCurve } from './types.js';

export interface EcCurveParams {
  readonly name: EcCurve;
  /** Field prime. p ≡ 3 (mod 4) for all three, so a square root is one exponentiation. */
  readonly p: bigint;
  /** Order of the base point (the group order: cofactor 1). */
  readonly n: bigint;
  /** Coefficient b of y² = x³ − 3x + b. */
  readonly b: bigint;
  /** Bytes of a scalar (private key, r, s): ceil(log2(n) / 8) = 32 / 48 / 66. */
  readonly scalarLength: number;
  /** Bytes of a field element (a coordinate): 32 / 48 / 66. */
  readonly fieldLength: number;
  /** Bytes of an uncompressed SEC1 point, 0x04 || x || y: 65 / 97 / 133. */
  readonly pointLength: number;
}

function params(name: EcCurve, p: bigint, n: bigint, b: bigint, length: number): EcCurveParams {
  return Object.freeze({ name, p, n, b, scalarLength: length, fieldLength: length, pointLength: 1 + 2 * length });
}

const CURVES: Readonly<Record<EcCurve, EcCurveParams>> = {
  // SP 800-186 §3.2.1.3: p = 2^256 − 2^224 + 2^192 + 2^96 − 1.
  'P-256': params(
    'P-256',
    (1n << 256n) - (1n << 224n) + (1n << 192n) + (1n << 96n) - 1n,
    0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n,
    0x5ac635d8aa3a93e7b3ebbd55769886bc651d06b0cc53b0f63bce3c3e27d2604bn,
    32,
  ),
  // SP 800-186 §3.2.1.4: p = 2^384 − 2^128 − 2^96 + 2^32 − 1.
  'P-384': params(
    'P-384',
    (1n << 384n) - (1n << 128n) - (1n << 96n) + (1n << 32n) - 1n,
    0xffffffffffffffffffffffffffffffffffffffffffffffffc7634d81f4372ddf581a0db248b0a77aecec196accc52973n,
    0xb3312fa7e23ee7e4988e056be3f82d19181d9c6efe8141120314088f5013875ac656398d8a2ed19d2a85c8edd3ec2aefn,
    48,
  ),
  // SP 800-186 §3.2.1.5: p = 2^521 − 1.
  'P-521': params(
    'P-521',
    (1n << 521n) - 1n,
    0x01fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffa51868783bf2f966b7fcc0148f709a5d03bb5c9b8899c47aebb6fb71e91386409n,
    0x0051953eb9618e1c9a1f929a21a0b68540eea2da725b99b315f3b8b489918ef109e156193951ec7e937b1652c0bd3bb1bf073573df883d2c34f1ef451fd46b503f00n,
    66,
  ),
};

/** The parameters of `name`; a RangeError for anything but P-256, P-384, P-521. */
export function ecCurveParams(name: EcCurve): EcCurveParams {
  const c = Object.hasOwn(CURVES, name) ? CURVES[name] : undefined;
  if (c === undefined) throw new RangeError(`curve must be P-256, P-384 or P-521, got ${String(name)}`);
  return c;
}

/**
 * Checks a private scalar supplied by the caller: exactly `scalarLength` big-endian bytes with
 * 1 <= d < n (SEC 1 §3.2.1). A RangeError naming `argument`, since a bad local key is a caller error.
 */
export function assertEcPrivateScalar(c: Pick<EcCurveParams, 'name' | 'n' | 'scalarLength'>, d: unknown, argument: string): asserts d is Uint8Array {
  if (!(d instanceof Uint8Array)) throw new TypeError(`${argument} must be a Uint8Array`);
  if (d.length !== c.scalarLength) throw new RangeError(`${argument} must be ${c.scalarLength} bytes for ${c.name}, got ${d.length}`);
  const v = os2ip(d);
  if (v === 0n || v >= c.n) throw new RangeError(`${argument} must be in [1, n-1] for ${c.name}`);
}
