/**
 * Signature dispatch for the noble provider: ECDSA, Ed25519, Ed448 and RSA (PSS, PKCS#1 v1.5)
 * by `SignatureAlgorithm.type`. A key of the wrong kind or curve makes `nobleSign` throw
 * CryptoError KEY_ALGORITHM_MISMATCH and `nobleVerify` return false; a malformed algorithm
 * object is a caller error (TypeError/RangeError). Verification never throws on data.
 */
import { ecdsaSign, ecdsaVerify } from './ecdsa.js';
import { ed25519Sign, ed25519Verify, ed448Sign, ed448Verify } from './eddsa.js';
import { CryptoError } from './errors.js';
import { rsaPkcs1Sign, rsaPkcs1Verify, rsaPssSign, rsaPssVerify } from './rsa/index.js';
import type { EcCurve, HashName, PrivateKey, PublicKey, RandomSource, SignatureAlgorithm } from './types.js';

const HASH_NAMES: readonly string[] = ['SHA-256', 'SHA-384', 'SHA-512'] satisfies readonly HashName[];
const CURVE_NAMES: readonly string[] = ['P-256', 'P-384', 'P-521'] satisfies readonly EcCurve[];

function assertHash(value: unknown, argument: string): void {
  if (typeof value !== 'string' || !HASH_NAMES.includes(value)) throw new RangeError(`${argument} must be SHA-256, SHA-384 or SHA-512`);
}

/** Checks the algorithm object itself: a bad one is the caller's error, not the peer's. */
function assertAlgorithm(alg: SignatureAlgorithm): void {
  if (typeof alg !== 'object' || alg === null) throw new TypeError('algorithm must be a SignatureAlgorithm object');
  switch (alg.type) {
    case 'ecdsa':
      if (!CURVE_NAMES.includes(alg.curve)) throw new RangeError('algorithm.curve must be P-256, P-384 or P-521');
      assertHash(alg.hash, 'algorithm.hash');
      if (alg.encoding !== 'der' && alg.encoding !== 'p1363') throw new RangeError("algorithm.encoding must be 'der' or 'p1363'");
      return;
    case 'ed25519':
    case 'ed448':
      return;
    case 'rsa-pss':
      assertHash(alg.hash, 'algorithm.hash');
      assertHash(alg.mgfHash, 'algorithm.mgfHash');
      if (!Number.isSafeInteger(alg.saltLength) || alg.saltLength < 0) throw new RangeError('algorithm.saltLength must be a non-negative integer');
      return;
    case 'rsa-pkcs1':
      assertHash(alg.hash, 'algorithm.hash');
      return;
    default:
      throw new TypeError(`algorithm.type is not supported: ${String((alg as { type?: unknown }).type)}`);
  }
}

function assertBytes(value: unknown, argument: string): asserts value is Uint8Array {
  if (!(value instanceof Uint8Array)) throw new TypeError(`${argument} must be a Uint8Array`);
}

function mismatch(alg: SignatureAlgorithm, key: { readonly kind?: unknown }): CryptoError {
  return new CryptoError('KEY_ALGORITHM_MISMATCH', `a ${String(key.kind)} key cannot sign with ${alg.type}`);
}

export function nobleSign(alg: SignatureAlgorithm, key: PrivateKey, message: Uint8Array, random: RandomSource): Uint8Array {
  assertAlgorithm(alg);
  if (typeof key !== 'object' || key === null) throw new TypeError('key must be a PrivateKey object');
  assertBytes(message, 'message');
  switch (alg.type) {
    case 'ecdsa':
      if (key.kind !== 'ec' || key.curve !== alg.curve) throw mismatch(alg, key);
      return ecdsaSign(alg.curve, alg.hash, alg.encoding, key.d, message, random);
    case 'ed25519':
      if (key.kind !== 'ed25519') throw mismatch(alg, key);
      return ed25519Sign(key.seed, message);
    case 'ed448':
      if (key.kind !== 'ed448') throw mismatch(alg, key);
      return ed448Sign(key.seed, message);
    case 'rsa-pss':
      if (key.kind !== 'rsa') throw mismatch(alg, key);
      return rsaPssSign(key, alg.hash, alg.saltLength, message, random, alg.mgfHash);
    case 'rsa-pkcs1':
      if (key.kind !== 'rsa') throw mismatch(alg, key);
      return rsaPkcs1Sign(key, alg.hash, message, random);
  }
}

export function nobleVerify(alg: SignatureAlgorithm, key: PublicKey, message: Uint8Array, signature: Uint8Array): boolean {
  assertAlgorithm(alg);
  assertBytes(message, 'message');
  assertBytes(signature, 'signature');
  if (typeof key !== 'object' || key === null) return false;
  try {
    switch (alg.type) {
      case 'ecdsa':
        return key.kind === 'ec' && key.curve === alg.curve && ecdsaVerify(alg.curve, alg.hash, alg.encoding, key.point, message, signature);
      case 'ed25519':
        return key.kind === 'ed25519' && ed25519Verify(key.key, message, signature);
      case 'ed448':
        return key.kind === 'ed448' && ed448Verify(key.key, message, signature);
      case 'rsa-pss':
        return key.kind === 'rsa' && rsaPssVerify({ n: key.n, e: key.e }, alg.hash, alg.mgfHash, alg.saltLength, message, signature);
      case 'rsa-pkcs1':
        return key.kind === 'rsa' && rsaPkcs1Verify({ n: key.n, e: key.e }, alg.hash, message, signature);
    }
  } catch {
    // A malformed key (a peer's certificate) is data: no valid signature, never a crash.
    return false;
  }
}
