/**
 * ECDSA and ECDHE on P-256, P-384 and P-521 of the noble provider: the module it imports when a
 * connection first needs one of them (noble-families.ts), so `@noble/curves/nist.js` loads then.
 */
export { ecCurve, ecdsaSign, ecdsaVerify } from './ecdsa.js';
export { nistGroup } from './kex-nist.js';
