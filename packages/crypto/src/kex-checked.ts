/**
 * The X25519 / X448 key-share checks every provider shares (RFC 7748 §5, §6; RFC 8446 §4.2.8.2,
 * §7.4.2): a provider supplies the raw operations (`XdhCore`) and `checkedXdhGroup` makes the
 * `KeyExchangeGroup`, so a local private key of the wrong type or size is a TypeError/RangeError
 * naming `privateKey`, a peer share of the wrong size is CryptoError INVALID_PUBLIC_KEY and a
 * low-order share (all-zero result) is CryptoError ZERO_SHARED_SECRET, whichever implementation runs.
 * No curve code here: importing it pulls in no implementation.
 */
import { CryptoError } from './errors.js';
import type { KeyExchangeGroup, KeyPair } from './types.js';

/** The raw operations of one XDH group; private keys are checked (right size) before they get here. */
export interface XdhCore {
  /** The key pair of `privateKey` (the pair keeps its own copy: the caller may reuse its buffer). */
  keyPair(privateKey: Uint8Array): KeyPair;
  /** A new key pair from the provider's randomness: `size` random bytes (clamped when used). */
  generateKeyPair(): KeyPair;
  /** X25519/X448 of a checked private key and a peer share of the right size; may throw on a low-order share. */
  sharedSecret(privateKey: Uint8Array, peerPublicKey: Uint8Array): Uint8Array;
}

const SIZES = { x25519: 32, x448: 56 } as const;

function assertBytes(value: unknown, argument: string): asserts value is Uint8Array {
  if (!(value instanceof Uint8Array)) throw new TypeError(`${argument} must be a Uint8Array`);
}

function isAllZero(b: Uint8Array): boolean {
  // OR of all bytes, as RFC 7748 §6.1 suggests, so the check itself leaks nothing.
  let acc = 0;
  for (let i = 0; i < b.length; i++) acc |= b[i] as number;
  return acc === 0;
}

/** The `name` group over `core`, with the checks described above. */
export function checkedXdhGroup(name: 'x25519' | 'x448', core: XdhCore): KeyExchangeGroup {
  const size = SIZES[name];
  function assertPrivate(privateKey: unknown): asserts privateKey is Uint8Array {
    assertBytes(privateKey, 'privateKey');
    if (privateKey.length !== size) throw new RangeError(`privateKey must be ${size} bytes for ${name}, got ${privateKey.length}`);
  }
  return Object.freeze({
    name,
    publicKeyLength: size,
    generateKeyPair: () => core.generateKeyPair(),
    keyPairFromPrivateKey(privateKey: Uint8Array): KeyPair {
      assertPrivate(privateKey);
      return core.keyPair(privateKey);
    },
    sharedSecret(privateKey: Uint8Array, peerPublicKey: Uint8Array): Uint8Array {
      assertPrivate(privateKey);
      assertBytes(peerPublicKey, 'peerPublicKey');
      if (peerPublicKey.length !== size) {
        throw new CryptoError('INVALID_PUBLIC_KEY', `${name} key share must be ${size} bytes, got ${peerPublicKey.length}`);
      }
      let shared: Uint8Array;
      try {
        shared = core.sharedSecret(privateKey, peerPublicKey);
      } catch {
        // With both lengths checked, the cores refuse only the low-order u-coordinates, which are
        // exactly the inputs that give an all-zero result (noble before the ladder, OpenSSL after).
        throw new CryptoError('ZERO_SHARED_SECRET', `${name} peer key share is a low-order point: the shared secret would be zero`);
      }
      // RFC 8446 §7.4.2 / RFC 7748 §6: abort on an all-zero shared secret.
      if (isAllZero(shared)) throw new CryptoError('ZERO_SHARED_SECRET', `${name} shared secret is all zero`);
      return shared;
    },
  } satisfies KeyExchangeGroup);
}
