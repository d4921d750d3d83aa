/**
 * point-decode.ts, the curve-free point checks of the key encodings, against @noble/curves (truth
 * from outside our code):
 * - SEC1 points on P-256/384/521: noble public keys (compressed and uncompressed) decode to noble's
 *   uncompressed bytes; random strings and mutated points (a bit of y flipped, x or y = p, x >= p,
 *   other prefixes, other lengths) are accepted exactly when noble's `Point.fromBytes` +
 *   `assertValidity` accepts them, and refused with CryptoError INVALID_PUBLIC_KEY otherwise.
 * - Ed25519 / Ed448: random strings (about half are points), every y >= p near p, y = 1 and y = p-1
 *   with both sign bits, the small-order points and noble public keys: our verdict is noble's
 *   `Point.fromBytes(key, false)` success.
 * - Wycheproof ECDH raw points and the ECDSA / Ed25519 group keys, when the vectors are present.
 */
import { describe, expect, it } from 'vitest';
import { ed25519 } from '@noble/curves/ed25519.js';
import { ed448 } from '@noble/curves/ed448.js';
import { p256, p384, p521 } from '@noble/curves/nist.js';
import type { ECDSA } from '@noble/curves/abstract/weierstrass.js';
import type { EdDSA } from '@noble/curves/abstract/edwards.js';
import { CryptoError, type EcCurve } from '@puretls/crypto';
import { hex, loadWycheproof, toHex, vectorsAvailable, xorshift32, vectorsMissingReason, type WycheproofGroup, type WycheproofTest } from '@puretls/test-vectors';
import { ecCurveParams } from '../src/curve-params.js';
import { decodeSec1Point, ed25519PointIsCanonical, ed448PointIsCanonical } from '../src/point-decode.js';
import { i2osp, mod, modInverse } from '../src/rsa/bigint.js';

const next = xorshift32(0x9e3779b9); // fixed seed: reproducible
const randomBytes = (n: number): Uint8Array => Uint8Array.from({ length: n }, () => next() & 0xff);

const NIST: readonly [EcCurve, ECDSA][] = [
  ['P-256', p256],
  ['P-384', p384],
  ['P-521', p521],
];

/** noble's uncompressed encoding of `bytes`, or undefined when noble refuses it as a public point. */
function nobleSec1(noble: ECDSA, bytes: Uint8Array): string | undefined {
  try {
    const p = noble.Point.fromBytes(bytes);
    p.assertValidity();
    return toHex(p.toBytes(false));
  } catch {
    return undefined;
  }
}

/** Ours, as the same kind of verdict; anything but a CryptoError INVALID_PUBLIC_KEY escapes. */
function oursSec1(curve: EcCurve, bytes: Uint8Array, allowCompressed: boolean): string | undefined {
  try {
    return toHex(decodeSec1Point(curve, bytes, allowCompressed));
  } catch (e) {
    if (e instanceof CryptoError && e.code === 'INVALID_PUBLIC_KEY') return undefined;
    throw e;
  }
}

/** Ours against noble for one encoding, with and without compressed forms allowed. */
function agreeSec1(curve: EcCurve, noble: ECDSA, bytes: Uint8Array): string | undefined {
  const expected = nobleSec1(noble, bytes);
  expect(oursSec1(curve, bytes, true), `${curve} ${toHex(bytes)}`).toBe(expected);
  expect(oursSec1(curve, bytes, false), `${curve} uncompressed only ${toHex(bytes)}`).toBe(bytes[0] === 0x04 ? expected : undefined);
  return expected;
}

