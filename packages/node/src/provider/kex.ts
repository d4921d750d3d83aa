/**
 * The (EC)DHE groups of TLS 1.3 (RFC 8446 §4.2.7) on node:crypto: X25519/X448 (RFC 7748) and
 * secp256r1/384r1/521r1, with the semantics of the noble provider's kex.ts: the same key_share
 * encodings (RFC 8446 §4.2.8.2), the same errors (CryptoError INVALID_PUBLIC_KEY for a share that is
 * not a valid point of the group's encoding, ZERO_SHARED_SECRET for an all-zero X25519/X448 result,
 * RangeError/TypeError naming `privateKey` for a bad local key), and key generation that draws the
 * same bytes from the provider's `random` and maps them to the same key as noble does.
 */
import { createECDH, diffieHellman, type ECDH, type KeyObject } from 'node:crypto';
import { CryptoError, checkedXdhGroup, type EcCurve, type KeyExchangeGroup, type KeyPair, type NamedGroupName, type RandomSource } from '@puretls/crypto';
import { cachedKey, okpPrivateKey, okpPublicKey, remember } from './key-objects.js';
import { plain } from './hash.js';

function assertBytes(value: unknown, argument: string): asserts value is Uint8Array {
  if (!(value instanceof Uint8Array)) throw new TypeError(`${argument} must be a Uint8Array`);
}

function randomBytesFrom(random: RandomSource, length: number): Uint8Array {
  const out = new Uint8Array(length);
  random(out);
  return out;
}

function toBigInt(bytes: Uint8Array): bigint {
  let n = 0n;
  for (let i = 0; i < bytes.length; i++) n = (n << 8n) | BigInt(bytes[i] as number);
  return n;
}

function toBytes(n: bigint, length: number): Uint8Array {
  const out = new Uint8Array(length);
  for (let i = length - 1; i >= 0; i--, n >>= 8n) out[i] = Number(n & 0xffn);
  return out;
}

/**
 * X25519 / X448 (RFC 7748 §5, §6), behind the checks the noble provider uses too (`checkedXdhGroup`
 * of @puretls/crypto). Private keys are random bytes from the provider's `random` (RFC 7748 §6),
 * imported as a JWK: never `generateKeyPairSync` + a JWK export, which deadlocks Node 20 when a
 * collection runs inside the export (the finished key-generation job, freed by the collector, takes
 * the lock the export holds) — and the import is faster anyway (≈ 50 µs against ≈ 60 µs).
 */
function xdhGroup(name: 'x25519' | 'x448', size: number, random: RandomSource): KeyExchangeGroup {
  const keyOf = (privateKey: Uint8Array): KeyObject => cachedKey(privateKey, [privateKey], () => okpPrivateKey(name, privateKey, size).key);
  const keyPair = (privateKey: Uint8Array): KeyPair => {
    const copy = privateKey.slice();
    const { key, publicKey } = okpPrivateKey(name, copy, size);
    remember(copy, [copy], key);
    return { privateKey: copy, publicKey };
  };
  return checkedXdhGroup(name, {
    keyPair,
    generateKeyPair: (): KeyPair => keyPair(randomBytesFrom(random, size)),
    // Every u-coordinate of the right length imports; OpenSSL's only derivation failure left is the
    // all-zero result of a low-order point (RFC 7748 §6.1), a throw: ZERO_SHARED_SECRET.
    sharedSecret: (privateKey, peerPublicKey) => plain(diffieHellman({ privateKey: keyOf(privateKey), publicKey: okpPublicKey(name, peerPublicKey) })),
  });
}

interface NistCurve {
  readonly curve: EcCurve;
  readonly n: bigint;
  readonly scalarLength: number;
  readonly pointLength: number;
  /** noble's `lengths.seed`: 1.5 × the order length (FIPS 186-5 §A.2.1). */
  readonly seedLength: number;
  /** OpenSSL's name. */
  readonly node: string;
}

const NIST: Readonly<Record<'secp256r1' | 'secp384r1' | 'secp521r1', NistCurve>> = {
  secp256r1: { curve: 'P-256', n: 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n, scalarLength: 32, pointLength: 65, seedLength: 48, node: 'prime256v1' },
  secp384r1: {
    curve: 'P-384',
    n: 0xffffffffffffffffffffffffffffffffffffffffffffffffc7634d81f4372ddf581a0db248b0a77aecec196accc52973n,
    scalarLength: 48,
    pointLength: 97,
    seedLength: 72,
    node: 'secp384r1',
  },
  secp521r1: {
    curve: 'P-521',
    n: 0x01fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffa51868783bf2f966b7fcc0148f709a5d03bb5c9b8899c47aebb6fb71e91386409n,
    scalarLength: 66,
    pointLength: 133,
    seedLength: 99,
    node: 'secp521r1',
  },
};

