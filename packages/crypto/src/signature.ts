/**
 * The noble provider's signatures: ECDSA, Ed25519, Ed448 and RSA (PSS, PKCS#1 v1.5), behind the
 * dispatcher every provider shares (signature-dispatch.ts): a key of the wrong kind or curve makes
 * `sign` throw CryptoError KEY_ALGORITHM_MISMATCH and `verify` return false; a malformed algorithm
 * object is a caller error (TypeError/RangeError). Verification never throws on data.
 *
 * Each family's module is imported on its first use (noble-families.ts): that first call answers
 * with a Promise, every later one synchronously.
 */
import type { MaybePromise, RandomSource } from './types.js';
import { families, type Lazy } from './noble-families.js';
import { dispatchSignatures, type SignatureDispatch } from './signature-dispatch.js';

/** `f` of the loaded module, synchronously once it is loaded. */
function using<M, R>(family: Lazy<M>, f: (m: M) => R): MaybePromise<R> {
  const m = family.value;
  return m !== undefined ? f(m) : family.load().then(f);
}

/** The noble signatures behind the shared checks and key matching of signature-dispatch.ts. */
export function nobleSignatures(random: RandomSource): SignatureDispatch<true> {
  const { nist, curve25519, curve448, rsa } = families;
  return dispatchSignatures({
    ecdsa: {
      sign: (alg, key, message) => using(nist, (m) => m.ecdsaSign(alg.curve, alg.hash, alg.encoding, key.d, message, random)),
      verify: (alg, key, message, signature) => using(nist, (m) => m.ecdsaVerify(alg.curve, alg.hash, alg.encoding, key.point, message, signature)),
    },
    ed25519: {
      sign: (_alg, key, message) => using(curve25519, (m) => m.ed25519.sign(key.seed, message)),
      verify: (_alg, key, message, signature) => using(curve25519, (m) => m.ed25519.verify(key.key, message, signature)),
    },
    ed448: {
      sign: (_alg, key, message) => using(curve448, (m) => m.ed448.sign(key.seed, message)),
      verify: (_alg, key, message, signature) => using(curve448, (m) => m.ed448.verify(key.key, message, signature)),
    },
    'rsa-pss': {
      sign: (alg, key, message) => using(rsa, (m) => m.rsaPssSign(key, alg.hash, alg.saltLength, message, random, alg.mgfHash)),
      verify: (alg, key, message, signature) =>
        using(rsa, (m) => m.rsaPssVerify({ n: key.n, e: key.e }, alg.hash, alg.mgfHash, alg.saltLength, message, signature)),
    },
    'rsa-pkcs1': {
      sign: (alg, key, message) => using(rsa, (m) => m.rsaPkcs1Sign(key, alg.hash, message, random)),
      verify: (alg, key, message, signature) => using(rsa, (m) => m.rsaPkcs1Verify({ n: key.n, e: key.e }, alg.hash, message, signature)),
    },
  });
}
