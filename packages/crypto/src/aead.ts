/**
 * The AEADs of the noble provider (RFC 5116 interface): AES-GCM (NIST SP 800-38D), ChaCha20-Poly1305
 * (RFC 8439) and AES-CCM (RFC 3610, in ccm.ts), behind the argument checks every cipher shares
 * (aead-checked.ts, also used by other providers).
 *
 * AES-GCM is assembled from our AES counter mode (aes-ctr.ts: noble's key schedule, our T-table
 * rounds with counter-mode caching) and our table GHASH (ghash.ts) rather than noble's `gcm()`,
 * which re-expands the key and rebuilds its GHASH table on every call and refuses nonces shorter
 * than 8 bytes. Here the key schedule, H and the GHASH tables are built once per `create()`, i.e.
 * once per traffic key; a record then costs CTR + GHASH only, computed byte-wise (any alignment, in
 * place allowed) straight into the caller's buffer. The one allocation per record is a DataView for
 * GHASH to read the ciphertext through (ghash.ts). GCM tags are 16 bytes only; no GCM-SIV.
 */
import { chacha20poly1305 } from '@noble/ciphers/chacha.js';
import { ctr32, encryptBlock, expandKey } from './aes-ctr.js';
import { aesCcm } from './ccm.js';
import { Ghash } from './ghash.js';
import { checkedAeadAlgorithm, type AeadCore } from './aead-checked.js';
import type { AeadAlgorithm, AeadName, AeadSpec } from './types.js';

export type { AeadCore } from './aead-checked.js';

type Cipher = AeadSpec['cipher'];

// RFC 8446 §B.4 cipher suites and their AEADs (RFC 5116 §5, RFC 8439 §2.8; CCM-8 from RFC 6655).
const TLS_AEADS: Readonly<Record<AeadName, AeadSpec>> = {
  'AES-128-GCM': { cipher: 'AES-GCM', keyLength: 16, nonceLength: 12, tagLength: 16 },
  'AES-256-GCM': { cipher: 'AES-GCM', keyLength: 32, nonceLength: 12, tagLength: 16 },
  'CHACHA20-POLY1305': { cipher: 'CHACHA20-POLY1305', keyLength: 32, nonceLength: 12, tagLength: 16 },
  'AES-128-CCM': { cipher: 'AES-CCM', keyLength: 16, nonceLength: 12, tagLength: 16 },
  'AES-128-CCM-8': { cipher: 'AES-CCM', keyLength: 16, nonceLength: 12, tagLength: 8 },
};

const AES_KEY_LENGTHS: readonly number[] = [16, 24, 32];

/** Checks a spec's fields, naming the first one that is not supported. */
function checkSpec(spec: AeadSpec): void {
  const { cipher, keyLength, nonceLength, tagLength } = spec;
  const refuse = (field: string, value: unknown, allowed: string): never => {
    throw new RangeError(`unsupported ${String(cipher)} ${field}: ${String(value)} (supported: ${allowed})`);
  };
  switch (cipher) {
    case 'AES-GCM':
      if (!AES_KEY_LENGTHS.includes(keyLength)) refuse('keyLength', keyLength, '16, 24, 32');
      // SP 800-38D §5.2.1.1 allows any IV length of at least one byte.
      if (!Number.isSafeInteger(nonceLength) || nonceLength < 1) refuse('nonceLength', nonceLength, '1 or more');
      if (tagLength !== 16) refuse('tagLength', tagLength, '16');
      return;
    case 'CHACHA20-POLY1305':
      if (keyLength !== 32) refuse('keyLength', keyLength, '32');
      if (nonceLength !== 12) refuse('nonceLength', nonceLength, '12');
      if (tagLength !== 16) refuse('tagLength', tagLength, '16');
      return;
    case 'AES-CCM':
      if (!AES_KEY_LENGTHS.includes(keyLength)) refuse('keyLength', keyLength, '16, 24, 32');
      // RFC 3610 §2 / SP 800-38C A.1: nonce 7..13 bytes, tag 4..16 bytes and even.
      if (!Number.isInteger(nonceLength) || nonceLength < 7 || nonceLength > 13) refuse('nonceLength', nonceLength, '7..13');
      if (!Number.isInteger(tagLength) || tagLength < 4 || tagLength > 16 || tagLength % 2 !== 0) refuse('tagLength', tagLength, '4..16, even');
      return;
    default:
      throw new RangeError(`unsupported AEAD cipher: ${String(cipher)}`);
  }
}

