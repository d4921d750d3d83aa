/**
 * Signing keys for CertificateVerify: a PKCS#8 key (signed with the provider) or an external signer
 * whose `sign` may be asynchronous (a remote key, WebCrypto). Schemes follow RFC 8446 §4.2.3:
 * RSA keys sign with RSA-PSS only, never PKCS#1 v1.5: rsaEncryption keys with rsa_pss_rsae_*,
 * id-RSASSA-PSS keys with rsa_pss_pss_* (restricted to the hash of their parameters).
 */
import { parsePkcs8, type CryptoProvider, type MaybePromise, type PrivateKey, type PublicKey, type SignatureSchemeName } from '@puretls/crypto';

export interface Signer {
  /** Schemes this key can produce, in preference order. */
  readonly schemes: readonly SignatureSchemeName[];
  sign(scheme: SignatureSchemeName, message: Uint8Array): MaybePromise<Uint8Array>;
}

/** The CertificateVerify schemes usable with a private key of this kind. */
export function schemesForKey(key: PrivateKey | PublicKey): SignatureSchemeName[] {
  switch (key.kind) {
    case 'ec':
      return [key.curve === 'P-256' ? 'ecdsa_secp256r1_sha256' : key.curve === 'P-384' ? 'ecdsa_secp384r1_sha384' : 'ecdsa_secp521r1_sha512'];
    case 'ed25519':
      return ['ed25519'];
    case 'ed448':
      return ['ed448'];
    case 'rsa': {
      if (key.pss === undefined) return ['rsa_pss_rsae_sha256', 'rsa_pss_rsae_sha384', 'rsa_pss_rsae_sha512'];
      const all: SignatureSchemeName[] = ['rsa_pss_pss_sha256', 'rsa_pss_pss_sha384', 'rsa_pss_pss_sha512'];
      const h = key.pss.hash;
      // RFC 4055 §3.1: a key whose parameters name a hash signs with that hash only.
      return h === null ? all : all.filter((s) => s.endsWith(h.replace('SHA-', 'sha')));
    }
  }
}

/** Whether `scheme` may verify a CertificateVerify made with `key` (RFC 8446 §4.4.3). */
export function schemeMatchesKey(scheme: SignatureSchemeName, key: PublicKey): boolean {
  // RFC 8446 §4.2.3: rsa_pss_rsae_* only with rsaEncryption keys, rsa_pss_pss_* only with RSASSA-PSS ones.
  return schemesForKey(key).includes(scheme);
}

/** A signer over a PKCS#8 DER private key (or an already parsed key). */
export function signerFromPrivateKey(provider: CryptoProvider, key: Uint8Array | PrivateKey): Signer {
  const parsed = key instanceof Uint8Array ? parsePkcs8(key) : key;
  const schemes = schemesForKey(parsed);
  return Object.freeze({
    schemes,
    sign(scheme: SignatureSchemeName, message: Uint8Array) {
      if (!schemes.includes(scheme)) throw new RangeError(`scheme ${scheme} does not fit this ${parsed.kind} key`);
      return provider.sign(scheme, parsed, message);
    },
  });
}
