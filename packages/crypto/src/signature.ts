/**
 * The noble provider's signatures: ECDSA, Ed25519, Ed448 and RSA (PSS, PKCS#1 v1.5), behind the
 * dispatcher every provider shares (signature-dispatch.ts): a key of the wrong kind or curve makes
 * `sign` throw CryptoError KEY_ALGORITHM_MISMATCH and `verify` return false; a malformed algorithm
 * object is a caller error (TypeError/RangeError). Verification never throws on data.
 */
import { ecdsaSign, ecdsaVerify } from './ecdsa.js';
import { ed25519Sign, ed25519Verify, ed448Sign, ed448Verify } from './eddsa.js';
import { rsaPkcs1Sign, rsaPkcs1Verify, rsaPssSign, rsaPssVerify } from './rsa/index.js';
import { dispatchSignatures, type SignatureDispatch } from './signature-dispatch.js';
import type { RandomSource } from './types.js';

/** The noble signatures behind the shared checks and key matching of signature-dispatch.ts. */
export function nobleSignatures(random: RandomSource): SignatureDispatch {
  return dispatchSignatures({
    ecdsa: {
      sign: (alg, key, message) => ecdsaSign(alg.curve, alg.hash, alg.encoding, key.d, message, random),
      verify: (alg, key, message, signature) => ecdsaVerify(alg.curve, alg.hash, alg.encoding, key.point, message, signature),
    },
    ed25519: {
      sign: (_alg, key, message) => ed25519Sign(key.seed, message),
      verify: (_alg, key, message, signature) => ed25519Verify(key.key, message, signature),
    },
    ed448: {
      sign: (_alg, key, message) => ed448Sign(key.seed, message),
      verify: (_alg, key, message, signature) => ed448Verify(key.key, message, signature),
    },
    'rsa-pss': {
      sign: (alg, key, message) => rsaPssSign(key, alg.hash, alg.saltLength, message, random, alg.mgfHash),
      verify: (alg, key, message, signature) => rsaPssVerify({ n: key.n, e: key.e }, alg.hash, alg.mgfHash, alg.saltLength, message, signature),
    },
    'rsa-pkcs1': {
      sign: (alg, key, message) => rsaPkcs1Sign(key, alg.hash, message, random),
      verify: (alg, key, message, signature) => rsaPkcs1Verify({ n: key.n, e: key.e }, alg.hash, message, signature),
    },
  });
}