describe('decodeSec1Point against noble', () => {
  for (const [curve, noble] of NIST) {
    const c = ecCurveParams(curve);
    const L = c.fieldLength;
    const withX = (head: number, x: bigint): Uint8Array => Uint8Array.of(head, ...i2osp(x, L));
    const withXY = (x: bigint, y: bigint): Uint8Array => Uint8Array.of(0x04, ...i2osp(x, L), ...i2osp(y, L));
    const coordinates = (point: Uint8Array): [bigint, bigint] => [
      BigInt(`0x${toHex(point.subarray(1, 1 + L))}`),
      BigInt(`0x${toHex(point.subarray(1 + L))}`),
    ];

    it(`${curve}: noble public keys, compressed and uncompressed, decode to noble's uncompressed point`, () => {
      for (let i = 0; i < 64; i++) {
        const d = noble.utils.randomSecretKey();
        const uncompressed = noble.getPublicKey(d, false);
        const compressed = noble.getPublicKey(d, true);
        expect(toHex(decodeSec1Point(curve, uncompressed, false))).toBe(toHex(uncompressed));
        expect(toHex(decodeSec1Point(curve, compressed, true))).toBe(toHex(uncompressed));
        expect(agreeSec1(curve, noble, compressed)).toBe(toHex(uncompressed));
        // A copy, not a view of the input.
        const out = decodeSec1Point(curve, uncompressed, true);
        out[1] = (out[1] as number) ^ 1;
        expect(toHex(decodeSec1Point(curve, uncompressed, true))).toBe(toHex(uncompressed));
      }
    });

    it(`${curve}: random strings are accepted exactly when noble accepts them (about half of the compressed ones)`, () => {
      let accepted = 0;
      for (let i = 0; i < 400; i++) {
        const x = randomBytes(L);
        if (curve === 'P-521') x[0] = (x[0] as number) & 1; // x < 2^521, else nearly all x >= p
        if (agreeSec1(curve, noble, Uint8Array.of(0x02 | (i & 1), ...x)) !== undefined) accepted++;
      }
      expect(accepted).toBeGreaterThan(120);
      expect(accepted).toBeLessThan(280);
      for (let i = 0; i < 100; i++) agreeSec1(curve, noble, Uint8Array.of(0x04, ...randomBytes(2 * L)));
      for (let i = 0; i < 200; i++) agreeSec1(curve, noble, randomBytes([0, 1, L, 1 + L, 2 * L, c.pointLength, c.pointLength + 1][i % 7] as number));
      // Leading zero octets in an x that fits in fewer bytes (x < 2^(8L-8)) are still required.
      agreeSec1(curve, noble, withX(0x02, 3n));
    });

    it(`${curve}: mutated points (y bit, x or y = p, x >= p, prefixes, lengths) are accepted exactly when noble accepts them`, () => {
      const max = (1n << BigInt(8 * L)) - 1n;
      for (let i = 0; i < 16; i++) {
        const point = noble.getPublicKey(noble.utils.randomSecretKey(), false);
        const [x, y] = coordinates(point);
        // Every bit of y flipped, one at a time on a few points.
        for (let bit = 0; bit < 8 * L; bit += i + 1) expect(agreeSec1(curve, noble, withXY(x, y ^ (1n << BigInt(bit))))).toBeUndefined();
        // The other root is a point; the non-reduced coordinates x + p and y + p are not, nor are x or y = p.
        expect(agreeSec1(curve, noble, withXY(x, c.p - y))).toBeDefined();
        for (const [mx, my] of [
          [x, c.p],
          [c.p, y],
          [x + c.p, y],
          [x, y + c.p],
          [max, y],
          [x, max],
        ] as const) {
          if (mx <= max && my <= max) expect(agreeSec1(curve, noble, withXY(mx, my))).toBeUndefined();
        }
        for (const cx of [c.p, c.p + 1n, x + c.p, max]) {
          if (cx <= max) for (const head of [0x02, 0x03]) expect(agreeSec1(curve, noble, withX(head, cx))).toBeUndefined();
        }
        // Other prefixes: identity, hybrid, unknown.
        for (const head of [0x00, 0x01, 0x05, 0x06, 0x07, 0xff]) {
          const other = point.slice();
          other[0] = head;
          expect(agreeSec1(curve, noble, other)).toBeUndefined();
          expect(agreeSec1(curve, noble, Uint8Array.of(head, ...point.subarray(1, 1 + L)))).toBeUndefined();
        }
        // Lengths around the two forms.
        const compressed = noble.getPublicKey(noble.utils.randomSecretKey(), true);
        const lengths = [point.subarray(0, -1), Uint8Array.of(...point, 0), compressed.subarray(0, -1), Uint8Array.of(...compressed, 0), Uint8Array.of(0), new Uint8Array(0)];
        for (const bad of lengths) expect(agreeSec1(curve, noble, bad)).toBeUndefined();
      }
    });

    it(`${curve}: the error messages say which check failed`, () => {
      const point = noble.getPublicKey(noble.utils.randomSecretKey(), false);
      const offCurve = point.slice();
      offCurve[c.pointLength - 1] = (offCurve[c.pointLength - 1] as number) ^ 1;
      const compressed = noble.getPublicKey(noble.utils.randomSecretKey(), true);
      const thrown = (bytes: Uint8Array, allowCompressed: boolean): CryptoError => {
        try {
          decodeSec1Point(curve, bytes, allowCompressed);
        } catch (e) {
          if (e instanceof CryptoError) return e;
          throw e;
        }
        throw new Error(`${toHex(bytes)} decoded`);
      };
      const form = (allowCompressed: boolean): string => `${curve} public key must be an ${allowCompressed ? '' : 'uncompressed '}SEC1 point`;
      for (const [bytes, allowCompressed] of [
        [Uint8Array.of(0), true],
        [compressed, false],
        [point.subarray(1), true],
      ] as const) {
        const e = thrown(bytes, allowCompressed);
        expect(e.code).toBe('INVALID_PUBLIC_KEY');
        expect(e.message).toBe(form(allowCompressed));
      }
      for (const bytes of [offCurve, withX(0x02, c.p)]) {
        const e = thrown(bytes, true);
        expect(e.code).toBe('INVALID_PUBLIC_KEY');
        expect(e.message).toBe(`${curve} public key is not a point on the curve`);
      }
    });
  }
});

