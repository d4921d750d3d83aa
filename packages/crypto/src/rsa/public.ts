/** RSA public keys: argument checks, the usability rule for verification, RSAVP1 (RFC 8017 §5.2.2). */
import { RSA_MAX_EXPONENT_BITS, RSA_MAX_MODULUS_BITS } from '../rsa-limits.js';
import { bitLength, modPow } from './bigint.js';

export interface RsaPublicComponents {
  readonly n: bigint;
  readonly e: bigint;
}

/** Smallest modulus accepted at all; TLS key-size policy is stricter and lives elsewhere. */
export const MIN_MODULUS_BITS = 512;

/** TypeError naming `argument` unless `key` is an object with bigint `n` and `e`. */
export function checkPublicKeyArgument(key: unknown, argument: string): asserts key is RsaPublicComponents {
  if (typeof key !== 'object' || key === null) throw new TypeError(`${argument} must be an RSA public key { n, e }`);
  const { n, e } = key as { n?: unknown; e?: unknown };
  if (typeof n !== 'bigint') throw new TypeError(`${argument}.n must be a bigint`);
  if (typeof e !== 'bigint') throw new TypeError(`${argument}.e must be a bigint`);
}

/**
 * An odd modulus of MIN_MODULUS_BITS to RSA_MAX_MODULUS_BITS bits and an odd exponent with 1 < e < n
 * of at most RSA_MAX_EXPONENT_BITS bits (a larger key would make verification a denial of service).
 */
export function isUsablePublicKey(key: RsaPublicComponents): boolean {
  const { n, e } = key;
  if (n <= 0n || (n & 1n) !== 1n || (e & 1n) !== 1n || e <= 1n || e >= n) return false;
  const bits = bitLength(n);
  return bits >= MIN_MODULUS_BITS && bits <= RSA_MAX_MODULUS_BITS && bitLength(e) <= RSA_MAX_EXPONENT_BITS;
}

/** RFC 8017 §5.2.2 RSAVP1: s^e mod n, or null for "signature representative out of range". */
export function rsavp1(key: RsaPublicComponents, s: bigint): bigint | null {
  if (s < 0n || s >= key.n) return null;
  return modPow(s, key.e, key.n);
}