/** SEC 1 §3.2.1 for a caller's scalar: `scalarLength` big-endian bytes with 1 <= d < n. */
export function assertEcScalar(c: { readonly curve: EcCurve; readonly n: bigint; readonly scalarLength: number }, d: unknown, argument: string): asserts d is Uint8Array {
  if (!(d instanceof Uint8Array)) throw new TypeError(`${argument} must be a Uint8Array`);
  if (d.length !== c.scalarLength) throw new RangeError(`${argument} must be ${c.scalarLength} bytes for ${c.curve}, got ${d.length}`);
  const v = toBigInt(d);
  if (v === 0n || v >= c.n) throw new RangeError(`${argument} must be in [1, n-1] for ${c.curve}`);
}

export function nistCurve(curve: EcCurve): NistCurve {
  const c = curve === 'P-256' ? NIST.secp256r1 : curve === 'P-384' ? NIST.secp384r1 : curve === 'P-521' ? NIST.secp521r1 : undefined;
  if (c === undefined) throw new RangeError(`curve must be P-256, P-384 or P-521, got ${String(curve)}`);
  return c;
}

/** secp256r1 / secp384r1 / secp521r1 ECDHE (RFC 8446 §4.2.8.2, §7.4.2), on node:crypto's ECDH objects. */
function nistGroup(name: 'secp256r1' | 'secp384r1' | 'secp521r1', random: RandomSource, injected: boolean): KeyExchangeGroup {
  const c = NIST[name];
  const ecdhOf = (d: Uint8Array): ECDH =>
    cachedKey(d, [d], () => {
      const e = createECDH(c.node);
      e.setPrivateKey(d);
      return e;
    });
  const keyPairFromPrivateKey = (privateKey: Uint8Array): KeyPair => {
    assertEcScalar(c, privateKey, 'privateKey');
    const copy = privateKey.slice();
    return { privateKey: copy, publicKey: plain(ecdhOf(copy).getPublicKey()) };
  };
  return Object.freeze({
    name,
    publicKeyLength: c.pointLength,
    generateKeyPair(): KeyPair {
      if (!injected) {
        // OpenSSL's key generation from its own CSPRNG (the provider's default source).
        const e = createECDH(c.node);
        const publicKey = plain(e.generateKeys());
        const privateKey = toBytes(toBigInt(e.getPrivateKey()), c.scalarLength); // getPrivateKey() drops leading zeros
        remember(privateKey, [privateKey], e);
        return { privateKey, publicKey };
      }
      // noble's randomSecretKey: 1.5× the order length of random bytes, reduced mod n-1, plus 1.
      const seed = toBigInt(randomBytesFrom(random, c.seedLength));
      return keyPairFromPrivateKey(toBytes((seed % (c.n - 1n)) + 1n, c.scalarLength));
    },
    keyPairFromPrivateKey,
    sharedSecret(privateKey: Uint8Array, peerPublicKey: Uint8Array): Uint8Array {
      assertEcScalar(c, privateKey, 'privateKey');
      assertBytes(peerPublicKey, 'peerPublicKey');
      // RFC 8446 §4.2.8.2: only the uncompressed form; the point must be on the curve (OpenSSL
      // checks it when decoding) and cannot be the identity, which has no uncompressed encoding.
      if (peerPublicKey.length !== c.pointLength || peerPublicKey[0] !== 0x04) {
        throw new CryptoError('INVALID_PUBLIC_KEY', `${c.curve} public key must be an uncompressed SEC1 point`);
      }
      let shared: Uint8Array;
      try {
        shared = plain(ecdhOf(privateKey).computeSecret(peerPublicKey));
      } catch {
        throw new CryptoError('INVALID_PUBLIC_KEY', `${c.curve} public key is not a point on the curve`);
      }
      // RFC 8446 §7.4.2: the x-coordinate, as a fixed-length field element (SEC 1 §2.3.5).
      return shared.length === c.scalarLength ? shared : toBytes(toBigInt(shared), c.scalarLength);
    },
  } satisfies KeyExchangeGroup);
}

/** `injected`: the caller supplied `random`, so key generation must draw from it. */
export function nodeGroup(name: NamedGroupName, random: RandomSource, injected: boolean): KeyExchangeGroup {
  if (typeof random !== 'function') throw new TypeError('random must be a function');
  switch (name) {
    case 'x25519':
      return xdhGroup('x25519', 32, random);
    case 'x448':
      return xdhGroup('x448', 56, random);
    case 'secp256r1':
    case 'secp384r1':
    case 'secp521r1':
      return nistGroup(name, random, injected);
    default:
      throw new RangeError(`name must be a supported NamedGroup, got ${String(name)}`);
  }
}
