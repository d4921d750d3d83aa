/**
 * Record number encryption (RFC 9147 §4.2.3): a mask from the first 16 bytes of the ciphertext,
 * AES-ECB(sn_key, ct[0..15]) for the AES suites, the ChaCha20 block function for ChaCha20 with
 * ct[0..3] as the block counter (little-endian, as the RFC 8439 state holds it) and ct[4..15] as nonce.
 */
import { ecb } from '@noble/ciphers/aes.js';
import { hchacha } from '@noble/ciphers/chacha.js';
import type { AeadName } from '@puretls/crypto';

/** Returns the 16-byte mask for a ciphertext of at least 16 bytes. */
export type SnMasker = (ciphertext: Uint8Array) => Uint8Array;

/** "expand 32-byte k" as the four RFC 8439 §2.3 state words. */
const SIGMA = [0x61707865, 0x3320646e, 0x79622d32, 0x6b206574] as const;

export function snMasker(aead: AeadName, snKey: Uint8Array): SnMasker {
  if (aead === 'CHACHA20-POLY1305') return chachaMasker(snKey);
  const key = snKey.slice();
  return (ct) => ecb(key, { disablePadding: true }).encrypt(ct.subarray(0, 16));
}

/**
 * The first 16 bytes of ChaCha20(sn_key, counter = ct[0..3], nonce = ct[4..15]) over zeros. The
 * counter is attacker-chosen and may be any 32-bit value, 0xffffffff included (§4.2.3), which noble's
 * chacha20() refuses; its hchacha() runs the same 20-round permutation with no counter guard, on a
 * state whose words 12..15 are exactly ct[0..15], and leaves out the feed-forward: words 0..3 of the
 * block are its first four words plus the constants (RFC 8439 §2.3).
 */
function chachaMasker(snKey: Uint8Array): SnMasker {
  // hchacha takes 32-bit views of byte strings (it fixes the word order on big-endian hosts itself).
  const sigmaBytes = new Uint8Array(16);
  const sv = new DataView(sigmaBytes.buffer);
  SIGMA.forEach((w, i) => sv.setUint32(4 * i, w, true));
  const sigma = new Uint32Array(sigmaBytes.buffer);
  const key = new Uint32Array(snKey.slice().buffer);
  const inBytes = new Uint8Array(16);
  const input = new Uint32Array(inBytes.buffer);
  const out = new Uint32Array(8);
  const ov = new DataView(out.buffer);
  return (ct) => {
    inBytes.set(ct.subarray(0, 16));
    hchacha(sigma, key, input, out);
    const mask = new Uint8Array(16);
    const mv = new DataView(mask.buffer);
    for (let i = 0; i < 4; i++) mv.setUint32(4 * i, (ov.getUint32(4 * i, true) + (SIGMA[i] as number)) >>> 0, true);
    return mask;
  };
}