const EDWARDS: readonly [name: string, noble: EdDSA, size: number, p: bigint, ours: (key: Uint8Array) => boolean][] = [
  ['Ed25519', ed25519, 32, (1n << 255n) - 19n, ed25519PointIsCanonical],
  ['Ed448', ed448, 57, (1n << 448n) - (1n << 224n) - 1n, ed448PointIsCanonical],
];

/** noble's strict RFC 8032 decoding (zip215: false) as a verdict. */
function nobleEdwards(noble: EdDSA, key: Uint8Array): boolean {
  try {
    noble.Point.fromBytes(key, false);
    return true;
  } catch {
    return false;
  }
}

describe('Edwards point checks against noble', () => {
  for (const [name, noble, size, p, ours] of EDWARDS) {
    /** Little-endian y with the sign bit (RFC 8032 §5.1.2 / §5.2.2). */
    const encode = (y: bigint, sign: 0 | 1): Uint8Array => {
      const out = i2osp(y, size).reverse();
      out[size - 1] = (out[size - 1] as number) | (sign << 7);
      return out;
    };
    const agree = (key: Uint8Array): boolean => {
      const verdict = nobleEdwards(noble, key);
      expect(ours(key), `${name} ${toHex(key)}`).toBe(verdict);
      return verdict;
    };

    it(`${name}: the curve constants are noble's`, () => {
      expect(noble.Point.Fp.ORDER).toBe(p);
      expect(noble.Point.CURVE().d).toBe(name === 'Ed25519' ? mod(-121665n * modInverse(121666n, p), p) : p - 39081n);
    });

    it(`${name}: noble public keys are points`, () => {
      for (let i = 0; i < 64; i++) expect(agree(noble.getPublicKey(noble.utils.randomSecretKey()))).toBe(true);
    });

    it(`${name}: random strings (about half are points) get noble's verdict`, () => {
      let accepted = 0;
      for (let i = 0; i < 600; i++) {
        const key = randomBytes(size);
        // Ed448: the final octet holds only the sign bit, or y >= 2^448 > p.
        if (size === 57 && i % 3 !== 0) key[56] = (key[56] as number) & 0x80;
        if (agree(key)) accepted++;
      }
      expect(accepted).toBeGreaterThan(name === 'Ed25519' ? 220 : 130);
    });

    it(`${name}: every y >= p near p, and y = p-1, p-2, ... is decided as noble does`, () => {
      const top = (1n << BigInt(size === 32 ? 255 : 448)) - 1n;
      const ys: bigint[] = [];
      for (let k = 0n; k <= 64n; k++) ys.push(p + k, p - 1n - k);
      for (let k = 0n; k < 64n; k++) ys.push(top - k);
      if (size === 57) for (let i = 0; i < 64; i++) ys.push(p + BigInt(`0x${toHex(randomBytes(27))}`)); // 2^224 values above p
      let refused = 0;
      for (const y of ys) {
        if (y > top) continue;
        for (const sign of [0, 1] as const) {
          if (!agree(encode(y, sign))) refused++;
          if (y >= p) expect(ours(encode(y, sign))).toBe(false);
        }
      }
      // Ed25519: all 19 y in [p, 2^255) exist; nothing between p and 2^255 decodes.
      if (size === 32) expect(refused).toBeGreaterThanOrEqual(2 * 19);
    });

    it(`${name}: x = 0 points (y = 1, y = p-1) only without the sign bit; the small-order points decode`, () => {
      expect(agree(encode(1n, 0))).toBe(true);
      expect(agree(encode(1n, 1))).toBe(false);
      expect(agree(encode(p - 1n, 0))).toBe(true);
      expect(agree(encode(p - 1n, 1))).toBe(false);
      const smallOrder =
        name === 'Ed25519'
          ? [
              '0100000000000000000000000000000000000000000000000000000000000000',
              'ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f',
              '0000000000000000000000000000000000000000000000000000000000000000',
              '0000000000000000000000000000000000000000000000000000000000000080',
              'c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a',
              'c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac03fa',
              '26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05',
              '26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc85',
            ].map(hex)
          : [encode(1n, 0), encode(p - 1n, 0), encode(0n, 0), encode(0n, 1)];
      for (const key of smallOrder) {
        expect(noble.Point.fromBytes(key, false).isSmallOrder(), toHex(key)).toBe(true);
        expect(agree(key), toHex(key)).toBe(true);
      }
    });

    it(`${name}: wrong lengths and non-bytes are false, never an exception`, () => {
      const key = noble.getPublicKey(noble.utils.randomSecretKey());
      for (const bad of [new Uint8Array(0), key.subarray(1), Uint8Array.of(...key, 0), new Uint8Array(size === 32 ? 57 : 32)]) {
        expect(ours(bad)).toBe(false);
      }
      expect(ours([...key] as unknown as Uint8Array)).toBe(false);
      expect(ours(undefined as unknown as Uint8Array)).toBe(false);
    });
  }
});

