/**
 * ChaCha20-Poly1305 (RFC 8439 §2.8) of the noble provider: the module it imports when a connection
 * first negotiates it (noble-families.ts), so `@noble/ciphers/chacha.js` loads then.
 */
import { chacha20poly1305 } from '@noble/ciphers/chacha.js';
import type { AeadCore } from './aead-checked.js';

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

export function chachaPoly(key: Uint8Array): AeadCore {
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
