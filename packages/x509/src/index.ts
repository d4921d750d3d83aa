/**
 * @puretls/x509 — certificate parsing, path building and RFC 5280 validation, name constraints,
 * key usage / EKU, service identity (RFC 9525) and trust stores. Parsing uses asn1js; the path
 * builder and all policy are ours. No pkijs or asn1js type crosses this API.
 */
export { X509Error, alertFor, type X509ErrorCode, type TlsAlertName } from './errors.js';
export {
  parseCertificate,
  formatIp,
  type Certificate,
  type AlgorithmIdentifier,
  type SubjectAltNames,
  type IpAddressName,
  type KeyType,
} from './certificate.js';
export type { DistinguishedName, NameAttribute } from './name.js';
export type { Extensions, GeneralName, KeyUsageName, BasicConstraints, NameConstraints, RawExtension } from './extensions.js';
export { decodePem, decodePemCertificates, encodePem, type PemBlock } from './pem.js';
export { TrustStore } from './trust-store.js';
export { verifyCertificateChain, type VerifyChainOptions, type VerifyChainResult, type VerifyBudget } from './verify.js';
export type { Usage } from './policy.js';
export { checkServerIdentity, parseIpLiteral } from './identity.js';
export { signatureAlgorithmFor, checkCertificateSignature } from './signature.js';
export {
  createCertificateVerifier,
  type CertificateVerifier,
  type CertificateVerifierOptions,
  type CertificateVerifyRequest,
  type CertificateVerifyResult,
} from './verifier.js';
