/**
 * Public and private key encodings: SubjectPublicKeyInfo (RFC 5280 §4.1.2.7) and PKCS#8
 * PrivateKeyInfo / OneAsymmetricKey (RFC 5208, RFC 5958 §2) for
 * - EC keys on P-256/384/521 with named curves (RFC 5480 §2; SEC1 ECPrivateKey, RFC 5915 §3),
 * - Ed25519 / Ed448 (RFC 8410 §4, §7),
 * - RSA: rsaEncryption with NULL parameters, RSAPublicKey / RSAPrivateKey (RFC 8017 App. A.1),
 *   and id-RSASSA-PSS keys (RFC 4055 §3.1), read as `rsa` keys marked `pss` with the hash their
 *   parameters bind them to; the encoders write them back as id-RSASSA-PSS.
 * DER is parsed strictly (see der.ts). Malformed structure → CryptoError INVALID_KEY_ENCODING;
 * an algorithm or curve we do not implement → UNSUPPORTED_ALGORITHM; an EC point off the curve →
 * INVALID_PUBLIC_KEY; a private scalar out of range → INVALID_PRIVATE_KEY. Not supported: explicit
 * EC parameters, multi-prime RSA, encrypted PKCS#8, PEM (callers strip the armour).
 *
 * No curve arithmetic: points are checked by point-decode.ts, so this module loads no elliptic-curve
 * implementation. An EC private key therefore keeps the public key its ECPrivateKey carries
 * (validated as a point, not checked against d) for encodePkcs8 to write back; a key without one is
 * written without one (RFC 5915 §3: publicKey is optional; OpenSSL derives it from d).
 */
import {
  DerReader,
  DerTag,
  contextTag,
  derBitString,
  derExplicit,
  derInteger,
  derNull,
  derOctetString,
  derOid,
  derSequence,
} from './der.js';
import { assertEcPrivateScalar, ecCurveParams } from './curve-params.js';
import { CryptoError } from './errors.js';
import { RSA_MAX_EXPONENT_BITS, RSA_MAX_MODULUS_BITS, bigintBits } from './rsa-limits.js';
import { decodeSec1Point, ed25519PointIsCanonical, ed448PointIsCanonical } from './point-decode.js';
import type { EcCurve, HashName, PrivateKey, PublicKey, RsaPrivateKey, RsaPssKeyParams } from './types.js';

const OID = {
  ecPublicKey: '1.2.840.10045.2.1', // RFC 5480 §2.1.1
  rsaEncryption: '1.2.840.113549.1.1.1', // RFC 8017 App. C
  rsassaPss: '1.2.840.113549.1.1.10', // RFC 4055 §3.1
  ed25519: '1.3.101.112', // RFC 8410 §3
  ed448: '1.3.101.113',
  mgf1: '1.2.840.113549.1.1.8', // RFC 8017 App. B.2.1
} as const;

// RFC 8017 App. A.2.4 hash algorithm identifiers.
const HASH_OID: Readonly<Record<string, HashName>> = {
  '2.16.840.1.101.3.4.2.1': 'SHA-256',
  '2.16.840.1.101.3.4.2.2': 'SHA-384',
  '2.16.840.1.101.3.4.2.3': 'SHA-512',
};

// RFC 5480 §2.1.1.1 named curves.
const CURVE_OID: Readonly<Record<EcCurve, string>> = {
  'P-256': '1.2.840.10045.3.1.7',
  'P-384': '1.3.132.0.34',
  'P-521': '1.3.132.0.35',
};

function curveOfOid(oid: string): EcCurve {
  for (const [curve, o] of Object.entries(CURVE_OID)) if (o === oid) return curve as EcCurve;
  throw new CryptoError('UNSUPPORTED_ALGORITHM', `unsupported elliptic curve ${oid}`);
}

const invalid = (message: string): CryptoError => new CryptoError('INVALID_KEY_ENCODING', message);

function assertDer(der: unknown): asserts der is Uint8Array {
  if (!(der instanceof Uint8Array)) throw new TypeError('der must be a Uint8Array');
}

/** AlgorithmIdentifier ::= SEQUENCE { algorithm OID, parameters ANY OPTIONAL } (RFC 5280 §4.1.1.2). */
function readAlgorithm(r: DerReader): { oid: string; params: DerReader } {
  const seq = r.sequence();
  return { oid: seq.oid(), params: seq };
}

