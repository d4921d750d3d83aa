/**
 * @puretls/crypto — the `CryptoProvider` interface, TLS 1.3 key derivation helpers, key encodings
 * and signature scheme tables, plus the argument checks every provider shares (`checkedAeadAlgorithm`,
 * `checkedXdhGroup`, `dispatchSignatures`). The noble implementation is at `@puretls/crypto/noble`.
 */
export type * from './types.js';
export { CryptoError, isLoadFailure, type CryptoErrorCode } from './errors.js';
export { encodeHkdfLabel, hkdfExpandLabel, deriveSecret } from './tls13-kdf.js';
export { SignatureScheme, signatureSchemeName, signatureAlgorithmOf } from './schemes.js';
export { parseSpki, parsePkcs8, encodeSpki, encodePkcs8 } from './keys.js';
export { platformRandom } from './random.js';
export { constantTimeEqual } from './constant-time.js';
export { checkedAeadAlgorithm, type AeadCore } from './aead-checked.js';
export { resolveAeadSpec } from './aead-spec.js';
export { checkedXdhGroup, type XdhCore } from './kex-checked.js';
export { dispatchSignatures, type SignatureBackend, type SignatureDispatch, type SignatureFamily } from './signature-dispatch.js';