interface EcPointTest extends WycheproofTest {
  readonly public: string;
}

const ECPOINT_CURVES: readonly [file: string, curve: EcCurve, noble: ECDSA][] = [
  ['ecdh_secp256r1_ecpoint_test.json', 'P-256', p256],
  ['ecdh_secp384r1_ecpoint_test.json', 'P-384', p384],
];

if (!vectorsAvailable) {
  it('Wycheproof public points', (ctx) => ctx.skip(vectorsMissingReason));
} else {
  describe('Wycheproof public points', () => {
    for (const [file, curve, noble] of ECPOINT_CURVES) {
      it(`${file}: valid points decode to themselves, invalid encodings and off-curve points are refused, all as noble decides`, () => {
        const vectors = loadWycheproof<EcPointTest>(file);
        let refused = 0;
        let cases = 0;
        for (const g of vectors.testGroups) {
          for (const t of g.tests) {
            cases++;
            const point = hex(t.public);
            const verdict = agreeSec1(curve, noble, point);
            if (t.result === 'valid') expect(verdict, `tcId ${t.tcId}`).toBe(t.public);
            if (['InvalidCurveAttack', 'InvalidEncoding', 'InvalidCompressedPublic'].some((f) => t.flags.includes(f))) {
              expect(verdict, `tcId ${t.tcId} ${t.comment}`).toBeUndefined();
              refused++;
            }
          }
        }
        console.log(`${file}: ${cases} public points, ${refused} invalid ones refused`);
        expect(cases).toBe(vectors.numberOfTests);
        // InvalidCurveAttack 16, InvalidEncoding 1, InvalidCompressedPublic 1 in both files.
        expect(refused).toBe(18);
      });
    }

    it('ECDSA and Ed25519 group keys are points', () => {
      const ecdsa: readonly [string, EcCurve][] = [
        ['ecdsa_secp256r1_sha256_test.json', 'P-256'],
        ['ecdsa_secp384r1_sha384_test.json', 'P-384'],
      ];
      for (const [file, curve] of ecdsa) {
        const groups = loadWycheproof(file).testGroups as readonly (WycheproofGroup & { readonly publicKey: { readonly uncompressed: string } })[];
        for (const g of groups) expect(toHex(decodeSec1Point(curve, hex(g.publicKey.uncompressed), false))).toBe(g.publicKey.uncompressed);
      }
      const eddsa = loadWycheproof('ed25519_test.json').testGroups as readonly (WycheproofGroup & { readonly publicKey: { readonly pk: string } })[];
      for (const g of eddsa) {
        expect(nobleEdwards(ed25519, hex(g.publicKey.pk))).toBe(true);
        expect(ed25519PointIsCanonical(hex(g.publicKey.pk)), g.publicKey.pk).toBe(true);
      }
    });
  });
}
