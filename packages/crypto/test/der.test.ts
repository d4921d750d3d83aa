/** DER INTEGER (X.690 §8.3: two's complement, minimal, any length) and OBJECT IDENTIFIER decoding. */
import { describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { decodeInteger, decodeOid } from '../src/der.js';

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

describe('decodeOid', () => {
  it('decodes the OIDs keys carry', () => {
    // 1.2.840.10045.3.1.7 (P-256), 2.16.840.1.101.3.4.2.1 (SHA-256)
    expect(decodeOid(Uint8Array.of(0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07))).toBe('1.2.840.10045.3.1.7');
    expect(decodeOid(Uint8Array.of(0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01))).toBe('2.16.840.1.101.3.4.2.1');
  });

  it('refuses an OID over 64 bytes before decoding it (a peer could make one arc thousands of bytes long)', () => {
    const long = new Uint8Array(30000).fill(0xff);
    long[long.length - 1] = 0x01;
    expect(() => decodeOid(long)).toThrow(/OBJECT IDENTIFIER of 30000 bytes/);
    const max = new Uint8Array(64).fill(0x81);
    max[0] = 0x2a;
    max[63] = 0x01;
    expect(() => decodeOid(max)).not.toThrow();
  });
});
