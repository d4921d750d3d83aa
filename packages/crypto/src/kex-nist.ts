/**
 * secp256r1 / secp384r1 / secp521r1 ECDHE of the noble provider (SEC 1 ECDH on @noble/curves): key
 * shares are uncompressed SEC1 points only (RFC 8446 §4.2.8.2), the shared secret is the
 * x-coordinate (§7.4.2). A bad peer share is CryptoError INVALID_PUBLIC_KEY, never a crash; a bad
 * local private key is a TypeError/RangeError naming `privateKey`. Loaded with family-nist.ts.
 */
import { assertEcScalar, ecCurve, ecPointFromBytes, type EcCurveInfo } from './ecdsa.js';
import { randomBytesFrom } from './random.js';
import type { EcCurve, KeyExchangeGroup, KeyPair, RandomSource } from './types.js';

function assertBytes(value: unknown, argument: string): asserts value is Uint8Array {
  if (!(value instanceof Uint8Array)) throw new TypeError(`${argument} must be a Uint8Array`);
}

/** secp256r1 / secp384r1 / secp521r1 ECDHE (RFC 8446 §4.2.8.2, §7.4.2). */
export function nistGroup(name: 'secp256r1' | 'secp384r1' | 'secp521r1', curve: EcCurve, random: RandomSource): KeyExchangeGroup {
  const c: EcCurveInfo = ecCurve(curve);
  const { Point } = c.ecdsa;
  const seedLength = c.ecdsa.lengths.seed;
  if (seedLength === undefined) throw new Error(`noble ${curve} exposes no seed length`);
  const keyPairFromPrivateKey = (privateKey: Uint8Array): KeyPair => {
    assertEcScalar(c, privateKey, 'privateKey');
    return { privateKey: privateKey.slice(), publicKey: c.ecdsa.getPublicKey(privateKey, false) };
  };
  return Object.freeze({
    name,
    publicKeyLength: c.pointLength,
    generateKeyPair(): KeyPair {
      // FIPS 186-5 §A.2.1 style: 1.5x the order length of random bytes reduced mod n-1, plus 1
      // (noble's randomSecretKey): no rejection loop and a negligible bias.
      const seed = randomBytesFrom(random, seedLength);
      return keyPairFromPrivateKey(c.ecdsa.utils.randomSecretKey(seed));
    },
    keyPairFromPrivateKey,
    sharedSecret(privateKey: Uint8Array, peerPublicKey: Uint8Array): Uint8Array {
      assertEcScalar(c, privateKey, 'privateKey');
      assertBytes(peerPublicKey, 'peerPublicKey');
      // RFC 8446 §4.2.8.2: only the uncompressed form; the point must be on the curve and not
      // the identity (SEC 1 §3.2.2.1), which ecPointFromBytes checks.
      const peer = ecPointFromBytes(c, peerPublicKey, false);
      const d = Point.Fn.fromBytes(privateKey);
      // Cofactor 1 and 1 <= d < n: the product is never the identity. RFC 8446 §7.4.2: the
      // shared secret is the x-coordinate, as a fixed-length field element (SEC 1 §2.3.5).
      return Point.Fp.toBytes(peer.multiply(d).toAffine().x);
    },
  } satisfies KeyExchangeGroup);
}

