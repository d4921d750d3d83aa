/**
 * Certificate signatures: the AlgorithmIdentifier of a certificate mapped to a `SignatureAlgorithm`
 * for the issuer's key, then checked with the provider. RSA PKCS#1 v1.5 and RSASSA-PSS (RFC 4055,
 * parameters checked), ECDSA (RFC 5758), Ed25519/Ed448 (RFC 8410). MD5 and SHA-1 are refused.
 */
import { isLoadFailure, type CryptoProvider, type HashName, type SignatureAlgorithm } from '@puretls/crypto';
import { bytesEqual } from '@puretls/wire';
import type { AlgorithmIdentifier, Certificate } from './certificate.js';
import { type DerNode, TagClass, expectSequence, parseDer, readOid, readSmallInteger } from './der.js';
import { X509Error } from './errors.js';
import { OID } from './oids.js';

const RSA_PKCS1: ReadonlyMap<string, HashName> = new Map([
  [OID.sha256WithRSA, 'SHA-256'],
  [OID.sha384WithRSA, 'SHA-384'],
  [OID.sha512WithRSA, 'SHA-512'],
]);

const ECDSA: ReadonlyMap<string, HashName> = new Map([
  [OID.ecdsaWithSha256, 'SHA-256'],
  [OID.ecdsaWithSha384, 'SHA-384'],
  [OID.ecdsaWithSha512, 'SHA-512'],
]);

const HASHES: ReadonlyMap<string, HashName> = new Map([
  [OID.sha256, 'SHA-256'],
  [OID.sha384, 'SHA-384'],
  [OID.sha512, 'SHA-512'],
]);

const WEAK: ReadonlyMap<string, string> = new Map([
  [OID.md2WithRSA, 'MD2 with RSA'],
  [OID.md5WithRSA, 'MD5 with RSA'],
  [OID.sha1WithRSA, 'SHA-1 with RSA'],
  [OID.ecdsaWithSha1, 'ECDSA with SHA-1'],
  [OID.dsaWithSha1, 'DSA with SHA-1'],
]);

const NULL_DER = Uint8Array.of(0x05, 0x00);

const HASH_LENGTH: Readonly<Record<HashName, number>> = { 'SHA-256': 32, 'SHA-384': 48, 'SHA-512': 64 };

function unsupported(message: string): X509Error {
  return new X509Error('UNSUPPORTED_SIGNATURE_ALGORITHM', message);
}

/** A hash AlgorithmIdentifier inside PSS parameters: parameters NULL or absent (RFC 4055 §2.1). */
function readHashAlgorithm(n: DerNode | undefined, what: string): HashName {
  const parts = expectSequence(n, what);
  const oid = readOid(parts[0], what);
  const params = parts[1];
  if (parts.length > 2 || (params !== undefined && !bytesEqual(params.raw, NULL_DER))) throw unsupported(`${what}: bad parameters`);
  if (oid === OID.sha1) throw new X509Error('CA_MD_TOO_WEAK', 'RSASSA-PSS with SHA-1 is refused');
  const hash = HASHES.get(oid);
  if (hash === undefined) throw unsupported(`${what}: unsupported hash ${oid}`);
  return hash;
}

/**
 * RFC 4055 §3.1 RSASSA-PSS-params. The defaults (SHA-1, MGF1-SHA-1, salt 20) are refused as weak; we
 * accept SHA-256/384/512 with MGF1 over the same hash, a salt as long as the hash, trailerField 1.
 */
function readPssParameters(params: Uint8Array | null): Extract<SignatureAlgorithm, { type: 'rsa-pss' }> {
  if (params === null) throw new X509Error('CA_MD_TOO_WEAK', 'RSASSA-PSS without parameters means SHA-1');
  const fields = expectSequence(parseDer(params, 'RSASSA-PSS parameters'), 'RSASSA-PSS parameters');
  let hash: HashName | null = null;
  let mgfHash: HashName | null = null;
  let saltLength = 20;
  let last = -1;
  for (const f of fields) {
    if (f.tagClass !== TagClass.context || !f.constructed || f.tagNumber <= last || f.tagNumber > 3 || f.children.length !== 1) {
      throw unsupported('RSASSA-PSS parameters: bad field');
    }
    last = f.tagNumber;
    const inner = f.children[0];
    if (f.tagNumber === 0) hash = readHashAlgorithm(inner, 'PSS hashAlgorithm');
    else if (f.tagNumber === 1) {
      const parts = expectSequence(inner, 'PSS maskGenAlgorithm');
      if (parts.length !== 2 || readOid(parts[0], 'PSS maskGenAlgorithm') !== OID.mgf1) throw unsupported('RSASSA-PSS: only MGF1 is supported');
      mgfHash = readHashAlgorithm(parts[1], 'PSS MGF1 hash');
    } else if (f.tagNumber === 2) saltLength = readSmallInteger(inner, 'PSS saltLength');
    else if (readSmallInteger(inner, 'PSS trailerField') !== 1) throw unsupported('RSASSA-PSS: trailerField must be 1');
  }
  if (hash === null || mgfHash === null) throw new X509Error('CA_MD_TOO_WEAK', 'RSASSA-PSS with the default SHA-1 hash or MGF is refused');
  if (mgfHash !== hash) throw unsupported(`RSASSA-PSS: MGF1 hash ${mgfHash} differs from hash ${hash}`);
  if (saltLength !== HASH_LENGTH[hash]) throw unsupported(`RSASSA-PSS: salt length ${saltLength} is not the hash length ${HASH_LENGTH[hash]}`);
  return { type: 'rsa-pss', hash, mgfHash, saltLength };
}

