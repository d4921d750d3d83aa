/**
 * Bounds on RSA public keys from the network. Verification costs grow with the modulus (and with the
 * exponent's length): a peer's certificate with a 32768-bit key and e ≈ n held the event loop for
 * 19 s in a pure-JS verification. Same bounds as OpenSSL (16384-bit modulus, 64-bit exponent above
 * 3072 bits; here for every size).
 */
export const RSA_MAX_MODULUS_BITS = 16384;
export const RSA_MAX_EXPONENT_BITS = 64;

/** Bits of a positive bigint. */
export function bigintBits(x: bigint): number {
  return x === 0n ? 0 : x.toString(2).length;
}
