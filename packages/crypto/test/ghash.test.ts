/**
 * ghash.ts, the per-key-table GHASH under AES-GCM: against noble's GHASH (`@noble/ciphers/_polyval.js`,
 * the implementation it replaces) on random keys and inputs — partial blocks, several padded segments,
 * offsets into larger buffers, the length block with lengths past 2^32 bits, the masked digest — and
 * reuse of one table across many messages via reset(). Plus the first two test cases of the GCM
 * specification (McGrew & Viega), which pin H and the tag of the all-zero key end to end.
 */
import { ghash } from '@noble/ciphers/_polyval.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { hex, toHex } from '@puretls/test-vectors';
import { createNobleProvider } from '@puretls/crypto/noble';
import { Ghash } from '../src/ghash.js';

const key = fc.uint8Array({ minLength: 16, maxLength: 16 });
const data = (maxLength: number) => fc.uint8Array({ maxLength });

function digest(g: Ghash): string {
  const out = new Uint8Array(16);
  g.digestInto(out);
  return toHex(out);
}

/** noble's GHASH over segments, each zero-padded to a block (the same segment semantics). */
function reference(h: Uint8Array, ...segments: Uint8Array[]): string {
  const g = ghash.create(h);
  for (const s of segments) g.update(s);
  return toHex(g.digest());
}

/** [a]_64 || [b]_64 of bit lengths, big-endian, computed with bigint. */
function lengthBlock(aadBytes: number, dataBytes: number): Uint8Array {
  const block = new Uint8Array(16);
  const view = new DataView(block.buffer);
  view.setBigUint64(0, BigInt(aadBytes) * 8n);
  view.setBigUint64(8, BigInt(dataBytes) * 8n);
  return block;
}

describe('Ghash against noble GHASH', () => {
  it('matches on random keys and inputs of any length (partial final blocks included)', () => {
    fc.assert(
      fc.property(key, data(300), (h, msg) => {
        const g = new Ghash(h);
        g.update(msg);
        expect(digest(g)).toBe(reference(h, msg));
      }),
      { numRuns: 400 },
    );
  });

  it('pads each update() separately, like the A and C segments of GCM', () => {
    fc.assert(
      fc.property(key, data(70), data(70), data(70), (h, a, b, c) => {
        const g = new Ghash(h);
        g.update(a);
        g.update(b);
        g.update(c);
        expect(digest(g)).toBe(reference(h, a, b, c));
      }),
      { numRuns: 300 },
    );
  });

  it('reads only data[start..end) of a larger buffer', () => {
    fc.assert(
      fc.property(key, data(200), fc.nat(200), fc.nat(200), (h, buf, x, y) => {
        const start = Math.min(x, y) % (buf.length + 1);
        const end = Math.max(start, Math.max(x, y) % (buf.length + 1));
        const g = new Ghash(h);
        g.update(buf, start, end);
        expect(digest(g)).toBe(reference(h, buf.slice(start, end)));
      }),
      { numRuns: 300 },
    );
  });

  it('absorbs the length block, including bit lengths of 2^32 and more', () => {
    const sizes = fc.oneof(fc.nat(1 << 20), fc.integer({ min: 2 ** 29 - 2, max: 2 ** 36 }), fc.constantFrom(0, 2 ** 29, 2 ** 36 - 32));
    fc.assert(
      fc.property(key, data(40), sizes, sizes, (h, msg, a, c) => {
        const g = new Ghash(h);
        g.update(msg);
        g.lengths(a, c);
        expect(digest(g)).toBe(reference(h, msg, lengthBlock(a, c)));
      }),
      { numRuns: 300 },
    );
  });

  it('digestInto() writes at an offset and XORs the mask', () => {
    fc.assert(
      fc.property(key, data(50), fc.uint8Array({ minLength: 16, maxLength: 16 }), fc.nat(9), (h, msg, mask, offset) => {
        const g = new Ghash(h);
        g.update(msg);
        const out = new Uint8Array(offset + 20).fill(0xaa);
        g.digestInto(out, offset, mask);
        const plain = hex(reference(h, msg));
        const expected = plain.map((v, i) => v ^ (mask[i] as number));
        expect(toHex(out.subarray(offset, offset + 16))).toBe(toHex(expected));
        expect([...out.subarray(0, offset), ...out.subarray(offset + 16)].every((v) => v === 0xaa)).toBe(true);
      }),
      { numRuns: 200 },
    );
  });

  it('one table serves many messages: reset() leaves nothing of the previous one', () => {
    fc.assert(
      fc.property(key, fc.array(fc.tuple(data(100), data(100)), { minLength: 2, maxLength: 12 }), (h, messages) => {
        const g = new Ghash(h);
        for (const [a, c] of messages) {
          g.reset();
          g.update(a);
          g.update(c);
          g.lengths(a.length, c.length);
          expect(digest(g)).toBe(reference(h, a, c, lengthBlock(a.length, c.length)));
        }
      }),
      { numRuns: 100 },
    );
  });

  it('matches over a 16 KiB record, the size the record layer feeds it', () => {
    const h = Uint8Array.from({ length: 16 }, (_, i) => (i * 37 + 11) & 0xff);
    const record = Uint8Array.from({ length: 16384 + 5 }, (_, i) => (i * 131 + (i >> 8)) & 0xff);
    const g = new Ghash(h);
    g.update(record, 5);
    expect(digest(g)).toBe(reference(h, record.subarray(5)));
  });

  it('refuses a hash subkey that is not 16 bytes', () => {
    expect(() => new Ghash(new Uint8Array(15))).toThrow(RangeError);
    expect(() => new Ghash(new Uint8Array(15))).toThrow(/\bh\b/);
    expect(() => new Ghash([0] as unknown as Uint8Array)).toThrow(TypeError);
  });
});

// The GCM specification (McGrew & Viega, "The Galois/Counter Mode of Operation", appendix B),
// test cases 1 and 2: K = 0^128, IV = 0^96, H = E_K(0^128) = 66e94bd4ef8a2c3b884cfa59ca342b2e.
describe('GCM specification test cases 1 and 2 through the provider', () => {
  const aead = createNobleProvider().aead('AES-128-GCM').create(new Uint8Array(16));
  const iv = new Uint8Array(12);

  it('test case 1: empty plaintext, T = 58e2fccefa7e3061367f1d57a4e7455a', () => {
    expect(toHex(aead.seal(iv, new Uint8Array(0), new Uint8Array(0)))).toBe('58e2fccefa7e3061367f1d57a4e7455a');
  });

  it('test case 2: P = 0^128, C = 0388dace60b6a392f328c2b971b2fe78, T = ab6e47d42cec13bdf53a67b21257bddf', () => {
    const sealed = aead.seal(iv, new Uint8Array(16), new Uint8Array(0));
    expect(toHex(sealed)).toBe('0388dace60b6a392f328c2b971b2fe78' + 'ab6e47d42cec13bdf53a67b21257bddf');
    expect(toHex(aead.open(iv, sealed, new Uint8Array(0)) ?? new Uint8Array(1))).toBe('00'.repeat(16));
  });
});
