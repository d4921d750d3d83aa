/**
 * Wycheproof harnesses shared by the providers' tests (the same suite run once per provider): each
 * takes a `CryptoProvider`, runs every case of a file, decides the `acceptable` ones as documented in
 * its module, and returns the tally and the wrong outcomes for the test to assert on.
 */
export type { HarnessResult } from './result.js';
export { AEAD_FILES, runAeadWycheproof } from './aead.js';
export { HKDF_FILES, runHkdfWycheproof } from './hkdf.js';
export { agree, ECPOINT_FILES, SPKI_FILES, runEcPointWycheproof, runEcSpkiWycheproof, runX25519Wycheproof, type Outcome } from './kex.js';
export { ECDSA_FILES, runEcdsaWycheproof, runEd25519Wycheproof, verifyCases, type SignatureTest } from './signature.js';
export { RSA_FILES, runRsaWycheproof, type RsaCase } from './rsa.js';
