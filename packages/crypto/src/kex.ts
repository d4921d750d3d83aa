/**
 * X25519 and X448 (RFC 7748) key exchange of the noble provider, over the curve a family module
 * hands in (family-25519.ts, family-448.ts): raw 32/56-byte shares (RFC 8446 §4.2.8.2). Peer shares
 * are hostile: every bad one is a CryptoError (INVALID_PUBLIC_KEY, ZERO_SHARED_SECRET), never a
 * crash. Local private keys are the caller's: a bad one is a TypeError/RangeError naming `privateKey`.
 * The NIST groups are in kex-nist.ts.
 */
import { checkedXdhGroup } from './kex-checked.js';
import { randomBytesFrom } from './random.js';
import type { KeyExchangeGroup, KeyPair, RandomSource } from './types.js';

export interface Montgomery {
  getPublicKey(secretKey: Uint8Array): Uint8Array;
  getSharedSecret(secretKey: Uint8Array, publicKey: Uint8Array): Uint8Array;
}

/** X25519 / X448 (RFC 7748 §5, §6), behind the shared checks of kex-checked.ts. */
export function xdhGroup(name: 'x25519' | 'x448', impl: Montgomery, size: number, random: RandomSource): KeyExchangeGroup {
  const keyPair = (privateKey: Uint8Array): KeyPair => ({ privateKey: privateKey.slice(), publicKey: impl.getPublicKey(privateKey) });
  return checkedXdhGroup(name, {
    keyPair,
    // RFC 7748 §6: the private key is `size` random bytes (clamped when used).
    generateKeyPair: () => keyPair(randomBytesFrom(random, size)),
    // noble refuses the low-order u-coordinates before the ladder (a throw: ZERO_SHARED_SECRET).
    sharedSecret: (privateKey, peerPublicKey) => impl.getSharedSecret(privateKey, peerPublicKey),
  });
}
