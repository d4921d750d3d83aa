/**
 * The (EC)DHE groups of TLS 1.3 (RFC 8446 §4.2.7) on @noble/curves: X25519 and X448 (RFC 7748),
 * secp256r1/384r1/521r1 (SEC 1 ECDH). Key shares use the encodings of RFC 8446 §4.2.8.2: raw 32/56
 * bytes for X25519/X448, uncompressed SEC1 points only for the NIST curves. Peer shares are
 * hostile: every bad one is a CryptoError (INVALID_PUBLIC_KEY, ZERO_SHARED_SECRET), never a crash.
 * Local private keys are the caller's: a bad one is a TypeError/RangeError naming `privateKey`.
 */
import { x25519 } from '@noble/curves/ed25519.js';
import { x448 } from '@noble/curves/ed448.js';
import { assertEcScalar, ecCurve, ecPointFromBytes, type EcCurveInfo } from './ecdsa.js';
import { checkedXdhGroup } from './kex-checked.js';
import { randomBytesFrom } from './random.js';
import type { EcCurve, KeyExchangeGroup, KeyPair, NamedGroupName, RandomSource } from './types.js';

interface Montgomery {
  getPublicKey(secretKey: Uint8Array): Uint8Array;
  getSharedSecret(secretKey: Uint8Array, publicKey: Uint8Array): Uint8Array;
}

function assertBytes(value: unknown, argument: string): asserts value is Uint8Array {
  if (!(value instanceof Uint8Array)) throw new TypeError(`${argument} must be a Uint8Array`);
}

/** X25519 / X448 (RFC 7748 §5, §6), behind the shared checks of kex-checked.ts. */
function xdhGroup(name: 'x25519' | 'x448', impl: Montgomery, size: number, random: RandomSource): KeyExchangeGroup {
  const keyPair = (privateKey: Uint8Array): KeyPair => ({ privateKey: privateKey.slice(), publicKey: impl.getPublicKey(privateKey) });
  return checkedXdhGroup(name, {
    keyPair,
    // RFC 7748 §6: the private key is `size` random bytes (clamped when used).
    generateKeyPair: () => keyPair(randomBytesFrom(random, size)),
    // noble refuses the low-order u-coordinates before the ladder (a throw: ZERO_SHARED_SECRET).
    sharedSecret: (privateKey, peerPublicKey) => impl.getSharedSecret(privateKey, peerPublicKey),
  });
}

/** secp256r1 / secp384r1 / secp521r1 ECDHE (RFC 8446 §4.2.8.2, §7.4.2). */
function nistGroup(name: 'secp256r1' | 'secp384r1' | 'secp521r1', curve: EcCurve, random: RandomSource): KeyExchangeGroup {
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

export function nobleGroup(name: NamedGroupName, random: RandomSource): KeyExchangeGroup {
  if (typeof random !== 'function') throw new TypeError('random must be a function');
  switch (name) {
    case 'x25519':
      return xdhGroup('x25519', x25519, 32, random);
    case 'x448':
      return xdhGroup('x448', x448, 56, random);
    case 'secp256r1':
      return nistGroup('secp256r1', 'P-256', random);
    case 'secp384r1':
      return nistGroup('secp384r1', 'P-384', random);
    case 'secp521r1':
      return nistGroup('secp521r1', 'P-521', random);
    default:
      throw new RangeError(`name must be a supported NamedGroup, got ${String(name)}`);
  }
}
