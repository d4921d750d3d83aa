/**
 * The AEADs of the noble provider (RFC 5116 interface): AES-GCM (NIST SP 800-38D), ChaCha20-Poly1305
 * (RFC 8439) and AES-CCM (RFC 3610, in ccm.ts), behind the argument checks every cipher shares.
 *
 * AES-GCM is assembled from noble's AES block, CTR and GHASH pieces rather than its `gcm()`, which
 * re-expands the key on every call and refuses nonces shorter than 8 bytes. Here the AES key and the
 * hash subkey H are derived once per `create()`; the GHASH table is still rebuilt per message (noble
 * exposes no reusable GHASH). GCM tags are 16 bytes only; no GCM-SIV, no XChaCha.
 */
import { unsafe } from '@noble/ciphers/aes.js';
import { ghash } from '@noble/ciphers/_polyval.js';
import { chacha20poly1305 } from '@noble/ciphers/chacha.js';
import { aesCcm } from './ccm.js';
import { constantTimeEqual } from './constant-time.js';
import type { Aead, AeadAlgorithm, AeadName, AeadSpec } from './types.js';

/**
 * A keyed cipher without argument checks: `nonce` has the right length, `out` has exactly the
 * output length and is either disjoint from the input or starts at the same byte.
 */
export interface AeadCore {
  /** Writes ciphertext || tag into `out`. */
  seal(nonce: Uint8Array, plaintext: Uint8Array, aad: Uint8Array, out: Uint8Array): void;
  /** `sealed` is ciphertext || tag (at least a tag long). Writes the plaintext, or returns false leaving none in `out`. */
  open(nonce: Uint8Array, sealed: Uint8Array, aad: Uint8Array, out: Uint8Array): boolean;
}

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

function bytes(value: unknown, name: string): Uint8Array {
  if (!(value instanceof Uint8Array)) throw new TypeError(`${name} must be a Uint8Array`);
  return value;
}

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

const isAligned = (a: Uint8Array): boolean => a.byteOffset % 4 === 0;

/** Writes a 64-bit big-endian integer (given as a safe integer) at `offset`. */
function putUint64(block: Uint8Array, offset: number, value: number): void {
  for (let i = 7; i >= 0; i--) {
    block[offset + i] = value % 256;
    value = Math.floor(value / 256);
  }
}

function aesGcm(key: Uint8Array): AeadCore {
  const xk = unsafe.expandKeyLE(key);
  const h = unsafe.encryptBlock(xk, new Uint8Array(16)); // H = CIPH_K(0^128)

  /** J0 of SP 800-38D §7.1 step 2. */
  function preCounter(nonce: Uint8Array): Uint8Array {
    const j0 = new Uint8Array(16);
    if (nonce.length === 12) {
      j0.set(nonce);
      j0[15] = 1;
    } else {
      const lengths = new Uint8Array(16);
      putUint64(lengths, 8, nonce.length * 8);
      // GHASH pads each update() to a block: IV || 0^s || 0^64 || [len(IV)]_64.
      j0.set(ghash.create(h).update(nonce).update(lengths).digest());
    }
    return j0;
  }

  /** T = GHASH_H(A || 0^v || C || 0^u || [len(A)]_64 || [len(C)]_64) XOR CIPH_K(J0) (§7.1 steps 5-6). */
  function tag(j0: Uint8Array, aad: Uint8Array, ciphertext: Uint8Array): Uint8Array {
    const lengths = new Uint8Array(16);
    putUint64(lengths, 0, aad.length * 8);
    putUint64(lengths, 8, ciphertext.length * 8);
    const s = ghash.create(h, aad.length + ciphertext.length).update(aad).update(ciphertext).update(lengths).digest();
    const mask = unsafe.encryptBlock(xk, j0.slice());
    for (let i = 0; i < 16; i++) s[i] = (s[i] as number) ^ (mask[i] as number);
    return s;
  }

  /** GCTR_K(inc32(J0), src) into dst (§7.1 step 3); dst may be src's own memory. */
  function gctr(j0: Uint8Array, src: Uint8Array, dst: Uint8Array): void {
    if (src.length === 0) return;
    const counter = j0.slice();
    // inc32: the low 32 bits, with wrap-around (ctr32 continues the same way).
    for (let i = 15, carry = 1; i >= 12 && carry; i--) {
      const v = (counter[i] as number) + carry;
      counter[i] = v & 0xff;
      carry = v >> 8;
    }
    // noble's CTR reads and writes 32-bit words: copy what is not 4-byte aligned.
    const s = isAligned(src) ? src : src.slice();
    if (isAligned(dst)) unsafe.ctr32(xk, false, counter, s, dst);
    else dst.set(unsafe.ctr32(xk, false, counter, s));
  }

  return {
    seal(nonce, plaintext, aad, out) {
      if (plaintext.length > GCM_MAX_PLAINTEXT) throw new RangeError(`plaintext must be at most ${GCM_MAX_PLAINTEXT} bytes for AES-GCM`);
      const n = plaintext.length;
      const j0 = preCounter(nonce);
      const ct = out.subarray(0, n);
      gctr(j0, plaintext, ct);
      out.set(tag(j0, aad, ct), n);
    },
    open(nonce, sealed, aad, out) {
      const n = sealed.length - 16;
      if (n > GCM_MAX_PLAINTEXT) return false;
      const ct = sealed.subarray(0, n);
      const j0 = preCounter(nonce);
      // Authenticate before decrypting, so no unauthenticated plaintext is ever written.
      if (!constantTimeEqual(tag(j0, aad, ct), sealed.subarray(n))) return false;
      gctr(j0, ct, out);
      return true;
    },
  };
}

