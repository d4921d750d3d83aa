/**
 * RSA signatures on `bigint` (noble has no RSA): RSASSA-PSS and RSASSA-PKCS1-v1_5 of RFC 8017,
 * with SHA-256/384/512 and MGF1. Signing uses the CRT, message and exponent blinding, and checks
 * its result against the public key. No encryption (RSAES) and no multi-prime keys.
 */
export { rsaPssSign, rsaPssVerify, rsaPkcs1Sign, rsaPkcs1Verify } from './rsassa.js';
export { rsaPrivateKeyFromComponents, validateRsaPrivateKey, type RsaPrivateComponents } from './key.js';
export { MIN_MODULUS_BITS as RSA_MIN_MODULUS_BITS, type RsaPublicComponents } from './public.js';
export { RSA_MAX_EXPONENT_BITS, RSA_MAX_MODULUS_BITS } from '../rsa-limits.js';
export { bitLength as rsaModulusBits } from './bigint.js';
