/**
 * The TLS AEADs on node:crypto (OpenSSL): AES-GCM (SP 800-38D), ChaCha20-Poly1305 (RFC 8439) and
 * AES-CCM (RFC 3610), with the argument checks, errors and results of the noble provider's aead.ts:
 * the spec is resolved by the noble provider itself (same names, same RangeErrors), open() gives null
 * on any authentication failure and writes no plaintext then, `output` may alias the input.
 *
 * The key is imported once per `create()` (a KeyObject, so the caller may reuse its buffer); each
 * record then costs one OpenSSL cipher context. Node has no "update into" API, so the ciphertext is
 * copied once from OpenSSL's buffer into the caller's.
 */
import { createCipheriv, createDecipheriv, createSecretKey, type CipherCCMTypes, type CipherGCMTypes, type KeyObject } from 'node:crypto';
import type { Aead, AeadAlgorithm, AeadName, AeadSpec } from '@puretls/crypto';
import { nobleProvider } from '@puretls/crypto/noble';
import { bytes } from './hash.js';

// SP 800-38D §5.2.1.1: len(P) <= 2^39 - 256 bits.
const GCM_MAX_PLAINTEXT = 2 ** 36 - 32;

const OPENSSL_MAX_GCM_IV = 128;

type NodeCipher = CipherGCMTypes | CipherCCMTypes | 'chacha20-poly1305';

function nodeCipherName(spec: AeadSpec): NodeCipher {
  const bits = spec.keyLength * 8;
  switch (spec.cipher) {
    case 'AES-GCM':
      return `aes-${bits}-gcm` as CipherGCMTypes;
    case 'AES-CCM':
      return `aes-${bits}-ccm` as CipherCCMTypes;
    case 'CHACHA20-POLY1305':
      return 'chacha20-poly1305';
  }
}

/** True when `a` and `b` share bytes but do not start at the same byte. */
function overlapsPartially(a: Uint8Array, b: Uint8Array): boolean {
  if (a.buffer !== b.buffer || a.byteOffset === b.byteOffset || a.length === 0 || b.length === 0) return false;
  return a.byteOffset < b.byteOffset + b.byteLength && b.byteOffset < a.byteOffset + a.byteLength;
}

/** A fresh buffer that is about to be overwritten whole: no zero-filling (16 KiB records). */
function fresh(length: number): Uint8Array {
  const b = Buffer.allocUnsafeSlow(length);
  return new Uint8Array(b.buffer, b.byteOffset, length);
}

function outputFor(output: Uint8Array | undefined, length: number, input: Uint8Array): Uint8Array {
  if (output === undefined) return fresh(length);
  if (output.length < length) throw new RangeError(`output must have room for ${length} bytes, got ${output.length}`);
  const out = output.length === length ? output : output.subarray(0, length);
  if (overlapsPartially(out, input)) throw new RangeError('output must not overlap the input unless it starts at the same byte');
  return out;
}

function keyed(cipher: NodeCipher, spec: AeadSpec, key: KeyObject): Aead {
  const { nonceLength, tagLength } = spec;
  const ccm = spec.cipher === 'AES-CCM';
  const gcm = spec.cipher === 'AES-GCM';
  // RFC 3610 §2: L = 15 - nonce length bytes of message length.
  const q = 15 - nonceLength;
  const maxLength = gcm ? GCM_MAX_PLAINTEXT : ccm && q < 7 ? 2 ** (8 * q) - 1 : Number.MAX_SAFE_INTEGER;
  const options = { authTagLength: tagLength };
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
      const n = plaintext.length;
      if (n > maxLength) {
        throw new RangeError(
          gcm ? `plaintext must be at most ${maxLength} bytes for AES-GCM` : `plaintext must be at most ${maxLength} bytes with a ${nonceLength}-byte CCM nonce`,
        );
      }
      const out = outputFor(output, n + tagLength, plaintext);
      // The overload set of createCipheriv cannot take a union of cipher names: the options are the same.
      const c = createCipheriv(cipher as CipherGCMTypes, key, nonce, options);
      c.setAAD(aad, { plaintextLength: n });
      const ct = c.update(plaintext);
      const rest = c.final();
      out.set(ct, 0);
      if (rest.length > 0) out.set(rest, ct.length);
      out.set(c.getAuthTag(), n);
      return out;
    },
    open(nonce: Uint8Array, ciphertext: Uint8Array, aad: Uint8Array, output?: Uint8Array): Uint8Array | null {
      checkNonce(nonce);
      bytes(ciphertext, 'ciphertext');
      bytes(aad, 'aad');
      if (output !== undefined) bytes(output, 'output');
      if (ciphertext.length < tagLength) return null;
      const n = ciphertext.length - tagLength;
      const out = output === undefined ? undefined : outputFor(output, n, ciphertext);
      if (n > maxLength) return null;
      const d = createDecipheriv(cipher as CipherGCMTypes, key, nonce, options);
      d.setAuthTag(ciphertext.subarray(n));
      d.setAAD(aad, { plaintextLength: n });
      const plain = d.update(ciphertext.subarray(0, n));
      try {
        d.final(); // throws when the tag does not verify
      } catch {
        plain.fill(0);
        return null;
      }
      // Without `output`, OpenSSL's own buffer (exactly n bytes, not pooled) is the result.
      if (out === undefined) return new Uint8Array(plain.buffer, plain.byteOffset, plain.length);
      out.set(plain);
      plain.fill(0);
      return out;
    },
  });
}

const cache = new Map<AeadName, AeadAlgorithm>();

export function nodeAead(spec: AeadName | AeadSpec): AeadAlgorithm {
  if (typeof spec === 'string') {
    const cached = cache.get(spec);
    if (cached !== undefined) return cached;
  }
  // The noble provider resolves and checks the spec: the same names and RangeErrors on both providers.
  const resolved = nobleProvider.aead(spec);
  const s: AeadSpec = {
    cipher: typeof spec === 'string' ? (spec.startsWith('AES') ? (spec.includes('GCM') ? 'AES-GCM' : 'AES-CCM') : 'CHACHA20-POLY1305') : spec.cipher,
    keyLength: resolved.keyLength,
    nonceLength: resolved.nonceLength,
    tagLength: resolved.tagLength,
  };
  // OpenSSL takes GCM IVs of up to 128 bytes; longer ones (never in TLS) stay with noble.
  if (s.cipher === 'AES-GCM' && s.nonceLength > OPENSSL_MAX_GCM_IV) return resolved;
  const cipher = nodeCipherName(s);
  const { name } = resolved;
  const algorithm: AeadAlgorithm = Object.freeze({
    name,
    keyLength: s.keyLength,
    nonceLength: s.nonceLength,
    tagLength: s.tagLength,
    create(key: Uint8Array): Aead {
      bytes(key, 'key');
      if (key.length !== s.keyLength) throw new RangeError(`key must be ${s.keyLength} bytes for ${name}, got ${key.length}`);
      return keyed(cipher, s, createSecretKey(key));
    },
  });
  if (typeof spec === 'string') cache.set(spec, algorithm);
  return algorithm;
}
