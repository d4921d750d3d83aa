/**
 * `@puretls/crypto/noble-lazy`: the noble provider with nothing loaded up front but hashes and AES;
 * each curve, RSA and ChaCha20-Poly1305 is imported when a connection first needs it (see
 * noble-provider.ts). What the TLS bindings use: a connection loads only what it negotiates.
 */
export { createNobleProvider, prepareNoble, type NobleProviderOptions } from './noble-provider.js';
export { loadedFamilies, type FamilyName } from './noble-families.js';
import { createNobleProvider } from './noble-provider.js';

/** A shared lazy provider with platform randomness. */
export const nobleProvider = createNobleProvider();
