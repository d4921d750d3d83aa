/**
 * EMSA-PKCS1-v1_5 encoding (RFC 8017 §9.2). There is deliberately no decoder: verification
 * re-encodes the expected block and compares it whole (§8.2.2 step 4), so no ASN.1 is ever parsed
 * out of a signature (the class of bug behind Bleichenbacher's 2006 forgery).
 */
import type { HashName } from '../types.js';
import type { RsaHash } from './hash.js';

// RFC 8017 §9.2 note 1: DER of DigestInfo up to the digest, parameters NULL present.
const DIGEST_INFO_PREFIX: Readonly<Record<HashName, Uint8Array>> = {
  'SHA-256': Uint8Array.of(0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x05, 0x00, 0x04, 0x20),
  'SHA-384': Uint8Array.of(0x30, 0x41, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x02, 0x05, 0x00, 0x04, 0x30),
  'SHA-512': Uint8Array.of(0x30, 0x51, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x03, 0x05, 0x00, 0x04, 0x40),
};

/** Whether an emLen-octet block can hold the DigestInfo with at least 8 octets of padding (§9.2 step 3). */
export function pkcs1Fits(emLen: number, hash: RsaHash): boolean {
  return emLen >= DIGEST_INFO_PREFIX[hash.name].length + hash.outputLength + 11;
}

/** RFC 8017 §9.2: EM = 0x00 || 0x01 || PS (0xff...) || 0x00 || T; the caller has checked `pkcs1Fits`. */
export function emsaPkcs1Encode(message: Uint8Array, emLen: number, hash: RsaHash): Uint8Array {
  const prefix = DIGEST_INFO_PREFIX[hash.name];
  const tLen = prefix.length + hash.outputLength;
  if (emLen < tLen + 11) throw new RangeError('emsaPkcs1Encode: intended encoded message length too short');
  const em = new Uint8Array(emLen);
  em[1] = 0x01;
  em.fill(0xff, 2, emLen - tLen - 1);
  em.set(prefix, emLen - tLen);
  em.set(hash.digest(message), emLen - hash.outputLength);
  return em;
}
