/**
 * AES-GCM whose records go to Web Crypto asynchronously. Records must also be sealable synchronously
 * (the handshake's own records are, inside `feed`/`write`): `seal`/`open` are the noble provider's
 * AES-GCM (aead.ts), and `sealAsync`/`openAsync` hand the record to `crypto.subtle`, which the TLS
 * engine uses for application data, one record at a time in order (a Web Crypto call is ≈ 4× faster
 * than AES-GCM in JavaScript for a 16 KiB record in Chromium, even awaited one by one).
 *
 * Same results either way: Web Crypto's AES-GCM is SP 800-38D with a 96-bit IV and a 128-bit tag, the
 * TLS parameters this is limited to; a key the runtime refuses, or an operation that fails other than
 * by authentication, is done by the pure AES-GCM instead. An authentication failure (Web Crypto's
 * OperationError on decrypt) is `null`, as `open` gives.
 */
import { aesGcm } from './aead.js';
import { checkedAeadAlgorithm, type AeadCore } from './aead-checked.js';
import type { AeadAlgorithm, AeadSpec } from './types.js';

export function webCryptoAesGcm(subtle: SubtleCrypto, name: string, spec: AeadSpec): AeadAlgorithm {
  if (spec.cipher !== 'AES-GCM' || spec.nonceLength !== 12 || spec.tagLength !== 16) throw new RangeError(`${name}: only TLS's AES-GCM goes to Web Crypto`);
  return checkedAeadAlgorithm(name, spec, (key): AeadCore => {
    const pure = aesGcm(key);
    // Imported once per traffic key; until then (or if refused) the pure cipher answers.
    const imported: Promise<CryptoKey | null> = subtle.importKey('raw', key.slice(), { name: 'AES-GCM' }, false, ['encrypt', 'decrypt']).then(
      (k) => k,
      () => null,
    );
    const params = (iv: Uint8Array, aad: Uint8Array): AesGcmParams => ({ name: 'AES-GCM', iv: iv as Uint8Array<ArrayBuffer>, additionalData: aad as Uint8Array<ArrayBuffer>, tagLength: 128 });
    return {
      seal: pure.seal,
      open: pure.open,
      async sealAsync(nonce, plaintext, aad) {
        const k = await imported;
        if (k !== null) {
          try {
            return new Uint8Array(await subtle.encrypt(params(nonce, aad), k, plaintext as Uint8Array<ArrayBuffer>));
          } catch {
            // Not an authentication question: the pure cipher gives the same bytes.
          }
        }
        const out = new Uint8Array(plaintext.length + 16);
        pure.seal(nonce, plaintext, aad, out);
        return out;
      },
      async openAsync(nonce, sealed, aad) {
        const k = await imported;
        if (k !== null) {
          try {
            return new Uint8Array(await subtle.decrypt(params(nonce, aad), k, sealed as Uint8Array<ArrayBuffer>));
          } catch (e) {
            // Web Crypto reports a wrong tag as OperationError; anything else goes to the pure cipher.
            if (e instanceof Error && e.name === 'OperationError') return null;
          }
        }
        const out = new Uint8Array(sealed.length - 16);
        return pure.open(nonce, sealed, aad, out) ? out : null;
      },
    };
  });
}
