/**
 * EMSA-PSS encoding and verification (RFC 8017 §9.1) with MGF1. Verification reports only
 * consistent/inconsistent; it never throws on the encoded message.
 */
import { constantTimeEqual } from '../constant-time.js';
import type { RsaHash } from './hash.js';
import { mgf1 } from './mgf1.js';

const ZERO8 = new Uint8Array(8);

/** Whether an emBits-bit encoding has room for the hash and a salt of `saltLength` octets (§9.1.1 step 3). */
export function pssFits(emBits: number, hash: RsaHash, saltLength: number): boolean {
  return Math.ceil(emBits / 8) >= hash.outputLength + saltLength + 2;
}

/** RFC 8017 §9.1.1, from mHash = Hash(M) and the salt; the caller has checked `pssFits`. */
export function emsaPssEncode(mHash: Uint8Array, emBits: number, salt: Uint8Array, hash: RsaHash, mgfHash: RsaHash): Uint8Array {
  const emLen = Math.ceil(emBits / 8);
  const hLen = hash.outputLength;
  const sLen = salt.length;
  if (emLen < hLen + sLen + 2) throw new RangeError('emsaPssEncode: encoding error (salt too long for the modulus)');
  const h = hash.digest(ZERO8, mHash, salt);
  const em = new Uint8Array(emLen);
  const dbLen = emLen - hLen - 1;
  // DB = PS || 0x01 || salt, then masked in place.
  em[emLen - sLen - hLen - 2] = 0x01;
  em.set(salt, dbLen - sLen);
  const dbMask = mgf1(mgfHash, h, dbLen);
  for (let i = 0; i < dbLen; i++) em[i] = (em[i] as number) ^ (dbMask[i] as number);
  em[0] = (em[0] as number) & (0xff >>> (8 * emLen - emBits));
  em.set(h, dbLen);
  em[emLen - 1] = 0xbc;
  return em;
}

/** RFC 8017 §9.1.2: true for "consistent". `em` must be emLen = ceil(emBits/8) octets. */
export function emsaPssVerify(
  mHash: Uint8Array,
  em: Uint8Array,
  emBits: number,
  saltLength: number,
  hash: RsaHash,
  mgfHash: RsaHash,
): boolean {
  const emLen = Math.ceil(emBits / 8);
  const hLen = hash.outputLength;
  if (em.length !== emLen || mHash.length !== hLen) return false;
  if (emLen < hLen + saltLength + 2) return false; // step 3
  if (em[emLen - 1] !== 0xbc) return false; // step 4
  const dbLen = emLen - hLen - 1;
  const maskedDb = em.subarray(0, dbLen);
  const h = em.subarray(dbLen, dbLen + hLen);
  const zeroBits = 8 * emLen - emBits;
  if (((maskedDb[0] as number) & ~(0xff >>> zeroBits) & 0xff) !== 0) return false; // step 6
  const db = mgf1(mgfHash, h, dbLen);
  for (let i = 0; i < dbLen; i++) db[i] = (db[i] as number) ^ (maskedDb[i] as number);
  db[0] = (db[0] as number) & (0xff >>> zeroBits);
  // Step 10: PS all zero, then 0x01.
  const psLen = emLen - hLen - saltLength - 2;
  let bad = (db[psLen] as number) ^ 0x01;
  for (let i = 0; i < psLen; i++) bad |= db[i] as number;
  const salt = db.subarray(dbLen - saltLength);
  const hPrime = hash.digest(ZERO8, mHash, salt);
  return constantTimeEqual(h, hPrime) && bad === 0;
}