/** ECParameters: only namedCurve (RFC 5480 §2.1.1: specifiedCurve and implicitCurve MUST NOT be used). */
function readNamedCurve(params: DerReader): EcCurve {
  const tag = params.peekTag();
  if (tag !== DerTag.OID) {
    if (tag === DerTag.SEQUENCE || tag === DerTag.NULL) throw new CryptoError('UNSUPPORTED_ALGORITHM', 'EC keys with explicit or implicit curve parameters are not supported');
    throw invalid('EC AlgorithmIdentifier needs a namedCurve');
  }
  const curve = curveOfOid(params.oid());
  params.finish('namedCurve');
  return curve;
}

/** RFC 8410 §3: the parameters MUST be absent. */
function noParams(params: DerReader, what: string): void {
  params.finish(`${what} AlgorithmIdentifier (parameters must be absent)`);
}

/** rsaEncryption: parameters MUST be NULL (RFC 8017 App. C, RFC 3279 §2.3.1). */
function nullParams(params: DerReader): void {
  params.null();
  params.finish('rsaEncryption AlgorithmIdentifier');
}

/**
 * RSASSA-PSS-params (RFC 4055 §3.1), absent or a SEQUENCE of the optional [0] hashAlgorithm,
 * [1] maskGenAlgorithm, [2] saltLength, [3] trailerField in that order. Checked for form, and read
 * into the hash the key is bound to (RFC 4055 §3.1: a key with parameters signs with them only).
 */
function pssParams(params: DerReader): RsaPssKeyParams {
  if (params.done) return { hash: null };
  const seq = params.sequence();
  params.finish('RSASSA-PSS-params');
  // RFC 4055 §3.1: absent fields take the defaults SHA-1, MGF1 with SHA-1, salt 20, trailer 1.
  let hash: HashName | 'other' = 'other';
  let mgfHash: HashName | 'other' = 'other';
  const hashField = seq.optionalExplicit(0);
  if (hashField !== undefined) {
    hash = hashOfAlgorithm(hashField);
    hashField.finish('hashAlgorithm');
  }
  const mgf = seq.optionalExplicit(1);
  if (mgf !== undefined) {
    const { oid, params: mgfParams } = readAlgorithm(mgf);
    mgf.finish('maskGenAlgorithm');
    if (!mgfParams.done) mgfHash = hashOfAlgorithm(mgfParams);
    mgfParams.finish('maskGenAlgorithm parameters');
    if (oid !== OID.mgf1) mgfHash = 'other';
  }
  let saltLength = 20n;
  const salt = seq.optionalExplicit(2);
  if (salt !== undefined) {
    saltLength = salt.unsignedInteger();
    salt.finish('RSASSA-PSS-params integer');
  }
  const trailer = seq.optionalExplicit(3);
  if (trailer !== undefined) {
    trailer.unsignedInteger();
    trailer.finish('RSASSA-PSS-params integer');
  }
  seq.finish('RSASSA-PSS-params');
  // TLS signs with salt = hash length and MGF1 over the same hash (RFC 8446 §4.2.3).
  if (hash === 'other' || mgfHash !== hash || saltLength > BigInt(HASH_LENGTH[hash])) return { hash: 'other' };
  return { hash };
}

const HASH_LENGTH: Readonly<Record<HashName, number>> = { 'SHA-256': 32, 'SHA-384': 48, 'SHA-512': 64 };

/** A hash AlgorithmIdentifier (parameters absent or NULL) as a HashName, or 'other'. */
function hashOfAlgorithm(r: DerReader): HashName | 'other' {
  const { oid, params } = readAlgorithm(r);
  if (!params.done) params.readElement();
  params.finish('AlgorithmIdentifier');
  return HASH_OID[oid] ?? 'other';
}

function positive(r: DerReader, what: string): bigint {
  const n = r.integer();
  if (n <= 0n) throw invalid(`RSA ${what} must be positive`);
  return n;
}

/** RSAPublicKey ::= SEQUENCE { modulus INTEGER, publicExponent INTEGER } (RFC 8017 §A.1.1). */
function readRsaPublicKey(bytes: Uint8Array): Extract<PublicKey, { kind: 'rsa' }> {
  const outer = DerReader.over(bytes);
  const seq = outer.sequence();
  outer.finish('RSAPublicKey');
  const n = positive(seq, 'modulus');
  const e = positive(seq, 'publicExponent');
  seq.finish('RSAPublicKey');
  // Refused before any use: a key this large makes each verification cost seconds (rsa-limits.ts).
  if (bigintBits(n) > RSA_MAX_MODULUS_BITS) throw new CryptoError('UNSUPPORTED_ALGORITHM', `RSA modulus of ${bigintBits(n)} bits (at most ${RSA_MAX_MODULUS_BITS})`);
  if (bigintBits(e) > RSA_MAX_EXPONENT_BITS) throw new CryptoError('UNSUPPORTED_ALGORITHM', `RSA public exponent of ${bigintBits(e)} bits (at most ${RSA_MAX_EXPONENT_BITS})`);
  return { kind: 'rsa', n, e };
}

