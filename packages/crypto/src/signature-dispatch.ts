/**
 * The signature dispatcher every provider shares: it checks the algorithm object and the arguments
 * (a bad one is the caller's error: TypeError/RangeError naming it), matches the key to the
 * algorithm, and hands each family of `SignatureAlgorithm.type` only a key of its kind (and, for
 * ECDSA, its curve). A key that does not match makes `sign` throw CryptoError
 * KEY_ALGORITHM_MISMATCH and `verify` return false; `verify` never throws on data (a malformed key
 * or signature is `false`), only when the verification could not run at all (a lazy provider's
 * module that failed to load: CryptoError ALGORITHM_LOAD_FAILED, not a signature that failed). No algorithm code here: importing it pulls in no implementation.
 */
import { CryptoError, isLoadFailure } from './errors.js';
import type { EcCurve, HashName, MaybePromise, PrivateKey, PublicKey, SignatureAlgorithm } from './types.js';

type Kinds = { ecdsa: 'ec'; ed25519: 'ed25519'; ed448: 'ed448'; 'rsa-pss': 'rsa'; 'rsa-pkcs1': 'rsa' };

/**
 * One family of a provider's signatures, called with checked arguments and a key of the matching kind.
 * A family may answer asynchronously (WebCrypto); `R` is `MaybePromise` then.
 */
export interface SignatureFamily<T extends SignatureAlgorithm['type'], Async extends boolean = false> {
  sign(alg: Extract<SignatureAlgorithm, { type: T }>, key: Extract<PrivateKey, { kind: Kinds[T] }>, message: Uint8Array): Answer<Uint8Array, Async>;
  /** May throw (or reject) on malformed data: the dispatcher turns that into `false`. */
  verify(alg: Extract<SignatureAlgorithm, { type: T }>, key: Extract<PublicKey, { kind: Kinds[T] }>, message: Uint8Array, signature: Uint8Array): Answer<boolean, Async>;
}

type Answer<T, Async extends boolean> = Async extends true ? MaybePromise<T> : T;

export type SignatureBackend<Async extends boolean = false> = { readonly [T in SignatureAlgorithm['type']]: SignatureFamily<T, Async> };

export interface SignatureDispatch<Async extends boolean = false> {
  sign(alg: SignatureAlgorithm, key: PrivateKey, message: Uint8Array): Answer<Uint8Array, Async>;
  verify(alg: SignatureAlgorithm, key: PublicKey, message: Uint8Array, signature: Uint8Array): Answer<boolean, Async>;
}

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

/** `sign` and `verify` over `backend`, with the checks and key matching described above. */
export function dispatchSignatures(backend: SignatureBackend): SignatureDispatch;
export function dispatchSignatures(backend: SignatureBackend<true>): SignatureDispatch<true>;
export function dispatchSignatures(backend: SignatureBackend<boolean>): SignatureDispatch<boolean> {
  return {
    sign(alg, key, message) {
      assertAlgorithm(alg);
      if (typeof key !== 'object' || key === null) throw new TypeError('key must be a PrivateKey object');
      assertBytes(message, 'message');
      switch (alg.type) {
        case 'ecdsa':
          if (key.kind !== 'ec' || key.curve !== alg.curve) throw mismatch(alg, key);
          return backend.ecdsa.sign(alg, key, message);
        case 'ed25519':
          if (key.kind !== 'ed25519') throw mismatch(alg, key);
          return backend.ed25519.sign(alg, key, message);
        case 'ed448':
          if (key.kind !== 'ed448') throw mismatch(alg, key);
          return backend.ed448.sign(alg, key, message);
        case 'rsa-pss':
          if (key.kind !== 'rsa') throw mismatch(alg, key);
          return backend['rsa-pss'].sign(alg, key, message);
        case 'rsa-pkcs1':
          if (key.kind !== 'rsa') throw mismatch(alg, key);
          return backend['rsa-pkcs1'].sign(alg, key, message);
      }
    },
    verify(alg, key, message, signature) {
      assertAlgorithm(alg);
      assertBytes(message, 'message');
      assertBytes(signature, 'signature');
      if (typeof key !== 'object' || key === null) return false;
      try {
        return settle(verifyWith(backend, alg, key, message, signature));
      } catch (e) {
        if (isLoadFailure(e)) throw e;
        // A malformed key (a peer's certificate) is data: no valid signature, never a crash.
        return false;
      }
    },
  };
}

function verifyWith(backend: SignatureBackend<boolean>, alg: SignatureAlgorithm, key: PublicKey, message: Uint8Array, signature: Uint8Array): MaybePromise<boolean> {
  switch (alg.type) {
    case 'ecdsa':
      return key.kind === 'ec' && key.curve === alg.curve && backend.ecdsa.verify(alg, key, message, signature);
    case 'ed25519':
      return key.kind === 'ed25519' && backend.ed25519.verify(alg, key, message, signature);
    case 'ed448':
      return key.kind === 'ed448' && backend.ed448.verify(alg, key, message, signature);
    case 'rsa-pss':
      return key.kind === 'rsa' && backend['rsa-pss'].verify(alg, key, message, signature);
    case 'rsa-pkcs1':
      return key.kind === 'rsa' && backend['rsa-pkcs1'].verify(alg, key, message, signature);
  }
}

/** A rejected asynchronous verification is `false`, like a synchronous throw, unless nothing was verified. */
function settle(r: MaybePromise<boolean>): MaybePromise<boolean> {
  return typeof r === 'boolean'
    ? r
    : Promise.resolve(r).then(
        (ok) => ok === true,
        (e: unknown) => {
          if (isLoadFailure(e)) throw e;
          return false;
        },
      );
}
