/**
 * `@puretls/crypto/noble`: the default `CryptoProvider`, built on @noble/hashes, @noble/ciphers and
 * @noble/curves, with RSA on `bigint` (noble has none). Pure JavaScript: runs in every runtime.
 *
 * This entry imports every algorithm up front, so every call of its providers is synchronous without
 * `prepare` (sans-IO code and tests that call the provider directly). `@puretls/crypto/noble-lazy` is
 * the same provider loading each curve, RSA and ChaCha20 on first need.
 */
import * as curve25519 from './family-25519.js';
import * as curve448 from './family-448.js';
import * as chacha from './family-chacha.js';
import * as nist from './family-nist.js';
import * as rsa from './rsa/index.js';
import { families } from './noble-families.js';
import { createNobleProvider as createProvider, type NobleProviderOptions } from './noble-provider.js';
import type { CryptoProvider } from './types.js';

export { prepareNoble, type NobleProviderOptions } from './noble-provider.js';
export { loadedFamilies, type FamilyName } from './noble-families.js';

/** A noble provider with every algorithm loaded (the families are handed over here, not at import: no side effect). */
export function createNobleProvider(options: NobleProviderOptions = {}): CryptoProvider {
  families.nist.provide(nist);
  families.curve25519.provide(curve25519);
  families.curve448.provide(curve448);
  families.rsa.provide(rsa);
  families.chacha.provide(chacha);
  return createProvider(options);
}

/** A shared provider with platform randomness. */
export const nobleProvider: CryptoProvider = /* @__PURE__ */ createNobleProvider();