function resolveSpec(spec: AeadName | AeadSpec): { name: string; spec: AeadSpec } {
  if (typeof spec === 'string') {
    const known = Object.hasOwn(TLS_AEADS, spec) ? TLS_AEADS[spec] : undefined;
    if (known === undefined) throw new RangeError(`unsupported AEAD: ${spec}`);
    return { name: spec, spec: known };
  }
  if (typeof spec !== 'object' || spec === null) throw new TypeError('spec must be an AEAD name or an AeadSpec');
  checkSpec(spec);
  const { cipher, keyLength, nonceLength, tagLength } = spec;
  const tls = (Object.keys(TLS_AEADS) as AeadName[]).find((n) => {
    const s = TLS_AEADS[n];
    return s.cipher === cipher && s.keyLength === keyLength && s.nonceLength === nonceLength && s.tagLength === tagLength;
  });
  const copy: AeadSpec = { cipher, keyLength, nonceLength, tagLength };
  return { name: tls ?? `${cipher} (key ${keyLength}, nonce ${nonceLength}, tag ${tagLength})`, spec: copy };
}

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

// --- ChaCha20-Poly1305 (RFC 8439 §2.8) ---

// ChaCha20 has no key schedule and the Poly1305 key is new for every message (§2.6), so there is
// nothing to keep per traffic key: noble's one-shot call is used, writing into `out`. Its lower-level
// exports would not avoid its per-call allocations (`chacha20()` copies the key and allocates a
// keystream block, `Poly1305` allocates its limbs and copies every update() input, its block-level
// process() is private); they cost ≈ 3% of a 16 KiB record, the rest is ChaCha20 and Poly1305 proper.

// noble's ChaCha20 XORs a word at a time only into an output that starts on a 4-byte boundary, else
// byte by byte (≈ 10 % of a 16 KiB record); a record body after its 5-byte header seldom does, and
// one more copy through an aligned buffer costs less than that.
const aligned = (b: Uint8Array): boolean => (b.byteOffset & 3) === 0;

function chachaPoly(key: Uint8Array): AeadCore {
  const k = key.slice(); // noble keeps a reference; the caller may reuse its buffer
  return {
    seal(nonce, plaintext, aad, out) {
      const buf = aligned(out) ? out : new Uint8Array(out.length);
      chacha20poly1305(k, nonce, aad).encrypt(plaintext, buf);
      if (buf !== out) out.set(buf);
    },
    open(nonce, sealed, aad, out) {
      const buf = aligned(out) ? out : new Uint8Array(out.length);
      try {
        chacha20poly1305(k, nonce, aad).decrypt(sealed, buf);
      } catch {
        return false; // the only failure left after our checks is a wrong tag, found before decrypting
      }
      if (buf !== out) out.set(buf);
      return true;
    },
  };
}

// --- the ciphers behind the shared checks (aead-checked.ts) ---

const KEYED: Readonly<Record<Cipher, (key: Uint8Array, spec: AeadSpec) => AeadCore>> = {
  'AES-GCM': (key) => aesGcm(key),
  'CHACHA20-POLY1305': (key) => chachaPoly(key),
  'AES-CCM': (key, spec) => aesCcm(key, spec.nonceLength, spec.tagLength),
};

const cache = new Map<AeadName, AeadAlgorithm>();

export function nobleAead(spec: AeadName | AeadSpec): AeadAlgorithm {
  if (typeof spec === 'string') {
    const cached = cache.get(spec);
    if (cached !== undefined) return cached;
  }
  const { name, spec: s } = resolveSpec(spec);
  const algorithm = checkedAeadAlgorithm(name, s, (key) => KEYED[s.cipher](key, s));
  if (typeof spec === 'string') cache.set(spec, algorithm);
  return algorithm;
}
