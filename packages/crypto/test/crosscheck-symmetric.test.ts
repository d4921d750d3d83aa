/**
 * The noble provider's symmetric half against node:crypto on random inputs (fast-check):
 * SHA-256/384/512 (one-shot, chunked, cloned), HMAC, HKDF (crypto.hkdfSync), and the AEADs —
 * the five TLS ones plus other key/nonce/tag sizes node also has — sealed by one side and opened by
 * the other, with empty and multi-block plaintext/AAD, in-place buffers and a flipped bit.
 * Also the AEAD argument contract of types.ts (RangeError/TypeError naming the argument, `output`).
 */
import * as nodeCrypto from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { toHex } from '@puretls/test-vectors';
import type { AeadName, AeadSpec, HashName } from '@puretls/crypto';
import { createNobleProvider } from '@puretls/crypto/noble';

const provider = createNobleProvider();

const NODE_HASH: Record<HashName, string> = { 'SHA-256': 'sha256', 'SHA-384': 'sha384', 'SHA-512': 'sha512' };
const HASHES = Object.keys(NODE_HASH) as HashName[];

const bytes = (maxLength: number, minLength = 0): fc.Arbitrary<Uint8Array> => fc.uint8Array({ minLength, maxLength });
const hashName = fc.constantFrom(...HASHES);

describe('hashes, HMAC and HKDF against node:crypto', () => {
  it('SHA-2 digests match, one-shot, in chunks and through clone()', () => {
    fc.assert(
      fc.property(hashName, bytes(600), fc.nat(600), (h, data, cut) => {
        const expected = nodeCrypto.createHash(NODE_HASH[h]).update(data).digest('hex');
        const fn = provider.hash(h);
        expect(toHex(fn.digest(data))).toBe(expected);
        const at = Math.min(cut, data.length);
        const ctx = fn.create().update(data.subarray(0, at));
        const copy = ctx.clone();
        expect(toHex(ctx.update(data.subarray(at)).digest())).toBe(expected);
        expect(toHex(copy.digest())).toBe(nodeCrypto.createHash(NODE_HASH[h]).update(data.subarray(0, at)).digest('hex'));
      }),
      { numRuns: 200 },
    );
  });

  it('HMAC matches, for keys shorter and longer than the block', () => {
    fc.assert(
      fc.property(hashName, bytes(300), bytes(400), (h, key, data) => {
        expect(toHex(provider.hmac(h, key, data))).toBe(nodeCrypto.createHmac(NODE_HASH[h], key).update(data).digest('hex'));
      }),
      { numRuns: 200 },
    );
  });

  it('HKDF Extract + Expand matches crypto.hkdfSync', () => {
    fc.assert(
      fc.property(hashName, bytes(100), bytes(100), bytes(200), fc.nat(1000), (h, ikm, salt, info, size) => {
        const length = Math.min(size, 255 * provider.hash(h).outputLength);
        const okm = provider.hkdfExpand(h, provider.hkdfExtract(h, salt, ikm), info, length);
        expect(toHex(okm)).toBe(toHex(new Uint8Array(nodeCrypto.hkdfSync(NODE_HASH[h], ikm, salt, info, length))));
      }),
      { numRuns: 200 },
    );
  });
});

// --- AEADs ---

interface Case {
  readonly spec: AeadSpec;
  readonly node: string;
}

function nodeName(spec: AeadSpec): string {
  if (spec.cipher === 'CHACHA20-POLY1305') return 'chacha20-poly1305';
  return `aes-${spec.keyLength * 8}-${spec.cipher === 'AES-GCM' ? 'gcm' : 'ccm'}`;
}

function nodeSeal(c: Case, key: Uint8Array, nonce: Uint8Array, plaintext: Uint8Array, aad: Uint8Array): Uint8Array {
  const e = nodeCrypto.createCipheriv(c.node as nodeCrypto.CipherCCMTypes, key, nonce, { authTagLength: c.spec.tagLength });
  e.setAAD(aad, { plaintextLength: plaintext.length });
  const ct = Buffer.concat([e.update(plaintext), e.final(), e.getAuthTag()]);
  return new Uint8Array(ct);
}

function nodeOpen(c: Case, key: Uint8Array, nonce: Uint8Array, sealed: Uint8Array, aad: Uint8Array): Uint8Array | null {
  const n = sealed.length - c.spec.tagLength;
  const d = nodeCrypto.createDecipheriv(c.node as nodeCrypto.CipherCCMTypes, key, nonce, { authTagLength: c.spec.tagLength });
  d.setAuthTag(sealed.subarray(n));
  d.setAAD(aad, { plaintextLength: n });
  try {
    const pt = Buffer.concat([d.update(sealed.subarray(0, n)), d.final()]);
    return new Uint8Array(pt);
  } catch {
    return null;
  }
}

