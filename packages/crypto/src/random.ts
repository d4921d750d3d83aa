/** Randomness from the platform's CSPRNG (Web Crypto `getRandomValues`), or an injected source. */
import type { RandomSource } from './types.js';

// getRandomValues refuses more than 65536 bytes per call (Web Crypto §10.1.1).
const MAX_CHUNK = 65536;

interface WebCryptoLike {
  getRandomValues<T extends ArrayBufferView>(array: T): T;
}

export const platformRandom: RandomSource = (out) => {
  const c = (globalThis as { crypto?: WebCryptoLike }).crypto;
  if (c === undefined || typeof c.getRandomValues !== 'function') {
    throw new Error('no crypto.getRandomValues in this runtime: pass a random source to the provider');
  }
  for (let i = 0; i < out.length; i += MAX_CHUNK) c.getRandomValues(out.subarray(i, Math.min(out.length, i + MAX_CHUNK)));
};

export function randomBytesFrom(source: RandomSource, length: number): Uint8Array {
  if (!Number.isSafeInteger(length) || length < 0) throw new RangeError(`length must be a non-negative integer, got ${length}`);
  const out = new Uint8Array(length);
  source(out);
  return out;
}
