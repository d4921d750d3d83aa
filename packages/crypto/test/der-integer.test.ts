/** DER INTEGER decoding (X.690 §8.3): two's complement, minimal, any length. */
import { describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { decodeInteger } from '../src/der.js';

/** The definition, a byte at a time. */
function reference(v: Uint8Array): bigint {
  let n = 0n;
  for (const b of v) n = (n << 8n) | BigInt(b);
  if (((v[0] as number) & 0x80) !== 0) n -= 1n << BigInt(8 * v.length);
  return n;
}

describe('decodeInteger', () => {
  it('decodes the edge values of two’s complement', () => {
    const cases: [number[], bigint][] = [
      [[0x00], 0n], [[0x7f], 127n], [[0x80], -128n], [[0xff], -1n],
      [[0x00, 0x80], 128n], [[0xff, 0x7f], -129n], [[0x01, 0x00, 0x01], 65537n],
    ];
    for (const [bytes, n] of cases) expect(decodeInteger(Uint8Array.from(bytes))).toBe(n);
  });

  it('agrees with the definition on random minimal encodings up to an RSA-16384 modulus', () => {
    for (const len of [1, 2, 31, 32, 33, 256, 257, 2049]) {
      for (let i = 0; i < 20; i++) {
        const v = new Uint8Array(randomBytes(len));
        // Keep it minimal: the first nine bits are not all equal.
        if (len > 1 && ((v[0] === 0x00 && ((v[1] as number) & 0x80) === 0) || (v[0] === 0xff && ((v[1] as number) & 0x80) !== 0))) v[0] = 0x41;
        expect(decodeInteger(v)).toBe(reference(v));
      }
    }
  });

  it('refuses empty and non-minimal encodings', () => {
    expect(() => decodeInteger(new Uint8Array(0))).toThrow(/empty/);
    expect(() => decodeInteger(Uint8Array.of(0x00, 0x01))).toThrow(/non-minimal/);
    expect(() => decodeInteger(Uint8Array.of(0xff, 0x80))).toThrow(/non-minimal/);
  });
});
