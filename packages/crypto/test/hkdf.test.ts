/**
 * HKDF (RFC 5869) of the noble provider: Wycheproof hkdf_sha256 / hkdf_sha384 through the harness of
 * @puretls/test-vectors (Extract then Expand; the `invalid` cases ask for more than 255 * HashLen
 * bytes and must throw a RangeError), the SHA-256 test cases of RFC 5869 Appendix A, and the
 * argument checks of hash.ts. RFC 4231 (HMAC vectors) is not on disk; HMAC is covered here through
 * HKDF and against node:crypto in crosscheck-symmetric.
 */
import { describe, expect, it } from 'vitest';
import { HKDF_FILES, hex, runHkdfWycheproof, toHex, vectorsAvailable, vectorsMissingReason } from '@puretls/test-vectors';
import type { HashName } from '@puretls/crypto';
import { createNobleProvider } from '@puretls/crypto/noble';

const provider = createNobleProvider();

if (!vectorsAvailable) {
  it('Wycheproof HKDF vectors', (ctx) => ctx.skip(vectorsMissingReason));
} else {
  describe('Wycheproof HKDF vectors', () => {
    for (const [file, hash] of HKDF_FILES) {
      it(`passes every case of ${file}`, () => {
        const { tally, numberOfTests, failures } = runHkdfWycheproof(provider, file, hash);
        console.log(tally.summary());
        expect(failures).toEqual([]);
        expect(tally.total).toBe(numberOfTests);
      });
    }
  });
}

// RFC 5869 Appendix A.1-A.3 (the SHA-256 cases), values copied from shared/rfc/rfc5869.txt.
const RFC5869_SHA256 = [
  {
    name: 'A.1 basic test case',
    ikm: '0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b',
    salt: '000102030405060708090a0b0c',
    info: 'f0f1f2f3f4f5f6f7f8f9',
    length: 42,
    prk: '077709362c2e32df0ddc3f0dc47bba6390b6c73bb50f9c3122ec844ad7c2b3e5',
    okm: '3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865',
  },
  {
    name: 'A.2 longer inputs and outputs',
    ikm:
      '000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f' +
      '202122232425262728292a2b2c2d2e2f303132333435363738393a3b3c3d3e3f404142434445464748494a4b4c4d4e4f',
    salt:
      '606162636465666768696a6b6c6d6e6f707172737475767778797a7b7c7d7e7f' +
      '808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9fa0a1a2a3a4a5a6a7a8a9aaabacadaeaf',
    info:
      'b0b1b2b3b4b5b6b7b8b9babbbcbdbebfc0c1c2c3c4c5c6c7c8c9cacbcccdcecf' +
      'd0d1d2d3d4d5d6d7d8d9dadbdcdddedfe0e1e2e3e4e5e6e7e8e9eaebecedeeeff0f1f2f3f4f5f6f7f8f9fafbfcfdfeff',
    length: 82,
    prk: '06a6b88c5853361a06104c9ceb35b45cef760014904671014a193f40c15fc244',
    okm:
      'b11e398dc80327a1c8e7f78c596a49344f012eda2d4efad8a050cc4c19afa97c59045a99cac7827271cb41c65e590e09' +
      'da3275600c2f09b8367793a9aca3db71cc30c58179ec3e87c14c01d5c1f3434f1d87',
  },
  {
    name: 'A.3 zero-length salt and info',
    ikm: '0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b',
    salt: '',
    info: '',
    length: 42,
    prk: '19ef24a32c717b167f33a91d6f648bdf96596776afdb6377ac434c1c293ccb04',
    okm: '8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d9d201395faa4b61a96c8',
  },
] as const;