/** RSAPrivateKey (RFC 8017 §A.1.2), two-prime (version 0) only. */
function readRsaPrivateKey(bytes: Uint8Array): RsaPrivateKey {
  const outer = DerReader.over(bytes);
  const seq = outer.sequence();
  outer.finish('RSAPrivateKey');
  const version = seq.smallInteger();
  if (version === 1) throw new CryptoError('UNSUPPORTED_ALGORITHM', 'multi-prime RSA keys are not supported');
  if (version !== 0) throw invalid(`RSAPrivateKey version ${version}`);
  const key: RsaPrivateKey = {
    kind: 'rsa',
    n: positive(seq, 'modulus'),
    e: positive(seq, 'publicExponent'),
    d: positive(seq, 'privateExponent'),
    p: positive(seq, 'prime1'),
    q: positive(seq, 'prime2'),
    dp: positive(seq, 'exponent1'),
    dq: positive(seq, 'exponent2'),
    qi: positive(seq, 'coefficient'),
  };
  seq.finish('RSAPrivateKey');
  return key;
}

/**
 * Reads a SubjectPublicKeyInfo. An id-RSASSA-PSS key is marked `pss` (its hash restriction, see
 * `RsaPssKeyParams`), so TLS keeps it to rsa_pss_pss_* (RFC 8446 §4.2.3).
 */
export function parseSpki(der: Uint8Array): PublicKey {
  assertDer(der);
  // SubjectPublicKeyInfo ::= SEQUENCE { algorithm AlgorithmIdentifier, subjectPublicKey BIT STRING }
  const outer = DerReader.over(der);
  const spki = outer.sequence();
  outer.finish('SubjectPublicKeyInfo');
  const { oid, params } = readAlgorithm(spki);
  const key = spki.bitString();
  spki.finish('SubjectPublicKeyInfo');
  switch (oid) {
    case OID.ecPublicKey: {
      const curve = readNamedCurve(params);
      // RFC 5480 §2.2: ECPoint, compressed or uncompressed; we hand out the uncompressed form.
      return { kind: 'ec', curve, point: decodeSec1Point(curve, key, true) };
    }
    case OID.ed25519:
    case OID.ed448: {
      const ed25519 = oid === OID.ed25519;
      noParams(params, ed25519 ? 'Ed25519' : 'Ed448');
      if (key.length !== (ed25519 ? 32 : 57)) throw invalid(`${ed25519 ? 'Ed25519' : 'Ed448'} public key has the wrong length`);
      if (!(ed25519 ? ed25519PointIsCanonical(key) : ed448PointIsCanonical(key))) {
        throw new CryptoError('INVALID_PUBLIC_KEY', `${ed25519 ? 'Ed25519' : 'Ed448'} public key is not a curve point`);
      }
      return ed25519 ? { kind: 'ed25519', key: key.slice() } : { kind: 'ed448', key: key.slice() };
    }
    case OID.rsaEncryption:
      nullParams(params);
      return readRsaPublicKey(key);
    case OID.rsassaPss: {
      const pss = pssParams(params);
      return { ...readRsaPublicKey(key), pss };
    }
    default:
      throw new CryptoError('UNSUPPORTED_ALGORITHM', `unsupported public key algorithm ${oid}`);
  }
}

