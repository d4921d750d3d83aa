/**
 * AES-CCM (RFC 3610, NIST SP 800-38C): CBC-MAC over the formatted input, then CTR encryption,
 * built on the raw AES block of @noble/ciphers (which has no CCM). The AES key is expanded once
 * per `aesCcm()` call. Parameters: key 16/24/32, nonce 7..13, tag 4..16 bytes, even.
 * Argument checks of seal/open (types, nonce length, output size) are done by aead.ts; this file
 * does not handle partially overlapping input and output.
 */
import { unsafe } from '@noble/ciphers/aes.js';
import type { AeadCore } from './aead.js';
import { constantTimeEqual } from './constant-time.js';

const { expandKeyLE, encryptBlock } = unsafe;

/** Writes `value` big-endian into block[end - width .. end). */
function putUint(block: Uint8Array, end: number, width: number, value: number): void {
  for (let i = 1; i <= width; i++) {
    block[end - i] = value % 256;
    value = Math.floor(value / 256);
  }
}

export function aesCcm(key: Uint8Array, nonceLength: number, tagLength: number): AeadCore {
  if (key.length !== 16 && key.length !== 24 && key.length !== 32) throw new RangeError(`key must be 16, 24 or 32 bytes, got ${key.length}`);
  if (!Number.isInteger(nonceLength) || nonceLength < 7 || nonceLength > 13) throw new RangeError(`nonceLength must be 7..13 for AES-CCM, got ${nonceLength}`);
  if (!Number.isInteger(tagLength) || tagLength < 4 || tagLength > 16 || tagLength % 2 !== 0) {
    throw new RangeError(`tagLength must be 4, 6, 8, 10, 12, 14 or 16 for AES-CCM, got ${tagLength}`);
  }
  const xk = expandKeyLE(key);
  // RFC 3610 §2: L = 15 - nonce length bytes of message length; the length must fit in them.
  const q = 15 - nonceLength;
  const maxLength = q >= 7 ? Number.MAX_SAFE_INTEGER : 2 ** (8 * q) - 1;
  // Scratch blocks (AES works on aligned 16-byte arrays in place); wiped after every call.
  const mac = new Uint8Array(16);
  const ctr = new Uint8Array(16);
  const ks = new Uint8Array(16);

  /** XORs `data` into the CBC-MAC state from `pos`, encrypting each full block; returns the new pos. */
  function absorb(data: Uint8Array, pos: number): number {
    for (let i = 0; i < data.length; i++) {
      mac[pos] = (mac[pos] as number) ^ (data[i] as number);
      if (++pos === 16) {
        encryptBlock(xk, mac);
        pos = 0;
      }
    }
    return pos;
  }

  /** CBC-MAC of RFC 3610 §2.2 / SP 800-38C A.2; leaves T in mac[0 .. tagLength). */
  function cbcMac(nonce: Uint8Array, aad: Uint8Array, message: Uint8Array): void {
    mac[0] = (aad.length > 0 ? 0x40 : 0) | (((tagLength - 2) / 2) << 3) | (q - 1);
    mac.set(nonce, 1);
    putUint(mac, 16, q, message.length);
    encryptBlock(xk, mac);
    let pos = 0;
    if (aad.length > 0) {
      // l(a) encoding of RFC 3610 §2.2.
      let header: Uint8Array;
      if (aad.length < 0xff00) {
        header = new Uint8Array(2);
        putUint(header, 2, 2, aad.length);
      } else if (aad.length <= 0xffffffff) {
        header = Uint8Array.of(0xff, 0xfe, 0, 0, 0, 0);
        putUint(header, 6, 4, aad.length);
      } else {
        header = Uint8Array.of(0xff, 0xff, 0, 0, 0, 0, 0, 0, 0, 0);
        putUint(header, 10, 8, aad.length);
      }
      pos = absorb(aad, absorb(header, pos));
      if (pos !== 0) encryptBlock(xk, mac); // zero padding: XOR with zeros changes nothing
      pos = 0;
    }
    if (absorb(message, pos) !== 0) encryptBlock(xk, mac);
  }

  /** Keystream block S_i = E(A_i), A_i = flags || nonce || [i]_q (RFC 3610 §2.3). */
  function keystream(i: number): void {
    putUint(ctr, 16, q, i);
    ks.set(ctr);
    encryptBlock(xk, ks);
  }

  /** CTR from counter 1; `dst` may be `src` itself. */
  function ctrXor(src: Uint8Array, dst: Uint8Array): void {
    for (let off = 0, i = 1; off < src.length; off += 16, i++) {
      keystream(i);
      const end = Math.min(16, src.length - off);
      for (let j = 0; j < end; j++) dst[off + j] = (src[off + j] as number) ^ (ks[j] as number);
    }
  }

  function start(nonce: Uint8Array): void {
    ctr.fill(0);
    ctr[0] = q - 1;
    ctr.set(nonce, 1);
  }

  function wipe(): void {
    mac.fill(0);
    ks.fill(0);
  }

  return {
    seal(nonce, plaintext, aad, out) {
      if (plaintext.length > maxLength) throw new RangeError(`plaintext must be at most ${maxLength} bytes with a ${nonceLength}-byte CCM nonce`);
      const n = plaintext.length;
      // MAC first: `out` may be the plaintext's own memory.
      cbcMac(nonce, aad, plaintext);
      start(nonce);
      keystream(0);
      for (let j = 0; j < tagLength; j++) out[n + j] = (mac[j] as number) ^ (ks[j] as number);
      ctrXor(plaintext, out.subarray(0, n));
      wipe();
    },
    open(nonce, sealed, aad, out) {
      const n = sealed.length - tagLength;
      if (n > maxLength) return false;
      const tag = sealed.slice(n);
      start(nonce);
      ctrXor(sealed.subarray(0, n), out);
      cbcMac(nonce, aad, out);
      keystream(0);
      const expected = new Uint8Array(tagLength);
      for (let j = 0; j < tagLength; j++) expected[j] = (mac[j] as number) ^ (ks[j] as number);
      wipe();
      if (constantTimeEqual(expected, tag)) return true;
      out.fill(0); // RFC 3610 §2.5: reveal no plaintext when the tag is wrong
      return false;
    },
  };
}