const tlsCase = (name: AeadName): Case => {
  const a = provider.aead(name);
  const cipher: AeadSpec['cipher'] = name.includes('GCM') ? 'AES-GCM' : name.includes('CCM') ? 'AES-CCM' : 'CHACHA20-POLY1305';
  const spec: AeadSpec = { cipher, keyLength: a.keyLength, nonceLength: a.nonceLength, tagLength: a.tagLength };
  return { spec, node: nodeName(spec) };
};
const specCase = (spec: AeadSpec): Case => ({ spec, node: nodeName(spec) });

const TLS_CASES: readonly [AeadName, Case][] = (
  ['AES-128-GCM', 'AES-256-GCM', 'CHACHA20-POLY1305', 'AES-128-CCM', 'AES-128-CCM-8'] as const
).map((n) => [n, tlsCase(n)]);

// Other sizes node:crypto also implements: GCM with 192-bit keys and nonces other than 12 bytes
// (down to 1 byte), CCM with every legal nonce and tag length.
const otherCase = fc.oneof(
  fc.record({ k: fc.constantFrom(16, 24, 32), n: fc.integer({ min: 1, max: 64 }) }).map(({ k, n }) =>
    specCase({ cipher: 'AES-GCM', keyLength: k, nonceLength: n, tagLength: 16 }),
  ),
  fc.record({ k: fc.constantFrom(16, 24, 32), n: fc.integer({ min: 7, max: 13 }), t: fc.constantFrom(4, 6, 8, 10, 12, 14, 16) }).map(({ k, n, t }) =>
    specCase({ cipher: 'AES-CCM', keyLength: k, nonceLength: n, tagLength: t }),
  ),
);

/** The same seal/open both ways, in place, and with one bit flipped. */
function roundTrip(c: Case, key: Uint8Array, nonce: Uint8Array, plaintext: Uint8Array, aad: Uint8Array, offset: number, flip: number): void {
  const aead = provider.aead(c.spec).create(key);
  const sealed = aead.seal(nonce, plaintext, aad);
  expect(toHex(sealed)).toBe(toHex(nodeSeal(c, key, nonce, plaintext, aad)));
  const back = nodeOpen(c, key, nonce, sealed, aad);
  expect(back === null ? null : toHex(back)).toBe(toHex(plaintext));
  const opened = aead.open(nonce, sealed, aad);
  expect(opened === null ? null : toHex(opened)).toBe(toHex(plaintext));

  // In place at an arbitrary (often unaligned) offset of a larger buffer.
  const buf = new Uint8Array(offset + sealed.length + 5);
  buf.set(plaintext, offset);
  const inPlace = aead.seal(nonce, buf.subarray(offset, offset + plaintext.length), aad, buf.subarray(offset));
  expect(inPlace.buffer).toBe(buf.buffer);
  expect(inPlace.byteOffset).toBe(offset);
  expect(toHex(inPlace)).toBe(toHex(sealed));
  const openedInPlace = aead.open(nonce, inPlace, aad, inPlace);
  expect(openedInPlace?.byteOffset).toBe(offset);
  expect(openedInPlace === null ? null : toHex(openedInPlace)).toBe(toHex(plaintext));

  // One flipped bit anywhere (ciphertext, tag) or in the AAD: both sides refuse.
  const bad = sealed.slice();
  const bit = flip % (8 * bad.length);
  bad[bit >> 3] = (bad[bit >> 3] as number) ^ (1 << (bit & 7));
  expect(aead.open(nonce, bad, aad)).toBeNull();
  expect(nodeOpen(c, key, nonce, bad, aad)).toBeNull();
  if (aad.length > 0) {
    const badAad = aad.slice();
    badAad[flip % aad.length] = (badAad[flip % aad.length] as number) ^ 0x80;
    expect(aead.open(nonce, sealed, badAad)).toBeNull();
  }
}

const inputs = (c: Case) =>
  fc.tuple(
    bytes(c.spec.keyLength, c.spec.keyLength),
    bytes(c.spec.nonceLength, c.spec.nonceLength),
    fc.oneof(bytes(0), bytes(40), bytes(300)), // empty, short, multi-block
    fc.oneof(bytes(0), bytes(40), bytes(100)),
    fc.nat(7),
    fc.nat(),
  );

