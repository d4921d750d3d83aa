/**
 * Record number encryption (RFC 9147 §4.2.3): a mask from the first 16 bytes of the ciphertext,
 * AES-ECB(sn_key, ct[0..15]) for the AES suites, the ChaCha20 block function for ChaCha20 with
 * ct[0..3] as the block counter (little-endian, as the RFC 8439 state holds it) and ct[4..15] as nonce.
 */
import { ecb } from '@noble/ciphers/aes.js';
import { chacha20 } from '@noble/ciphers/chacha.js';
import type { AeadName } from '@puretls/crypto';

/** Returns the 16-byte mask for a ciphertext of at least 16 bytes. */
export type SnMasker = (ciphertext: Uint8Array) => Uint8Array;

const ZERO16 = new Uint8Array(16);

export function snMasker(aead: AeadName, snKey: Uint8Array): SnMasker {
  if (aead === 'CHACHA20-POLY1305') {
    const key = snKey.slice();
    return (ct) => {
      const counter = ((ct[0] as number) | ((ct[1] as number) << 8) | ((ct[2] as number) << 16) | ((ct[3] as number) << 24)) >>> 0;
      return chacha20(key, ct.subarray(4, 16), ZERO16, new Uint8Array(16), counter);
    };
  }
  const key = snKey.slice();
  return (ct) => ecb(key, { disablePadding: true }).encrypt(ct.subarray(0, 16));
}
