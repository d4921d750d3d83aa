/** MGF1, the mask generation function of RFC 8017 §B.2.1. */
import type { RsaHash } from './hash.js';

export function mgf1(hash: RsaHash, seed: Uint8Array, maskLength: number): Uint8Array {
  const out = new Uint8Array(maskLength);
  const counter = new Uint8Array(4);
  // maskLength is bounded by the modulus size, far below the 2^32 · hLen limit of step 1.
  for (let i = 0, offset = 0; offset < maskLength; i++, offset += hash.outputLength) {
    counter[0] = i >>> 24;
    counter[1] = (i >>> 16) & 0xff;
    counter[2] = (i >>> 8) & 0xff;
    counter[3] = i & 0xff;
    const block = hash.digest(seed, counter);
    out.set(block.subarray(0, Math.min(block.length, maskLength - offset)), offset);
  }
  return out;
}