/**
 * The signature algorithm `alg` names, for a key of `issuer`'s type. Throws X509Error for weak or
 * unsupported algorithms, and CERT_SIGNATURE_FAILURE when the issuer's key cannot make such a signature.
 */
export function signatureAlgorithmFor(alg: AlgorithmIdentifier, issuer: Certificate): SignatureAlgorithm {
  const weak = WEAK.get(alg.oid);
  if (weak !== undefined) throw new X509Error('CA_MD_TOO_WEAK', `${weak} signatures are refused`);
  const key = issuer.publicKey;
  const mismatch = (): X509Error =>
    new X509Error('CERT_SIGNATURE_FAILURE', `certificate signature algorithm ${alg.oid} does not fit the issuer's ${issuer.keyType} key`);
  const rsaHash = RSA_PKCS1.get(alg.oid);
  if (rsaHash !== undefined) {
    // RFC 4055 §5: parameters are NULL (absence is tolerated, as most verifiers do).
    if (alg.parameters !== null && !bytesEqual(alg.parameters, NULL_DER)) throw unsupported('RSA PKCS#1 signature with parameters');
    // RFC 4055 §1.2: an id-RSASSA-PSS key is for PSS only.
    if (key.kind !== 'rsa' || issuer.keyType !== 'rsa') throw mismatch();
    return { type: 'rsa-pkcs1', hash: rsaHash };
  }
  const ecHash = ECDSA.get(alg.oid);
  if (ecHash !== undefined) {
    // RFC 5758 §3.2: parameters absent.
    if (alg.parameters !== null) throw unsupported('ECDSA signature with parameters');
    if (key.kind !== 'ec') throw mismatch();
    return { type: 'ecdsa', curve: key.curve, hash: ecHash, encoding: 'der' };
  }
  switch (alg.oid) {
    case OID.ed25519:
    case OID.ed448:
      // RFC 8410 §3: parameters absent.
      if (alg.parameters !== null) throw unsupported('EdDSA signature with parameters');
      if (key.kind !== (alg.oid === OID.ed25519 ? 'ed25519' : 'ed448')) throw mismatch();
      return alg.oid === OID.ed25519 ? { type: 'ed25519' } : { type: 'ed448' };
    case OID.rsassaPss: {
      const pss = readPssParameters(alg.parameters);
      if (key.kind !== 'rsa') throw mismatch();
      // RFC 4055 §3.3: an id-RSASSA-PSS key with parameters signs only with its own hash.
      if (key.pss !== undefined && key.pss.hash !== null && key.pss.hash !== pss.hash) throw mismatch();
      return pss;
    }
    default:
      throw unsupported(`unsupported signature algorithm ${alg.oid}`);
  }
}

/** Checks that `issuer`'s key signed `cert`. Resolves to null when it did, else the reason. */
export async function checkCertificateSignature(cert: Certificate, issuer: Certificate, provider: CryptoProvider): Promise<X509Error | null> {
  let alg: SignatureAlgorithm;
  try {
    alg = signatureAlgorithmFor(cert.signatureAlgorithm, issuer);
  } catch (e) {
    if (e instanceof X509Error) return e;
    throw e;
  }
  let ok: boolean;
  try {
    ok = await provider.verify(alg, issuer.publicKey, cert.tbs, cert.signatureValue);
  } catch (e) {
    // The algorithm could not be loaded (a lazy provider): no verdict on the certificate, an error of ours.
    if (isLoadFailure(e)) throw e;
    ok = false;
  }
  return ok ? null : new X509Error('CERT_SIGNATURE_FAILURE', `the signature on "${cert.subject.text}" does not verify with the key of "${issuer.subject.text}"`);
}
