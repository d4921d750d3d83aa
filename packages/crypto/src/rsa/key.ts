/**
 * RSA private keys: consistency checks (n = p·q, the CRT values, e against dp/dq) and a builder
 * that fills in the CRT values from p, q, d. Primality of p and q is not tested; a key that is
 * consistent by these checks but wrong otherwise is caught by the sign-then-verify check.
 */
import { CryptoError } from '../errors.js';
import type { RsaPrivateKey } from '../types.js';
import { bitLength, mod, modInverse } from './bigint.js';
import { MIN_MODULUS_BITS } from './public.js';

/** Components of an RSA private key; n and the CRT values are computed when absent. */
export interface RsaPrivateComponents {
  readonly n?: bigint;
  readonly e: bigint;
  readonly d: bigint;
  readonly p: bigint;
  readonly q: bigint;
  readonly dp?: bigint;
  readonly dq?: bigint;
  readonly qi?: bigint;
}

const FIELDS = ['n', 'e', 'd', 'p', 'q', 'dp', 'dq', 'qi'] as const;

function invalid(reason: string): CryptoError {
  return new CryptoError('INVALID_PRIVATE_KEY', `invalid RSA private key: ${reason}`);
}

/** TypeError naming `argument` unless `key` is an object whose RSA fields are all bigints. */
export function checkPrivateKeyArgument(key: unknown, argument: string): asserts key is RsaPrivateKey {
  if (typeof key !== 'object' || key === null) throw new TypeError(`${argument} must be an RSA private key`);
  for (const f of FIELDS) {
    if (typeof (key as Record<string, unknown>)[f] !== 'bigint') throw new TypeError(`${argument}.${f} must be a bigint`);
  }
}

/**
 * Throws CryptoError('INVALID_PRIVATE_KEY') unless the key is internally consistent:
 * n = p·q with p ≠ q, a modulus of at least 512 bits, odd e with 1 < e < n, 0 < d < n,
 * dp = d mod (p−1), dq = d mod (q−1), e·dp ≡ 1 (mod p−1), e·dq ≡ 1 (mod q−1), qi = q⁻¹ mod p
 * (RFC 8017 §3.2). A TypeError names a field that is not a bigint.
 */
export function validateRsaPrivateKey(key: RsaPrivateKey): void {
  checkPrivateKeyArgument(key, 'key');
  const { n, e, d, p, q, dp, dq, qi } = key;
  if (p <= 2n || q <= 2n || (p & 1n) === 0n || (q & 1n) === 0n) throw invalid('p and q must be odd primes');
  if (p === q) throw invalid('p equals q');
  if (p * q !== n) throw invalid('n is not p·q');
  if (bitLength(n) < MIN_MODULUS_BITS) throw invalid(`modulus below ${MIN_MODULUS_BITS} bits`);
  if ((e & 1n) === 0n || e <= 1n || e >= n) throw invalid('public exponent must be odd with 1 < e < n');
  if (d <= 0n || d >= n) throw invalid('private exponent out of range');
  if (dp !== d % (p - 1n) || dq !== d % (q - 1n)) throw invalid('CRT exponents do not match d');
  if ((e * dp) % (p - 1n) !== 1n || (e * dq) % (q - 1n) !== 1n) throw invalid('d is not the inverse of e');
  if (qi <= 0n || qi >= p || (qi * q) % p !== 1n) throw invalid('CRT coefficient is not q⁻¹ mod p');
}

/** A validated, frozen `RsaPrivateKey` from its components (JWK-style names). */
export function rsaPrivateKeyFromComponents(components: RsaPrivateComponents): RsaPrivateKey {
  if (typeof components !== 'object' || components === null) throw new TypeError('components must be an object');
  for (const f of ['e', 'd', 'p', 'q'] as const) {
    if (typeof components[f] !== 'bigint') throw new TypeError(`components.${f} must be a bigint`);
  }
  for (const f of ['n', 'dp', 'dq', 'qi'] as const) {
    const v = components[f];
    if (v !== undefined && typeof v !== 'bigint') throw new TypeError(`components.${f} must be a bigint when given`);
  }
  const { e, d, p, q } = components;
  if (p <= 1n || q <= 1n) throw invalid('p and q must be > 1');
  let qi = components.qi;
  if (qi === undefined) {
    try {
      qi = modInverse(q, p);
    } catch {
      throw invalid('q is not invertible mod p');
    }
  }
  const key: RsaPrivateKey = Object.freeze({
    kind: 'rsa',
    n: components.n ?? p * q,
    e,
    d,
    p,
    q,
    dp: components.dp ?? mod(d, p - 1n),
    dq: components.dq ?? mod(d, q - 1n),
    qi,
  });
  validateRsaPrivateKey(key);
  return key;
}
