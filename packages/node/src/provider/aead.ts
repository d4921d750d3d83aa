/**
 * The TLS AEADs on node:crypto (OpenSSL): AES-GCM (SP 800-38D), ChaCha20-Poly1305 (RFC 8439) and
 * AES-CCM (RFC 3610), behind the argument checks the noble provider uses too (`checkedAeadAlgorithm` of
 * @puretls/crypto): the spec is resolved by the noble provider itself (same names, same RangeErrors),
 * open() gives null on any authentication failure and writes no plaintext then, `output` may alias
 * the input.
 *
 * The key is imported once per `create()` (a KeyObject, so the caller may reuse its buffer); each
 * record then costs one OpenSSL cipher context. Node has no "update into" API: the output is copied
 * once from OpenSSL's buffer into the caller's `output`; without one, `open` returns OpenSSL's buffer.
 */
import { createCipheriv, createDecipheriv, createSecretKey, type CipherCCMTypes, type CipherGCMTypes, type KeyObject } from 'node:crypto';
import { checkedAeadAlgorithm, resolveAeadSpec, type AeadAlgorithm, type AeadCore, type AeadName, type AeadSpec } from '@puretls/crypto';
import { nobleProvider } from '@puretls/crypto/noble-lazy';

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

/** A fresh buffer that is about to be overwritten whole: no zero-filling (16 KiB records). */
function fresh(length: number): Uint8Array {
  const b = Buffer.allocUnsafeSlow(length);
  return new Uint8Array(b.buffer, b.byteOffset, length);
}

/** The keyed OpenSSL cipher; checkedAeadAlgorithm (shared with the noble provider) checks the arguments. */
function keyed(cipher: NodeCipher, spec: AeadSpec, key: KeyObject): AeadCore {
  const { nonceLength, tagLength } = spec;
  const ccm = spec.cipher === 'AES-CCM';
  const gcm = spec.cipher === 'AES-GCM';
  // RFC 3610 §2: L = 15 - nonce length bytes of message length.
  const q = 15 - nonceLength;
  const maxLength = gcm ? GCM_MAX_PLAINTEXT : ccm && q < 7 ? 2 ** (8 * q) - 1 : Number.MAX_SAFE_INTEGER;
  const options = { authTagLength: tagLength };
  /** The authenticated plaintext in a buffer of OpenSSL's making, or null. */
  const decrypt = (nonce: Uint8Array, sealed: Uint8Array, aad: Uint8Array): Uint8Array | null => {
    const n = sealed.length - tagLength;
    if (n > maxLength) return null;
    const d = createDecipheriv(cipher as CipherGCMTypes, key, nonce, options);
    d.setAuthTag(sealed.subarray(n));
    d.setAAD(aad, { plaintextLength: n });
    const plain = d.update(sealed.subarray(0, n));
    try {
      d.final(); // throws when the tag does not verify
    } catch {
      // Only an unverified plaintext is wiped: an authenticated one goes to the caller anyway.
      plain.fill(0);
      return null;
    }
    return new Uint8Array(plain.buffer, plain.byteOffset, plain.length);
  };
  return {
    seal(nonce, plaintext, aad, out) {
      const n = plaintext.length;
      if (n > maxLength) {
        throw new RangeError(
          gcm ? `plaintext must be at most ${maxLength} bytes for AES-GCM` : `plaintext must be at most ${maxLength} bytes with a ${nonceLength}-byte CCM nonce`,
        );
      }
      // The overload set of createCipheriv cannot take a union of cipher names: the options are the same.
      const c = createCipheriv(cipher as CipherGCMTypes, key, nonce, options);
      c.setAAD(aad, { plaintextLength: n });
      const ct = c.update(plaintext);
      const rest = c.final();
      out.set(ct, 0);
      if (rest.length > 0) out.set(rest, ct.length);
      out.set(c.getAuthTag(), n);
    },
    open(nonce, sealed, aad, out) {
      const plain = decrypt(nonce, sealed, aad);
      if (plain === null) return false;
      out.set(plain);
      return true;
    },
    // OpenSSL's output is a fresh buffer already: handed over as it is (no second buffer, no copy).
    openFresh: (nonce, sealed, aad) => decrypt(nonce, sealed, aad),
  };
}

const cache = new Map<AeadName, AeadAlgorithm>();

export function nodeAead(spec: AeadName | AeadSpec): AeadAlgorithm {
  if (typeof spec === 'string') {
    const cached = cache.get(spec);
    if (cached !== undefined) return cached;
  }
  // Resolved and checked as the noble provider does: the same names and RangeErrors on both providers.
  const { name, spec: s } = resolveAeadSpec(spec);
  // OpenSSL takes GCM IVs of up to 128 bytes; longer ones (never in TLS) stay with noble's AES-GCM.
  if (s.cipher === 'AES-GCM' && s.nonceLength > OPENSSL_MAX_GCM_IV) return nobleProvider.aead(s);
  const cipher = nodeCipherName(s);
  const algorithm = checkedAeadAlgorithm(name, s, (key) => keyed(cipher, s, createSecretKey(key)), fresh);
  if (typeof spec === 'string') cache.set(spec, algorithm);
  return algorithm;
}
