/**
 * The signature schemes RSASSA-PSS (RFC 8017 §8.1) and RSASSA-PKCS1-v1_5 (§8.2).
 * Signing validates the key and throws on a bad one; verification returns false for any malformed
 * signature or unusable public key and never throws on data.
 */
import { constantTimeEqual } from '../constant-time.js';
import { CryptoError } from '../errors.js';
import { platformRandom } from '../random.js';
import type { HashName, RandomSource, RsaPrivateKey } from '../types.js';
import { bitLength, i2osp, os2ip } from './bigint.js';
import { rsaHash } from './hash.js';
import { validateRsaPrivateKey } from './key.js';
import { emsaPkcs1Encode, pkcs1Fits } from './pkcs1.js';
import { rsasp1 } from './private.js';
import { checkPublicKeyArgument, isUsablePublicKey, rsavp1, type RsaPublicComponents } from './public.js';
import { emsaPssEncode, emsaPssVerify, pssFits } from './pss.js';

function checkBytes(value: unknown, argument: string): asserts value is Uint8Array {
  if (!(value instanceof Uint8Array)) throw new TypeError(`${argument} must be a Uint8Array`);
}

function checkSaltLength(saltLength: unknown): asserts saltLength is number {
  if (typeof saltLength !== 'number' || !Number.isSafeInteger(saltLength) || saltLength < 0) {
    throw new RangeError(`saltLength must be a non-negative integer, got ${String(saltLength)}`);
  }
}

function checkRandom(random: unknown): asserts random is RandomSource {
  if (typeof random !== 'function') throw new TypeError('random must be a function');
}

/**
 * RFC 8017 §8.1.2 / §8.2.2 steps 1–2 for a usable key: the encoded message EM of ceil(emBits/8)
 * octets, or null for "invalid signature" (wrong length, s ≥ n, or m wider than emBits).
 */
function openSignature(key: RsaPublicComponents, signature: Uint8Array, emBits: number): Uint8Array | null {
  const k = Math.ceil(bitLength(key.n) / 8);
  if (signature.length !== k) return null;
  const m = rsavp1(key, os2ip(signature));
  if (m === null || bitLength(m) > emBits) return null;
  return i2osp(m, Math.ceil(emBits / 8));
}

function sign(key: RsaPrivateKey, em: Uint8Array, random: RandomSource): Uint8Array {
  const s = rsasp1(key, os2ip(em), random);
  return i2osp(s, Math.ceil(bitLength(key.n) / 8));
}

/**
 * RSASSA-PSS-SIGN with MGF1 (RFC 8017 §8.1.1). The salt (`saltLength` octets) and the blinding
 * values come from `random`. `mgfHash` defaults to `hash`, as TLS 1.3 requires (RFC 8446 §4.2.3).
 */
export function rsaPssSign(
  key: RsaPrivateKey,
  hash: HashName,
  saltLength: number,
  message: Uint8Array,
  random: RandomSource,
  mgfHash: HashName = hash,
): Uint8Array {
  const h = rsaHash(hash, 'hash');
  const mgf = rsaHash(mgfHash, 'mgfHash');
  checkSaltLength(saltLength);
  checkBytes(message, 'message');
  checkRandom(random);
  validateRsaPrivateKey(key);
  const emBits = bitLength(key.n) - 1;
  if (!pssFits(emBits, h, saltLength)) {
    throw new CryptoError('KEY_ALGORITHM_MISMATCH', `RSA modulus too short for PSS with ${hash} and a ${saltLength}-octet salt`);
  }
  const salt = new Uint8Array(saltLength);
  if (saltLength > 0) random(salt);
  return sign(key, emsaPssEncode(h.digest(message), emBits, salt, h, mgf), random);
}

/** RSASSA-PSS-VERIFY with MGF1 (RFC 8017 §8.1.2) for a fixed salt length. */
export function rsaPssVerify(
  key: RsaPublicComponents,
  hash: HashName,
  mgfHash: HashName,
  saltLength: number,
  message: Uint8Array,
  signature: Uint8Array,
): boolean {
  const h = rsaHash(hash, 'hash');
  const mgf = rsaHash(mgfHash, 'mgfHash');
  checkSaltLength(saltLength);
  checkPublicKeyArgument(key, 'key');
  checkBytes(message, 'message');
  checkBytes(signature, 'signature');
  if (!isUsablePublicKey(key)) return false;
  // §8.1.2 step 2: emBits = modBits − 1; EM is then ceil(emBits/8) octets.
  const emBits = bitLength(key.n) - 1;
  const em = openSignature(key, signature, emBits);
  if (em === null) return false;
  return emsaPssVerify(h.digest(message), em, emBits, saltLength, h, mgf);
}

/**
 * RSASSA-PKCS1-V1_5-SIGN (RFC 8017 §8.2.1). The scheme is deterministic; `random` only feeds the
 * blinding of the private operation and defaults to the platform CSPRNG.
 */
export function rsaPkcs1Sign(key: RsaPrivateKey, hash: HashName, message: Uint8Array, random: RandomSource = platformRandom): Uint8Array {
  const h = rsaHash(hash, 'hash');
  checkBytes(message, 'message');
  checkRandom(random);
  validateRsaPrivateKey(key);
  const k = Math.ceil(bitLength(key.n) / 8);
  if (!pkcs1Fits(k, h)) throw new CryptoError('KEY_ALGORITHM_MISMATCH', `RSA modulus too short for PKCS#1 v1.5 with ${hash}`);
  return sign(key, emsaPkcs1Encode(message, k, h), random);
}

/**
 * RSASSA-PKCS1-V1_5-VERIFY (RFC 8017 §8.2.2): the expected block is re-encoded and compared whole,
 * in constant time. DigestInfo without the NULL parameters (a legacy variant) is not accepted.
 */
export function rsaPkcs1Verify(key: RsaPublicComponents, hash: HashName, message: Uint8Array, signature: Uint8Array): boolean {
  const h = rsaHash(hash, 'hash');
  checkPublicKeyArgument(key, 'key');
  checkBytes(message, 'message');
  checkBytes(signature, 'signature');
  if (!isUsablePublicKey(key)) return false;
  const k = Math.ceil(bitLength(key.n) / 8);
  if (!pkcs1Fits(k, h)) return false;
  // EM is k octets with a zero first octet: its integer has at most 8(k−1) bits.
  const em = openSignature(key, signature, 8 * k);
  if (em === null) return false;
  return constantTimeEqual(em, emsaPkcs1Encode(message, k, h));
}