// --- ChaCha20-Poly1305 (RFC 8439 §2.8): no key schedule, so noble's one-shot API costs nothing ---

function chachaPoly(key: Uint8Array): AeadCore {
  const k = key.slice(); // noble keeps a reference; the caller may reuse its buffer
  return {
    seal(nonce, plaintext, aad, out) {
      chacha20poly1305(k, nonce, aad).encrypt(plaintext, out);
    },
    open(nonce, sealed, aad, out) {
      try {
        chacha20poly1305(k, nonce, aad).decrypt(sealed, out);
        return true;
      } catch {
        return false; // the only failure left after our checks is a wrong tag, found before decrypting
      }
    },
  };
}

// --- the checked Aead shared by all ciphers ---

/** True when `a` and `b` share bytes but do not start at the same byte. */
function overlapsPartially(a: Uint8Array, b: Uint8Array): boolean {
  if (a.buffer !== b.buffer || a.byteOffset === b.byteOffset || a.length === 0 || b.length === 0) return false;
  return a.byteOffset < b.byteOffset + b.byteLength && b.byteOffset < a.byteOffset + a.byteLength;
}

function outputFor(output: Uint8Array | undefined, length: number, input: Uint8Array): Uint8Array {
  if (output === undefined) return new Uint8Array(length);
  if (output.length < length) throw new RangeError(`output must have room for ${length} bytes, got ${output.length}`);
  const out = output.subarray(0, length);
  if (overlapsPartially(out, input)) throw new RangeError('output must not overlap the input unless it starts at the same byte');
  return out;
}

function checkedAead(core: AeadCore, nonceLength: number, tagLength: number): Aead {
  const checkNonce = (nonce: Uint8Array): void => {
    bytes(nonce, 'nonce');
    if (nonce.length !== nonceLength) throw new RangeError(`nonce must be ${nonceLength} bytes, got ${nonce.length}`);
  };
  return Object.freeze({
    tagLength,
    seal(nonce: Uint8Array, plaintext: Uint8Array, aad: Uint8Array, output?: Uint8Array): Uint8Array {
      checkNonce(nonce);
      bytes(plaintext, 'plaintext');
      bytes(aad, 'aad');
      if (output !== undefined) bytes(output, 'output');
      const out = outputFor(output, plaintext.length + tagLength, plaintext);
      core.seal(nonce, plaintext, aad, out);
      return out;
    },
    open(nonce: Uint8Array, ciphertext: Uint8Array, aad: Uint8Array, output?: Uint8Array): Uint8Array | null {
      checkNonce(nonce);
      bytes(ciphertext, 'ciphertext');
      bytes(aad, 'aad');
      if (output !== undefined) bytes(output, 'output');
      if (ciphertext.length < tagLength) return null;
      const out = outputFor(output, ciphertext.length - tagLength, ciphertext);
      return core.open(nonce, ciphertext, aad, out) ? out : null;
    },
  });
}

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
  const algorithm: AeadAlgorithm = Object.freeze({
    name,
    keyLength: s.keyLength,
    nonceLength: s.nonceLength,
    tagLength: s.tagLength,
    create(key: Uint8Array): Aead {
      bytes(key, 'key');
      if (key.length !== s.keyLength) throw new RangeError(`key must be ${s.keyLength} bytes for ${name}, got ${key.length}`);
      return checkedAead(KEYED[s.cipher](key, s), s.nonceLength, s.tagLength);
    },
  });
  if (typeof spec === 'string') cache.set(spec, algorithm);
  return algorithm;
}