describe('AEADs against node:crypto', () => {
  for (const [name, c] of TLS_CASES) {
    it(`${name}: seal/open agree both ways, in place, and refuse a flipped bit`, () => {
      fc.assert(
        fc.property(inputs(c), ([key, nonce, pt, aad, offset, flip]) => roundTrip(c, key, nonce, pt, aad, offset, flip)),
        { numRuns: 100 },
      );
    });
  }

  it('other GCM and CCM key/nonce/tag sizes agree with node', () => {
    fc.assert(
      fc.property(
        otherCase.chain((c) => inputs(c).map((args) => [c, args] as const)),
        ([c, [key, nonce, pt, aad, offset, flip]]) => roundTrip(c, key, nonce, pt, aad, offset, flip),
      ),
      { numRuns: 200 },
    );
  });

  it('agrees on a full TLS record (2^14 + 256 bytes) for every TLS AEAD', () => {
    const pt = new Uint8Array(nodeCrypto.randomBytes(16384 + 256));
    const aad = new Uint8Array(nodeCrypto.randomBytes(5));
    for (const [, c] of TLS_CASES) {
      roundTrip(c, new Uint8Array(nodeCrypto.randomBytes(c.spec.keyLength)), new Uint8Array(nodeCrypto.randomBytes(12)), pt, aad, 1, 12345);
    }
  });

  it('agrees on CCM around the AAD length encodings of RFC 3610 §2.2 (2^16 - 2^8) and at the CCM length limit', () => {
    const c = TLS_CASES.find(([n]) => n === 'AES-128-CCM')?.[1];
    if (c === undefined) throw new Error('no AES-128-CCM case');
    const key = new Uint8Array(nodeCrypto.randomBytes(16));
    for (const aadLength of [0xfeff, 0xff00, 0x10001]) {
      roundTrip(c, key, new Uint8Array(12), new Uint8Array(33), new Uint8Array(nodeCrypto.randomBytes(aadLength)), 0, aadLength);
    }
    // A 13-byte nonce leaves 2 length bytes: at most 65535 bytes of plaintext.
    const c13 = specCase({ cipher: 'AES-CCM', keyLength: 16, nonceLength: 13, tagLength: 16 });
    roundTrip(c13, key, new Uint8Array(13), new Uint8Array(nodeCrypto.randomBytes(0xffff)), new Uint8Array(3), 2, 7);
    const aead = provider.aead(c13.spec).create(key);
    expect(() => aead.seal(new Uint8Array(13), new Uint8Array(0x10000), new Uint8Array(0))).toThrow(/plaintext/);
    expect(aead.open(new Uint8Array(13), new Uint8Array(0x10000 + 16), new Uint8Array(0))).toBeNull();
  });
});

