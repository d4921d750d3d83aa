/**
 * aes-ctr.ts, our AES rounds under AES-GCM: the block function against the example vectors of
 * FIPS 197 Appendix C (AES-128/192/256), the same vectors through ctr32() (one block of keystream),
 * and ctr32() against node:crypto's AES (ECB over the inc32 counter blocks) on random keys, counters
 * and lengths — runs that cross the 256-block boundaries where its cached first rounds are rebuilt,
 * the 2^32 wrap of inc32, partial final blocks, unaligned offsets and in place. Wycheproof aes_gcm
 * covers the whole AEAD (aead.wycheproof.test.ts).
 */
import { createCipheriv } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { hex, toHex } from '@puretls/test-vectors';
import { ctr32, encryptBlock, expandKey } from '../src/aes-ctr.js';

// FIPS 197 Appendix C: plaintext 00112233..eeff, key 000102.. of 16, 24 and 32 bytes.
const FIPS197_PLAINTEXT = '00112233445566778899aabbccddeeff';
const FIPS197 = [
  { name: 'C.1 AES-128', key: '000102030405060708090a0b0c0d0e0f', rounds: 10, ciphertext: '69c4e0d86a7b0430d8cdb78070b4c55a' },
  { name: 'C.2 AES-192', key: '000102030405060708090a0b0c0d0e0f1011121314151617', rounds: 12, ciphertext: 'dda97ca4864cdfe06eaf70a0ec0d7191' },
  {
    name: 'C.3 AES-256',
    key: '000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f',
    rounds: 14,
    ciphertext: '8ea2b7ca516745bfeafc49904b496089',
  },
];

const le32 = (b: Uint8Array, i: number): number =>
  (b[i] as number) | ((b[i + 1] as number) << 8) | ((b[i + 2] as number) << 16) | ((b[i + 3] as number) << 24);

/** GCTR with inc32 the slow way: node's AES-ECB over the counter blocks, XORed with src. */
function reference(key: Uint8Array, block: Uint8Array, src: Uint8Array): Uint8Array {
  const blocks = Math.ceil(src.length / 16);
  const counters = new Uint8Array(blocks * 16);
  const view = new DataView(counters.buffer);
  const ctr = new DataView(block.buffer, block.byteOffset).getUint32(12);
  for (let b = 0; b < blocks; b++) {
    counters.set(block.subarray(0, 12), 16 * b);
    view.setUint32(16 * b + 12, (ctr + b) % 2 ** 32); // SP 800-38D §6.2 inc32
  }
  const ecb = createCipheriv(`aes-${key.length * 8}-ecb`, key, null).setAutoPadding(false);
  const stream = new Uint8Array(ecb.update(counters));
  return src.map((v, i) => v ^ (stream[i] as number));
}

/** ctr32() on the counter block `block` (16 bytes, counter big-endian in bytes 12..15). */
function run(key: Uint8Array, block: Uint8Array, src: Uint8Array, dst: Uint8Array): void {
  const ctr = new DataView(block.buffer, block.byteOffset).getUint32(12);
  ctr32(expandKey(key), le32(block, 0), le32(block, 4), le32(block, 8), ctr, src, dst, src.length);
}

describe('AES block function against FIPS 197 Appendix C', () => {
  for (const v of FIPS197) {
    it(`${v.name}: ${v.rounds} rounds give ${v.ciphertext}`, () => {
      const rk = expandKey(hex(v.key));
      expect(rk.length).toBe(4 * (v.rounds + 1));
      const out = new Uint8Array(16);
      encryptBlock(rk, hex(FIPS197_PLAINTEXT), out);
      expect(toHex(out)).toBe(v.ciphertext);
      // In place, as aead.ts computes H.
      const block = hex(FIPS197_PLAINTEXT);
      encryptBlock(rk, block, block);
      expect(toHex(block)).toBe(v.ciphertext);
    });

    it(`${v.name} through ctr32(): the keystream block of counter block 00112233..eeff`, () => {
      const out = new Uint8Array(16);
      run(hex(v.key), hex(FIPS197_PLAINTEXT), new Uint8Array(16), out);
      expect(toHex(out)).toBe(v.ciphertext);
    });
  }
});

describe('ctr32 against node:crypto AES', () => {
  const key = fc.oneof(...[16, 24, 32].map((n) => fc.uint8Array({ minLength: n, maxLength: n })));
  // Counters near the places where the cached rounds are rebuilt (low byte wraps) and where inc32 wraps.
  const counter = fc.oneof(
    fc.nat({ max: 0xffffffff }),
    fc.integer({ min: 0xf0, max: 0x10f }),
    fc.integer({ min: 0xfff0, max: 0x1000f }),
    fc.integer({ min: 0xfffffe00, max: 0xffffffff }),
  );
  const prefix = fc.uint8Array({ minLength: 12, maxLength: 12 });

  it('matches on random keys, counters and lengths (partial blocks, runs across 256-block boundaries)', () => {
    fc.assert(
      fc.property(key, prefix, counter, fc.nat(5000), fc.nat(3), (k, iv, c, length, offset) => {
        const block = new Uint8Array(16);
        block.set(iv);
        new DataView(block.buffer).setUint32(12, c);
        const src = new Uint8Array(offset + length).map((_, i) => (i * 29 + c) & 0xff).subarray(offset);
        const dst = new Uint8Array(length + 7).fill(0xa5);
        run(k, block, src, dst.subarray(3, 3 + length));
        expect(toHex(dst.subarray(3, 3 + length))).toBe(toHex(reference(k, block, src)));
        // Nothing written outside dst[0..n).
        expect([...dst.subarray(0, 3), ...dst.subarray(3 + length)].every((v) => v === 0xa5)).toBe(true);
      }),
      { numRuns: 150 },
    );
  });

  it('wraps inc32 at 2^32 without touching bytes 0..11, across a cache rebuild', () => {
    const k = Uint8Array.from({ length: 16 }, (_, i) => i * 7 + 3);
    const block = hex('cafebabefacedbaddecaf888fffffff0');
    const src = Uint8Array.from({ length: 16 * 40 + 9 }, (_, i) => i & 0xff);
    const dst = new Uint8Array(src.length);
    run(k, block, src, dst);
    expect(toHex(dst)).toBe(toHex(reference(k, block, src)));
  });

  it('works in place (dst is src)', () => {
    const k = Uint8Array.from({ length: 32 }, (_, i) => 255 - i);
    const block = hex('000102030405060708090a0b000000fe');
    const buf = Uint8Array.from({ length: 16 * 300 + 5 }, (_, i) => (i * 13) & 0xff);
    const expected = reference(k, block, buf);
    run(k, block, buf, buf);
    expect(toHex(buf)).toBe(toHex(expected));
  });

  it('writes nothing for n = 0', () => {
    const dst = new Uint8Array(4).fill(7);
    run(new Uint8Array(16), new Uint8Array(16), new Uint8Array(0), dst.subarray(0, 0));
    expect([...dst]).toEqual([7, 7, 7, 7]);
  });
});
