/**
 * RSASP1 (RFC 8017 §5.2.1) with the CRT, blinded against timing side channels, and checked against
 * the public key before the result leaves (a faulty CRT half would otherwise reveal p: the
 * Boneh–DeMillo–Lipton / Lenstra fault attack).
 *
 * Blinding: the message is multiplied by r^e for a random r and the result by r⁻¹, and each CRT
 * exponent gets a random multiple of (p−1) resp. (q−1) added. r and those multiples are drawn from
 * the injected random source, hashed together with d and the message, so a weak or fixed source
 * (tests) still yields blinding values an attacker cannot predict.
 */
import { CryptoError } from '../errors.js';
import type { RandomSource, RsaPrivateKey } from '../types.js';
import { byteLength, i2osp, mod, modInverse, modPow, os2ip } from './bigint.js';
import { rsaHash } from './hash.js';
import { mgf1 } from './mgf1.js';

const SEED_LENGTH = 32;
// Extra octets beyond the modulus make r mod n statistically close to uniform.
const EXTRA = 16;
const EXPONENT_BLIND_LENGTH = 8;
const MAX_ATTEMPTS = 8;

/** Signature representative s = m^d mod n for a key the caller has validated; 0 ≤ m < n. */
export function rsasp1(key: RsaPrivateKey, m: bigint, random: RandomSource): bigint {
  const { n, e, p, q, dp, dq, qi } = key;
  if (m < 0n || m >= n) throw new RangeError('rsasp1: message representative out of range');
  const k = byteLength(n);
  const seed = new Uint8Array(SEED_LENGTH);
  random(seed);
  const sha = rsaHash('SHA-512', 'hash');
  const prk = sha.digest(seed, i2osp(key.d, k), i2osp(m, k));
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    const info = new Uint8Array(prk.length + 1);
    info.set(prk);
    info[prk.length] = attempt;
    const material = mgf1(sha, info, k + EXTRA + 2 * EXPONENT_BLIND_LENGTH);
    const r = mod(os2ip(material.subarray(0, k + EXTRA)), n);
    if (r < 2n) continue;
    let rInverse: bigint;
    try {
      rInverse = modInverse(r, n);
    } catch {
      continue; // r shares a factor with n: astronomically unlikely for a real key
    }
    const k1 = os2ip(material.subarray(k + EXTRA, k + EXTRA + EXPONENT_BLIND_LENGTH));
    const k2 = os2ip(material.subarray(k + EXTRA + EXPONENT_BLIND_LENGTH));
    const c = (m * modPow(r, e, n)) % n;
    // RFC 8017 §5.2.1 step 2.b (u = 2): m1 = c^dP mod p, m2 = c^dQ mod q, h = qInv·(m1 − m2) mod p.
    const m1 = modPow(c % p, dp + k1 * (p - 1n), p);
    const m2 = modPow(c % q, dq + k2 * (q - 1n), q);
    const h = mod(qi * (m1 - m2), p);
    const s = ((m2 + h * q) * rInverse) % n;
    if (modPow(s, e, n) !== m) {
      throw new CryptoError('INVALID_PRIVATE_KEY', 'RSA private operation failed its public-key check (fault or inconsistent key)');
    }
    return s;
  }
  throw new CryptoError('INVALID_PRIVATE_KEY', 'no usable RSA blinding factor found (is n = p·q a product of primes?)');
}
