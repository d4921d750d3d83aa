/**
 * The AEADs of the noble provider (RFC 5116 interface): AES-GCM (NIST SP 800-38D), AES-CCM (RFC 3610,
 * in ccm.ts) and ChaCha20-Poly1305 (RFC 8439, in family-chacha.ts, loaded on first need), behind the
 * argument checks every cipher shares (aead-checked.ts, also used by other providers).
 *
 * AES-GCM is assembled from our AES counter mode (aes-ctr.ts: noble's key schedule, our T-table
 * rounds with counter-mode caching) and our table GHASH (ghash.ts) rather than noble's `gcm()`,
 * which re-expands the key and rebuilds its GHASH table on every call and refuses nonces shorter
 * than 8 bytes. Here the key schedule, H and the GHASH tables are built once per `create()`, i.e.
 * once per traffic key; a record then costs CTR + GHASH only, computed byte-wise (any alignment, in
 * place allowed) straight into the caller's buffer. The one allocation per record is a DataView for
 * GHASH to read the ciphertext through (ghash.ts). GCM tags are 16 bytes only; no GCM-SIV.
 */
import { ctr32, encryptBlock, expandKey } from './aes-ctr.js';
import { aesCcm } from './ccm.js';
import { Ghash } from './ghash.js';
import { checkedAeadAlgorithm, type AeadCore } from './aead-checked.js';
import { resolveAeadSpec } from './aead-spec.js';
import { CryptoError } from './errors.js';
import type { AeadAlgorithm, AeadName, AeadSpec } from './types.js';

export type { AeadCore } from './aead-checked.js';

// --- AES-GCM (NIST SP 800-38D) ---

// SP 800-38D §5.2.1.1: len(P) <= 2^39 - 256 bits.
const GCM_MAX_PLAINTEXT = 2 ** 36 - 32;

// Read only: the plaintext of the tag mask block.
const ZERO_BLOCK = new Uint8Array(16);

/** Bytes i..i+3 as a little-endian word, the layout of aes-ctr.ts. */
const le32 = (b: Uint8Array, i: number): number =>
  (b[i] as number) | ((b[i + 1] as number) << 8) | ((b[i + 2] as number) << 16) | ((b[i + 3] as number) << 24);

/**
 * Keyed once per traffic key: the AES key schedule, H and the GHASH tables are built here and
 * every message after that only runs CTR and GHASH, writing into the caller's buffer.
 */
export function aesGcm(key: Uint8Array): AeadCore {
  const rk = expandKey(key);
  const h = new Uint8Array(16);
  encryptBlock(rk, h, h); // H = CIPH_K(0^128)
  const ghash = new Ghash(h);
  h.fill(0);
  // Per-key scratch (JS runs one call at a time): E_K(J0), then the expected tag on open.
  const mask = new Uint8Array(16);
  const expected = new Uint8Array(16);
  // J0 (SP 800-38D §7.1 step 2) as set by preCounter(): words of bytes 0..11 and the 32-bit counter.
  let j0 = 0;
  let j1 = 0;
  let j2 = 0;
  let jc = 0;

  function preCounter(nonce: Uint8Array): void {
    let b = nonce;
    if (nonce.length === 12) {
      jc = 1;
    } else {
      // J0 = GHASH_H(IV || 0^(s+64) || [len(IV)]_64): update() pads IV, lengths(0, |IV|) is the last block.
      ghash.reset();
      ghash.update(nonce);
      ghash.lengths(0, nonce.length);
      ghash.digestInto(mask);
      b = mask;
      jc = ((mask[12] as number) << 24) | ((mask[13] as number) << 16) | ((mask[14] as number) << 8) | (mask[15] as number);
    }
    j0 = le32(b, 0);
    j1 = le32(b, 4);
    j2 = le32(b, 8);
    // The tag mask CIPH_K(J0) = GCTR_K(J0, 0^128) (§7.1 step 6), kept as bytes for digestInto().
    ctr32(rk, j0, j1, j2, jc, ZERO_BLOCK, mask, 16);
  }

  /** S = GHASH_H(A || 0^v || C || 0^u || [len(A)]_64 || [len(C)]_64) (§7.1 step 5), left in `ghash`. */
  function hash(aad: Uint8Array, ciphertext: Uint8Array, n: number): void {
    ghash.reset();
    ghash.update(aad);
    ghash.update(ciphertext, 0, n);
    ghash.lengths(aad.length, n);
  }

  return {
    seal(nonce, plaintext, aad, out) {
      const n = plaintext.length;
      if (n > GCM_MAX_PLAINTEXT) throw new RangeError(`plaintext must be at most ${GCM_MAX_PLAINTEXT} bytes for AES-GCM`);
      preCounter(nonce);
      ctr32(rk, j0, j1, j2, (jc + 1) >>> 0, plaintext, out, n); // GCTR starts at inc32(J0), §7.1 step 3
      hash(aad, out, n);
      ghash.digestInto(out, n, mask); // T = S ^ CIPH_K(J0)
    },
    open(nonce, sealed, aad, out) {
      const n = sealed.length - 16;
      if (n > GCM_MAX_PLAINTEXT) return false;
      preCounter(nonce);
      // Authenticate before decrypting, so no unauthenticated plaintext is ever written.
      hash(aad, sealed, n);
      ghash.digestInto(expected, 0, mask);
      let diff = 0;
      for (let i = 0; i < 16; i++) diff |= (expected[i] as number) ^ (sealed[n + i] as number);
      if (diff !== 0) return false;
      ctr32(rk, j0, j1, j2, (jc + 1) >>> 0, sealed, out, n);
      return true;
    },
  };
}

// --- the ciphers behind the shared checks (aead-checked.ts) ---

const cache = new Map<AeadName, AeadAlgorithm>();

/**
 * The AEAD for `spec`. AES-GCM and AES-CCM are always here (TLS_AES_128_GCM_SHA256 is the suite every
 * TLS 1.3 peer must offer, RFC 8446 §9.1, and ticket protection uses AES-256-GCM); ChaCha20-Poly1305
 * comes from family-chacha.ts, passed as `chacha` once loaded (CryptoError ALGORITHM_NOT_LOADED before).
 */
export function nobleAead(spec: AeadName | AeadSpec, chacha: ((key: Uint8Array) => AeadCore) | undefined): AeadAlgorithm {
  if (typeof spec === 'string') {
    const cached = cache.get(spec);
    if (cached !== undefined) return cached;
  }
  const { name, spec: s } = resolveAeadSpec(spec);
  let keyed: (key: Uint8Array) => AeadCore;
  if (s.cipher === 'AES-GCM') keyed = aesGcm;
  else if (s.cipher === 'AES-CCM') keyed = (key) => aesCcm(key, s.nonceLength, s.tagLength);
  else if (chacha !== undefined) keyed = chacha;
  else throw new CryptoError('ALGORITHM_NOT_LOADED', `${name} is not loaded yet: await provider.prepare({ aeads: ['CHACHA20-POLY1305'] }) first`);
  const algorithm = checkedAeadAlgorithm(name, s, keyed);
  if (typeof spec === 'string') cache.set(spec, algorithm);
  return algorithm;
}
