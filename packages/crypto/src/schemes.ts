/** TLS SignatureScheme code points (RFC 8446 §4.2.3) and the algorithms they name. */
import type { SignatureAlgorithm, SignatureSchemeName } from './types.js';

export const SignatureScheme = {
  rsa_pkcs1_sha256: 0x0401,
  rsa_pkcs1_sha384: 0x0501,
  rsa_pkcs1_sha512: 0x0601,
  ecdsa_secp256r1_sha256: 0x0403,
  ecdsa_secp384r1_sha384: 0x0503,
  ecdsa_secp521r1_sha512: 0x0603,
  rsa_pss_rsae_sha256: 0x0804,
  rsa_pss_rsae_sha384: 0x0805,
  rsa_pss_rsae_sha512: 0x0806,
  ed25519: 0x0807,
  ed448: 0x0808,
  rsa_pss_pss_sha256: 0x0809,
  rsa_pss_pss_sha384: 0x080a,
  rsa_pss_pss_sha512: 0x080b,
} as const satisfies Record<SignatureSchemeName, number>;

const byCode = new Map<number, SignatureSchemeName>(
  Object.entries(SignatureScheme).map(([name, code]) => [code, name as SignatureSchemeName]),
);

export function signatureSchemeName(code: number): SignatureSchemeName | undefined {
  return byCode.get(code);
}

/**
 * RSASSA-PSS in TLS 1.3 uses MGF1 with the same hash and a salt as long as the digest
 * (RFC 8446 §4.2.3); ECDSA signatures are DER-encoded.
 */
export function signatureAlgorithmOf(scheme: SignatureSchemeName): SignatureAlgorithm {
  switch (scheme) {
    case 'ecdsa_secp256r1_sha256':
      return { type: 'ecdsa', curve: 'P-256', hash: 'SHA-256', encoding: 'der' };
    case 'ecdsa_secp384r1_sha384':
      return { type: 'ecdsa', curve: 'P-384', hash: 'SHA-384', encoding: 'der' };
    case 'ecdsa_secp521r1_sha512':
      return { type: 'ecdsa', curve: 'P-521', hash: 'SHA-512', encoding: 'der' };
    case 'ed25519':
      return { type: 'ed25519' };
    case 'ed448':
      return { type: 'ed448' };
    case 'rsa_pss_rsae_sha256':
    case 'rsa_pss_pss_sha256':
      return { type: 'rsa-pss', hash: 'SHA-256', mgfHash: 'SHA-256', saltLength: 32 };
    case 'rsa_pss_rsae_sha384':
    case 'rsa_pss_pss_sha384':
      return { type: 'rsa-pss', hash: 'SHA-384', mgfHash: 'SHA-384', saltLength: 48 };
    case 'rsa_pss_rsae_sha512':
    case 'rsa_pss_pss_sha512':
      return { type: 'rsa-pss', hash: 'SHA-512', mgfHash: 'SHA-512', saltLength: 64 };
    case 'rsa_pkcs1_sha256':
      return { type: 'rsa-pkcs1', hash: 'SHA-256' };
    case 'rsa_pkcs1_sha384':
      return { type: 'rsa-pkcs1', hash: 'SHA-384' };
    case 'rsa_pkcs1_sha512':
      return { type: 'rsa-pkcs1', hash: 'SHA-512' };
  }
}
