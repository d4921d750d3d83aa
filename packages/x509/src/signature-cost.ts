/**
 * What one certificate signature check costs, in budget units, so the path builder can bound the
 * work of a hostile chain by cost, not by count: 100 junk intermediates with P-521 or RSA-16384 keys
 * (exponent 2^64−1) cost 1–2 s with the pure provider where 100 RSA-2048 checks cost 15 ms.
 *
 * One unit is about 1 ms of pure-JS work; a check counts its key's cost plus 1 per 64 KiB hashed,
 * and at least 1. Measured with `@puretls/crypto/noble` (Node 20, 2 shared cores; the 25th
 * percentile of 40 verifications of a 1000-byte message, two rounds; valid and invalid signatures
 * alike, the slower kept):
 *
 *   P-256 1.9 ms · P-384 4.5 · P-521 8.8–9.5 · Ed25519 1.2 · Ed448 3.2–5.2
 *   RSA e = 65537: 2048 bits 0.12 ms · 3072 0.21 · 4096 0.34 · 8192 0.97 · 16384 2.8
 *   RSA 16384 bits: e = 2^17−1 5.1 ms · 2^32−1 6.8 · 2^63+1 10.7 · 2^64−1 13.4
 *   SHA-384/512 of 64 KiB 0.9 ms (SHA-256 0.4)
 *
 * RSA verification is one modular exponentiation (RFC 8017 §5.2.2): a square per exponent bit and
 * at most a multiply per set bit, plus the window table; each multiplication costs ≈ bits^1.6
 * (V8's Karatsuba), 1/180 ms at 2048 bits. The formula is never below the table above and about
 * 1.5× over it at worst (dense exponents: 2^64−1 gives 20 units for 13.4 ms).
 * A faster provider (node:crypto, WebCrypto) makes every unit cheaper; the weights stay a bound.
 */
import type { PublicKey } from '@puretls/crypto';
import type { Certificate } from './certificate.js';

/** Units per check for the fixed-cost algorithms (rounded up from the measurements above). */
export const SIGNATURE_COST = { 'P-256': 2, 'P-384': 5, 'P-521': 10, ed25519: 1.5, ed448: 5 } as const;

/** ms per modular multiplication at 2048 bits, and the growth exponent of its cost. */
const RSA_MODMUL_2048 = 1 / 180;
const RSA_GROWTH = 1.6;
/** The crypto package refuses larger keys before any arithmetic (rsa-limits.ts): never costlier. */
const RSA_MAX_MODULUS_BITS = 16384;
const RSA_MAX_EXPONENT_BITS = 64;
/** Bytes hashed per unit (SHA-512 of 64 KiB ≈ 0.9 ms). */
const HASH_BYTES_PER_UNIT = 65536;

function bits(x: bigint): number {
  return x <= 0n ? 0 : x.toString(2).length;
}

function popcount(x: bigint): number {
  let n = 0;
  for (const c of x.toString(2)) if (c === '1') n++;
  return n;
}

/** Estimated units to verify one signature made with `key` (the hash excluded). */
export function keyCost(key: PublicKey): number {
  switch (key.kind) {
    case 'ec':
      return SIGNATURE_COST[key.curve];
    case 'ed25519':
      return SIGNATURE_COST.ed25519;
    case 'ed448':
      return SIGNATURE_COST.ed448;
    case 'rsa': {
      const modulusBits = Math.min(bits(key.n), RSA_MAX_MODULUS_BITS);
      const eBits = bits(key.e);
      // Squares, multiplies and the sliding window's table of 4 odd powers (rsa/bigint.ts modPow).
      const multiplications = eBits > RSA_MAX_EXPONENT_BITS ? 2 * RSA_MAX_EXPONENT_BITS + 4 : eBits + popcount(key.e) + 4;
      return multiplications * RSA_MODMUL_2048 * (modulusBits / 2048) ** RSA_GROWTH;
    }
  }
}

/** Budget units for checking `issuer`'s signature on `cert`: at least 1. */
export function signatureCheckCost(cert: Certificate, issuer: Certificate): number {
  return Math.max(1, keyCost(issuer.publicKey) + cert.tbs.length / HASH_BYTES_PER_UNIT);
}
