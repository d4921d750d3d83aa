/**
 * The NIST domain constants of curve-params.ts against @noble/curves (truth from outside our code),
 * so that a typo in a hex literal cannot hide; and the private-scalar range check at its edges.
 */
import { describe, expect, it } from 'vitest';
import { p256, p384, p521 } from '@noble/curves/nist.js';
import type { ECDSA } from '@noble/curves/abstract/weierstrass.js';
import type { EcCurve } from '@puretls/crypto';
import { assertEcPrivateScalar, ecCurveParams } from '../src/curve-params.js';
import { i2osp } from '../src/rsa/bigint.js';

const NOBLE: readonly [EcCurve, ECDSA][] = [
  ['P-256', p256],
  ['P-384', p384],
  ['P-521', p521],
];

describe('NIST curve parameters', () => {
  for (const [name, noble] of NOBLE) {
    it(`${name}: p, n, b, a = -3, cofactor 1 and the lengths equal noble's`, () => {
      const c = ecCurveParams(name);
      const curve = noble.Point.CURVE();
      expect(c.name).toBe(name);
      expect(c.p).toBe(noble.Point.Fp.ORDER);
      expect(c.p).toBe(curve.p);
      expect(c.n).toBe(noble.Point.Fn.ORDER);
      expect(c.n).toBe(curve.n);
      expect(c.b).toBe(curve.b);
      expect(curve.a).toBe(c.p - 3n);
      expect(curve.h).toBe(1n);
      expect(c.p % 4n).toBe(3n); // point-decode.ts takes square roots as one exponentiation
      expect(c.scalarLength).toBe(noble.Point.Fn.BYTES);
      expect(c.fieldLength).toBe(noble.Point.Fp.BYTES);
      expect(c.pointLength).toBe(noble.getPublicKey(noble.utils.randomSecretKey(), false).length);
      expect(c.fieldLength + 1).toBe(noble.getPublicKey(noble.utils.randomSecretKey(), true).length);
      expect(Object.isFrozen(c)).toBe(true);
    });
  }

  it('an unknown curve name is a RangeError naming it', () => {
    expect(() => ecCurveParams('P-224' as EcCurve)).toThrow(/P-224/);
    expect(() => ecCurveParams('toString' as EcCurve)).toThrow(RangeError);
  });
});

describe('assertEcPrivateScalar', () => {
  for (const [name] of NOBLE) {
    it(`${name}: accepts 1 and n-1, refuses 0, n, 2^bits-1, wrong lengths and non-bytes`, () => {
      const c = ecCurveParams(name);
      const L = c.scalarLength;
      for (const d of [1n, 2n, c.n - 1n]) expect(() => assertEcPrivateScalar(c, i2osp(d, L), 'key.d')).not.toThrow();
      for (const d of [0n, c.n, c.n + 1n, (1n << BigInt(8 * L)) - 1n]) {
        expect(() => assertEcPrivateScalar(c, i2osp(d, L), 'key.d')).toThrow(new RangeError(`key.d must be in [1, n-1] for ${name}`));
      }
      expect(() => assertEcPrivateScalar(c, new Uint8Array(L - 1).fill(1), 'privateKey')).toThrow(
        new RangeError(`privateKey must be ${L} bytes for ${name}, got ${L - 1}`),
      );
      expect(() => assertEcPrivateScalar(c, new Uint8Array(L + 1), 'privateKey')).toThrow(RangeError);
      expect(() => assertEcPrivateScalar(c, [1, 2, 3], 'key.d')).toThrow(new TypeError('key.d must be a Uint8Array'));
    });
  }
});