/** ECPrivateKey (RFC 5915 §3) inside PKCS#8 for `curve` from the AlgorithmIdentifier. */
function readEcPrivateKey(bytes: Uint8Array, curve: EcCurve): PrivateKey {
  const c = ecCurveParams(curve);
  const outer = DerReader.over(bytes);
  const seq = outer.sequence();
  outer.finish('ECPrivateKey');
  if (seq.smallInteger() !== 1) throw invalid('ECPrivateKey version must be 1');
  const d = seq.octetString();
  // RFC 5915 §3: privateKey is ceiling(log2(n)/8) octets.
  if (d.length !== c.scalarLength) throw invalid(`${curve} private key must be ${c.scalarLength} octets`);
  const params = seq.optionalExplicit(0);
  if (params !== undefined && readNamedCurve(params) !== curve) throw invalid('ECPrivateKey parameters disagree with the AlgorithmIdentifier');
  const pub = seq.optionalExplicit(1);
  let publicKey: Uint8Array | undefined;
  if (pub !== undefined) {
    publicKey = pub.bitString();
    pub.finish('ECPrivateKey publicKey');
  }
  seq.finish('ECPrivateKey');
  try {
    assertEcPrivateScalar(c, d, 'privateKey');
  } catch {
    throw new CryptoError('INVALID_PRIVATE_KEY', `${curve} private key is out of range`);
  }
  if (publicKey === undefined) return { kind: 'ec', curve, d: d.slice() };
  // Kept only to be written back; a point (INVALID_PUBLIC_KEY otherwise), not checked against d.
  return { kind: 'ec', curve, d: d.slice(), publicKey: decodeSec1Point(curve, publicKey, true) };
}

export function parsePkcs8(der: Uint8Array): PrivateKey {
  assertDer(der);
  // OneAsymmetricKey ::= SEQUENCE { version, privateKeyAlgorithm, privateKey OCTET STRING,
  //   attributes [0] IMPLICIT OPTIONAL, [[2: publicKey [1] IMPLICIT BIT STRING OPTIONAL ]] }
  const outer = DerReader.over(der);
  const info = outer.sequence();
  outer.finish('PrivateKeyInfo');
  const version = info.smallInteger();
  if (version !== 0 && version !== 1) throw invalid(`PrivateKeyInfo version ${version}`);
  const { oid, params } = readAlgorithm(info);
  const privateKey = info.octetString();
  const attributes = info.optional(contextTag(0, true));
  if (attributes !== undefined) {
    // SET OF Attribute; each Attribute is a SEQUENCE. Not used, but must be well formed.
    const r = DerReader.over(attributes);
    while (!r.done) r.sequence();
  }
  if (version === 1) {
    const pub = info.optional(contextTag(1, false));
    if (pub !== undefined && (pub.length === 0 || pub[0] !== 0)) throw invalid('OneAsymmetricKey publicKey is not a whole-octet BIT STRING');
  }
  info.finish('PrivateKeyInfo');
  switch (oid) {
    case OID.ecPublicKey:
      return readEcPrivateKey(privateKey, readNamedCurve(params));
    case OID.ed25519:
    case OID.ed448: {
      const ed25519 = oid === OID.ed25519;
      noParams(params, ed25519 ? 'Ed25519' : 'Ed448');
      // RFC 8410 §7: CurvePrivateKey ::= OCTET STRING, inside the privateKey OCTET STRING.
      const r = DerReader.over(privateKey);
      const seed = r.octetString();
      r.finish('CurvePrivateKey');
      if (seed.length !== (ed25519 ? 32 : 57)) throw invalid(`${ed25519 ? 'Ed25519' : 'Ed448'} private key has the wrong length`);
      return ed25519 ? { kind: 'ed25519', seed: seed.slice() } : { kind: 'ed448', seed: seed.slice() };
    }
    case OID.rsaEncryption:
      nullParams(params);
      return readRsaPrivateKey(privateKey);
    case OID.rsassaPss: {
      const pss = pssParams(params);
      return { ...readRsaPrivateKey(privateKey), pss };
    }
    default:
      throw new CryptoError('UNSUPPORTED_ALGORITHM', `unsupported private key algorithm ${oid}`);
  }
}

// --- encoding ---------------------------------------------------------------------------------

function assertKeyObject(key: unknown): asserts key is { readonly kind: unknown } {
  if (typeof key !== 'object' || key === null) throw new TypeError('key must be a key object');
}

function assertBytesOfLength(value: unknown, length: number, argument: string): asserts value is Uint8Array {
  if (!(value instanceof Uint8Array)) throw new TypeError(`${argument} must be a Uint8Array`);
  if (value.length !== length) throw new RangeError(`${argument} must be ${length} bytes, got ${value.length}`);
}

function assertPositive(value: unknown, argument: string): asserts value is bigint {
  if (typeof value !== 'bigint' || value <= 0n) throw new RangeError(`${argument} must be a positive bigint`);
}

const ecAlgorithm = (curve: EcCurve): Uint8Array => derSequence(derOid(OID.ecPublicKey), derOid(CURVE_OID[curve]));
const HASH_OID_OF: Readonly<Record<HashName, string>> = Object.fromEntries(Object.entries(HASH_OID).map(([oid, name]) => [name, oid])) as Record<HashName, string>;