describe('AEAD argument contract (types.ts)', () => {
  const gcm = provider.aead('AES-128-GCM');
  const key = new Uint8Array(16);
  const nonce = new Uint8Array(12);
  const empty = new Uint8Array(0);

  it('names the TLS AEADs, caches them, and describes their sizes', () => {
    expect(provider.aead('AES-128-GCM')).toBe(gcm);
    const sizes = TLS_CASES.map(([n]) => {
      const a = provider.aead(n);
      return [a.name, a.keyLength, a.nonceLength, a.tagLength];
    });
    expect(sizes).toEqual([
      ['AES-128-GCM', 16, 12, 16],
      ['AES-256-GCM', 32, 12, 16],
      ['CHACHA20-POLY1305', 32, 12, 16],
      ['AES-128-CCM', 16, 12, 16],
      ['AES-128-CCM-8', 16, 12, 8],
    ]);
    expect(provider.aead({ cipher: 'AES-CCM', keyLength: 16, nonceLength: 12, tagLength: 8 }).name).toBe('AES-128-CCM-8');
  });

  it('refuses unsupported specs with a RangeError naming the field', () => {
    const refused: [AeadSpec | AeadName, RegExp][] = [
      ['AES-192-GCM' as AeadName, /AES-192-GCM/],
      [{ cipher: 'AES-OCB' as AeadSpec['cipher'], keyLength: 16, nonceLength: 12, tagLength: 16 }, /AES-OCB/],
      [{ cipher: 'AES-GCM', keyLength: 20, nonceLength: 12, tagLength: 16 }, /keyLength/],
      [{ cipher: 'AES-GCM', keyLength: 16, nonceLength: 0, tagLength: 16 }, /nonceLength/],
      [{ cipher: 'AES-GCM', keyLength: 16, nonceLength: 12, tagLength: 12 }, /tagLength/],
      [{ cipher: 'CHACHA20-POLY1305', keyLength: 16, nonceLength: 12, tagLength: 16 }, /keyLength/],
      [{ cipher: 'CHACHA20-POLY1305', keyLength: 32, nonceLength: 8, tagLength: 16 }, /nonceLength/],
      [{ cipher: 'AES-CCM', keyLength: 16, nonceLength: 6, tagLength: 16 }, /nonceLength/],
      [{ cipher: 'AES-CCM', keyLength: 16, nonceLength: 14, tagLength: 16 }, /nonceLength/],
      [{ cipher: 'AES-CCM', keyLength: 16, nonceLength: 12, tagLength: 5 }, /tagLength/],
      [{ cipher: 'AES-CCM', keyLength: 16, nonceLength: 12, tagLength: 2 }, /tagLength/],
    ];
    for (const [spec, message] of refused) {
      expect(() => provider.aead(spec), JSON.stringify(spec)).toThrow(RangeError);
      expect(() => provider.aead(spec), JSON.stringify(spec)).toThrow(message);
    }
  });

  it('refuses a key of the wrong length with a RangeError naming key', () => {
    for (const [name] of TLS_CASES) {
      expect(() => provider.aead(name).create(new Uint8Array(24))).toThrow(RangeError);
      expect(() => provider.aead(name).create(new Uint8Array(24))).toThrow(/key/);
    }
    expect(() => gcm.create('k' as unknown as Uint8Array)).toThrow(TypeError);
  });

  it('refuses a nonce of the wrong length in seal and open with a RangeError naming nonce', () => {
    for (const [name, c] of TLS_CASES) {
      const aead = provider.aead(name).create(new Uint8Array(c.spec.keyLength));
      for (const n of [0, 8, 11, 13]) {
        expect(() => aead.seal(new Uint8Array(n), empty, empty)).toThrow(/nonce/);
        expect(() => aead.seal(new Uint8Array(n), empty, empty)).toThrow(RangeError);
        expect(() => aead.open(new Uint8Array(n), new Uint8Array(32), empty)).toThrow(RangeError);
      }
    }
  });

  it('returns null, never throws, for input shorter than a tag or tampered', () => {
    for (const [name, c] of TLS_CASES) {
      const aead = provider.aead(name).create(new Uint8Array(c.spec.keyLength));
      for (let n = 0; n < c.spec.tagLength; n++) expect(aead.open(nonce, new Uint8Array(n), empty)).toBeNull();
      expect(aead.open(nonce, new Uint8Array(c.spec.tagLength + 40), empty)).toBeNull();
    }
  });

  it('leaves no plaintext in `output` when authentication fails', () => {
    for (const [name, c] of TLS_CASES) {
      const aead = provider.aead(name).create(new Uint8Array(c.spec.keyLength).fill(7));
      const plaintext = new Uint8Array(50).fill(0x41);
      const sealed = aead.seal(nonce, plaintext, empty);
      sealed[sealed.length - 1] = (sealed[sealed.length - 1] as number) ^ 1;
      const out = new Uint8Array(50).fill(0xaa);
      expect(aead.open(nonce, sealed, empty, out), name).toBeNull();
      expect(out.every((b) => b === 0xaa || b === 0), name).toBe(true);
    }
  });

  it('checks `output`: room for the result, no partial overlap, result is a subarray of it', () => {
    const aead = gcm.create(key);
    const pt = new Uint8Array(20);
    expect(() => aead.seal(nonce, pt, empty, new Uint8Array(35))).toThrow(/output/);
    expect(() => aead.seal(nonce, pt, empty, new Uint8Array(35))).toThrow(RangeError);
    const sealed = aead.seal(nonce, pt, empty);
    expect(() => aead.open(nonce, sealed, empty, new Uint8Array(19))).toThrow(RangeError);
    const big = new Uint8Array(64);
    const r = aead.seal(nonce, pt, empty, big);
    expect(r.buffer).toBe(big.buffer);
    expect(r.length).toBe(36);
    // Output starting one byte into the plaintext would overwrite input not yet read.
    const shared = new Uint8Array(64);
    expect(() => aead.seal(nonce, shared.subarray(0, 20), empty, shared.subarray(1))).toThrow(/overlap/);
    expect(() => aead.seal(nonce, pt, empty, 'x' as unknown as Uint8Array)).toThrow(TypeError);
    expect(() => aead.seal(nonce, pt, null as unknown as Uint8Array)).toThrow(/aad/);
  });

  it('keeps its own copy of the key: changing the caller\'s buffer after create() changes nothing', () => {
    for (const [name, c] of TLS_CASES) {
      const k = new Uint8Array(c.spec.keyLength).fill(3);
      const aead = provider.aead(name).create(k);
      const before = aead.seal(nonce, new Uint8Array(10), empty);
      k.fill(9);
      expect(toHex(aead.seal(nonce, new Uint8Array(10), empty)), name).toBe(toHex(before));
    }
  });
});