describe('RFC 5869 Appendix A (SHA-256)', () => {
  for (const tc of RFC5869_SHA256) {
    it(`gives the PRK and OKM of ${tc.name}`, () => {
      const prk = provider.hkdfExtract('SHA-256', hex(tc.salt), hex(tc.ikm));
      expect(toHex(prk)).toBe(tc.prk);
      expect(toHex(provider.hkdfExpand('SHA-256', prk, hex(tc.info), tc.length))).toBe(tc.okm);
    });
  }

  it('treats an empty salt as HashLen zero bytes (RFC 5869 §2.2)', () => {
    const ikm = hex(RFC5869_SHA256[2].ikm);
    for (const h of ['SHA-256', 'SHA-384', 'SHA-512'] as const) {
      const zeros = new Uint8Array(provider.hash(h).outputLength);
      expect(toHex(provider.hkdfExtract(h, new Uint8Array(0), ikm))).toBe(toHex(provider.hkdfExtract(h, zeros, ikm)));
      expect(toHex(provider.hkdfExtract(h, new Uint8Array(0), ikm))).toBe(toHex(provider.hmac(h, zeros, ikm)));
    }
  });
});

describe('hash.ts argument checks', () => {
  const prk = new Uint8Array(32);

  it('expands up to 255 * HashLen bytes and refuses one more with a RangeError naming length', () => {
    expect(provider.hkdfExpand('SHA-256', prk, new Uint8Array(0), 255 * 32)).toHaveLength(8160);
    expect(provider.hkdfExpand('SHA-256', prk, new Uint8Array(0), 0)).toHaveLength(0);
    expect(() => provider.hkdfExpand('SHA-256', prk, new Uint8Array(0), 8161)).toThrow(/length/);
    expect(() => provider.hkdfExpand('SHA-256', prk, new Uint8Array(0), 8161)).toThrow(RangeError);
    expect(() => provider.hkdfExpand('SHA-256', prk, new Uint8Array(0), -1)).toThrow(RangeError);
    expect(() => provider.hkdfExpand('SHA-256', prk, new Uint8Array(0), 1.5)).toThrow(RangeError);
  });

  it('refuses a PRK shorter than HashLen (RFC 5869 §2.3) with a RangeError naming prk', () => {
    expect(() => provider.hkdfExpand('SHA-384', prk, new Uint8Array(0), 48)).toThrow(/prk/);
    expect(() => provider.hkdfExpand('SHA-384', prk, new Uint8Array(0), 48)).toThrow(RangeError);
  });

  it('refuses an unknown hash with a RangeError naming it', () => {
    const bad = 'SHA-1' as HashName;
    expect(() => provider.hash(bad)).toThrow(/SHA-1/);
    expect(() => provider.hash(bad)).toThrow(RangeError);
    expect(() => provider.hmac(bad, prk, prk)).toThrow(RangeError);
    expect(() => provider.hkdfExtract(bad, prk, prk)).toThrow(RangeError);
    expect(() => provider.hkdfExpand(bad, prk, prk, 1)).toThrow(RangeError);
    expect(() => provider.hash('constructor' as HashName)).toThrow(RangeError);
  });

  it('refuses non-Uint8Array inputs with a TypeError naming them', () => {
    expect(() => provider.hmac('SHA-256', 'key' as unknown as Uint8Array, prk)).toThrow(/key/);
    expect(() => provider.hkdfExtract('SHA-256', prk, [1, 2] as unknown as Uint8Array)).toThrow(TypeError);
    expect(() => provider.hkdfExpand('SHA-256', prk, null as unknown as Uint8Array, 1)).toThrow(/info/);
  });

  it('caches the HashFunction objects and describes them', () => {
    expect(provider.hash('SHA-256')).toBe(provider.hash('SHA-256'));
    expect([256, 384, 512].map((n) => provider.hash(`SHA-${n}` as HashName).outputLength)).toEqual([32, 48, 64]);
    expect([256, 384, 512].map((n) => provider.hash(`SHA-${n}` as HashName).blockLength)).toEqual([64, 128, 128]);
  });

  it('gives a HashContext whose clone continues independently', () => {
    const h = provider.hash('SHA-256');
    const enc = new TextEncoder();
    const ctx = h.create().update(enc.encode('ab'));
    const copy = ctx.clone();
    ctx.update(enc.encode('c'));
    // FIPS 180-4 / NIST example: SHA-256("abc").
    expect(toHex(ctx.digest())).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(toHex(copy.digest())).toBe(toHex(h.digest(enc.encode('ab'))));
  });
});