/**
 * rsaEncryption, or id-RSASSA-PSS for a key marked `pss`: without parameters when it may use any
 * hash, else with the parameters TLS needs (hash, MGF1 over the same hash, salt = hash length;
 * RFC 4055 §3.1, RFC 8446 §4.2.3). A key bound to parameters TLS cannot use has lost them in parsing.
 */
function rsaAlgorithm(pss: RsaPssKeyParams | undefined): Uint8Array {
  if (pss === undefined) return derSequence(derOid(OID.rsaEncryption), derNull());
  if (pss.hash === null) return derSequence(derOid(OID.rsassaPss));
  if (pss.hash === 'other') throw new RangeError('key.pss binds the key to parameters that cannot be re-encoded');
  const hashAlg = derSequence(derOid(HASH_OID_OF[pss.hash]), derNull());
  const params = derSequence(
    derExplicit(0, hashAlg),
    derExplicit(1, derSequence(derOid(OID.mgf1), hashAlg)),
    derExplicit(2, derInteger(BigInt(HASH_LENGTH[pss.hash]))),
  );
  return derSequence(derOid(OID.rsassaPss), params);
}
const rsaPublicKey = (n: bigint, e: bigint): Uint8Array => derSequence(derInteger(n), derInteger(e));

export function encodeSpki(key: PublicKey): Uint8Array {
  assertKeyObject(key);
  switch (key.kind) {
    case 'ec': {
      const c = ecCurveParams(key.curve);
      assertBytesOfLength(key.point, c.pointLength, 'key.point');
      if (key.point[0] !== 0x04) throw new RangeError('key.point must be an uncompressed SEC1 point');
      return derSequence(ecAlgorithm(key.curve), derBitString(key.point));
    }
    case 'ed25519':
      assertBytesOfLength(key.key, 32, 'key.key');
      return derSequence(derSequence(derOid(OID.ed25519)), derBitString(key.key));
    case 'ed448':
      assertBytesOfLength(key.key, 57, 'key.key');
      return derSequence(derSequence(derOid(OID.ed448)), derBitString(key.key));
    case 'rsa':
      assertPositive(key.n, 'key.n');
      assertPositive(key.e, 'key.e');
      return derSequence(rsaAlgorithm(key.pss), derBitString(rsaPublicKey(key.n, key.e)));
    default:
      throw new TypeError(`key.kind is not supported: ${String((key as { kind: unknown }).kind)}`);
  }
}

/** PKCS#8 v1 (version 0) PrivateKeyInfo, in the layout OpenSSL writes. */
export function encodePkcs8(key: PrivateKey): Uint8Array {
  assertKeyObject(key);
  const version = derInteger(0n);
  switch (key.kind) {
    case 'ec': {
      const c = ecCurveParams(key.curve);
      assertEcPrivateScalar(c, key.d, 'key.d');
      // RFC 5915 §3: version 1, the scalar, and the public key when the key carries one ([0] is
      // implied by PKCS#8, RFC 5915 §1). Without it, readers derive it from d, as OpenSSL does.
      const fields = [derInteger(1n), derOctetString(key.d)];
      if (key.publicKey !== undefined) {
        assertBytesOfLength(key.publicKey, c.pointLength, 'key.publicKey');
        if (key.publicKey[0] !== 0x04) throw new RangeError('key.publicKey must be an uncompressed SEC1 point');
        fields.push(derExplicit(1, derBitString(key.publicKey)));
      }
      return derSequence(version, ecAlgorithm(key.curve), derOctetString(derSequence(...fields)));
    }
    case 'ed25519':
      assertBytesOfLength(key.seed, 32, 'key.seed');
      return derSequence(version, derSequence(derOid(OID.ed25519)), derOctetString(derOctetString(key.seed)));
    case 'ed448':
      assertBytesOfLength(key.seed, 57, 'key.seed');
      return derSequence(version, derSequence(derOid(OID.ed448)), derOctetString(derOctetString(key.seed)));
    case 'rsa': {
      const fields = ['n', 'e', 'd', 'p', 'q', 'dp', 'dq', 'qi'] as const;
      for (const f of fields) assertPositive(key[f], `key.${f}`);
      const rsaPrivateKey = derSequence(derInteger(0n), ...fields.map((f) => derInteger(key[f])));
      return derSequence(version, rsaAlgorithm(key.pss), derOctetString(rsaPrivateKey));
    }
    default:
      throw new TypeError(`key.kind is not supported: ${String((key as { kind: unknown }).kind)}`);
  }
}
