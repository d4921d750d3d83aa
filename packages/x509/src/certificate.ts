/**
 * `parseCertificate`: an X.509 v1/v3 certificate (RFC 5280 §4.1) read strictly from DER into a plain,
 * immutable view. asn1js does the tokenising; no asn1js or pkijs type appears in the result. Every
 * failure is an `X509Error` (code MALFORMED_CERTIFICATE or UNSUPPORTED_PUBLIC_KEY).
 */
import { CryptoError, parseSpki } from '@puretls/crypto';
import type { PublicKey } from '@puretls/crypto';
import { nobleProvider } from '@puretls/crypto/noble-lazy';
import { bytesEqual } from '@puretls/wire';
import { type DerNode, Tag, TagClass, expect, expectSequence, latin1, parseDer, readBitString, readIntegerBytes, readOid, readSmallInteger, toHex } from './der.js';
import { X509Error, malformed } from './errors.js';
import { EMPTY_EXTENSIONS, type Extensions, parseExtensions } from './extensions.js';
import { type DistinguishedName, parseName } from './name.js';
import { OID } from './oids.js';

export interface AlgorithmIdentifier {
  /** Dotted OID. */
  readonly oid: string;
  /** DER of the parameters, or null when absent. */
  readonly parameters: Uint8Array | null;
  /** The DER of the whole AlgorithmIdentifier. */
  readonly der: Uint8Array;
}

export interface IpAddressName {
  /** 4 or 16 bytes. */
  readonly bytes: Uint8Array;
  /** Dotted quad or RFC 5952 text. */
  readonly text: string;
}

export interface SubjectAltNames {
  readonly dns: readonly string[];
  readonly ip: readonly IpAddressName[];
  readonly email: readonly string[];
  readonly uri: readonly string[];
}

export type KeyType = 'rsa' | 'rsa-pss' | 'ec' | 'ed25519' | 'ed448';

export interface Certificate {
  /** The certificate's DER, as given. */
  readonly der: Uint8Array;
  readonly version: 1 | 2 | 3;
  /** Serial number contents octets (two's complement, as encoded). */
  readonly serialNumber: Uint8Array;
  /** Lower-case hex of `serialNumber`. */
  readonly serialHex: string;
  readonly subject: DistinguishedName;
  readonly issuer: DistinguishedName;
  readonly notBefore: Date;
  readonly notAfter: Date;
  readonly subjectAltNames: SubjectAltNames;
  readonly publicKey: PublicKey;
  readonly keyType: KeyType;
  /** Modulus size for RSA, field size for EC, 255/448 for EdDSA. */
  readonly keyBits: number;
  /** DER of SubjectPublicKeyInfo. */
  readonly spki: Uint8Array;
  /** DER of TBSCertificate: the signed bytes. */
  readonly tbs: Uint8Array;
  readonly signatureAlgorithm: AlgorithmIdentifier;
  readonly signatureValue: Uint8Array;
  readonly extensions: Extensions;
  /** SHA-256 of the DER. */
  readonly fingerprintSha256: Uint8Array;
  /** Upper-case colon-separated hex, like Node's `fingerprint256`. */
  readonly fingerprint256: string;
  /** Subject and issuer names are equal (RFC 5280 §3.2 "self-issued"). */
  readonly selfIssued: boolean;
}

const MAX_CERTIFICATE_LENGTH = 64 * 1024;

export function parseCertificate(der: Uint8Array): Certificate {
  if (!(der instanceof Uint8Array)) throw new TypeError('der must be a Uint8Array');
  if (der.length > MAX_CERTIFICATE_LENGTH) throw malformed(`longer than ${MAX_CERTIFICATE_LENGTH} bytes`);
  try {
    return readCertificate(der);
  } catch (e) {
    // Peer bytes never escape as a RangeError/TypeError: anything unforeseen is a malformed certificate.
    if (e instanceof X509Error) throw e;
    throw malformed('unexpected structure');
  }
}

function readCertificate(der: Uint8Array): Certificate {
  const root = parseDer(der, 'certificate');
  // RFC 5280 §4.1: Certificate ::= SEQUENCE { tbsCertificate, signatureAlgorithm, signatureValue }
  const top = expectSequence(root, 'Certificate');
  if (top.length !== 3) throw malformed('Certificate must have three fields');
  const tbsNode = top[0] as DerNode;
  const signatureAlgorithm = readAlgorithmIdentifier(top[1], 'signatureAlgorithm');
  const sig = readBitString(top[2], 'signatureValue');
  if (sig.unusedBits !== 0) throw malformed('signatureValue has unused bits');

  const tbs = expectSequence(tbsNode, 'TBSCertificate');
  let i = 0;
  let version: 1 | 2 | 3 = 1;
  const v = tbs[0];
  if (v !== undefined && v.tagClass === TagClass.context && v.tagNumber === 0) {
    if (!v.constructed || v.children.length !== 1) throw malformed('bad version field');
    const n = readSmallInteger(v.children[0], 'version');
    // DER: v1 is the DEFAULT and must not be encoded.
    if (n !== 1 && n !== 2) throw malformed(`unsupported version ${n + 1}`);
    version = n === 1 ? 2 : 3;
    i++;
  }
  const serialNumber = readIntegerBytes(tbs[i++], 'serialNumber');
  // RFC 5280 §4.1.2.2: at most 20 octets.
  if (serialNumber.length > 20) throw malformed('serialNumber longer than 20 octets');
  const innerAlgorithm = readAlgorithmIdentifier(tbs[i++], 'signature');
  // RFC 5280 §4.1.1.2: must be the same algorithm as signatureAlgorithm.
  if (!bytesEqual(innerAlgorithm.der, signatureAlgorithm.der)) throw malformed('signature algorithm fields disagree');
  const issuer = parseName(tbs[i++] as DerNode, 'issuer');
  const validity = expectSequence(tbs[i++], 'validity');
  if (validity.length !== 2) throw malformed('validity must have two fields');
  const notBefore = readTime(validity[0] as DerNode, 'notBefore');
  const notAfter = readTime(validity[1] as DerNode, 'notAfter');
  const subject = parseName(tbs[i++] as DerNode, 'subject');
  const spkiNode = expect(tbs[i++], Tag.sequence, 'subjectPublicKeyInfo', true);
  let extensions: Extensions = EMPTY_EXTENSIONS;
  let lastTag = 0;
  for (; i < tbs.length; i++) {
    const n = tbs[i] as DerNode;
    if (n.tagClass !== TagClass.context || n.tagNumber <= lastTag || n.tagNumber > 3) throw malformed('unexpected field in TBSCertificate');
    lastTag = n.tagNumber;
    if (version === 1) throw malformed('v1 certificate with unique identifiers or extensions');
    if (n.tagNumber === 3) {
      if (version !== 3) throw malformed('extensions in a non-v3 certificate');
      if (!n.constructed || n.children.length !== 1) throw malformed('bad extensions field');
      extensions = parseExtensions(n.children[0] as DerNode);
    }
  }
  const { publicKey, keyType, keyBits } = readPublicKey(spkiNode);
  const fingerprintSha256 = nobleProvider.hash('SHA-256').digest(der);
  const fp = toHex(fingerprintSha256).toUpperCase();
  return Object.freeze({
    der,
    version,
    serialNumber,
    serialHex: toHex(serialNumber),
    subject,
    issuer,
    notBefore,
    notAfter,
    subjectAltNames: collectSans(extensions),
    publicKey,
    keyType,
    keyBits,
    spki: spkiNode.raw,
    tbs: tbsNode.raw,
    signatureAlgorithm,
    signatureValue: sig.bytes,
    extensions,
    fingerprintSha256,
    fingerprint256: fp.replace(/(..)(?!$)/g, '$1:'),
    selfIssued: subject.key === issuer.key,
  });
}

export function readAlgorithmIdentifier(n: DerNode | undefined, what: string): AlgorithmIdentifier {
  const parts = expectSequence(n, what);
  if (parts.length < 1 || parts.length > 2) throw malformed(`${what}: bad AlgorithmIdentifier`);
  return { oid: readOid(parts[0], what), parameters: parts[1]?.raw ?? null, der: (n as DerNode).raw };
}

/** RFC 5280 §4.1.2.5: UTCTime YYMMDDHHMMSSZ or GeneralizedTime YYYYMMDDHHMMSSZ, seconds required, no fractions. */
function readTime(n: DerNode, what: string): Date {
  if (n.tagClass !== TagClass.universal || n.constructed || n.content.length > 15) throw malformed(`${what}: not a time`);
  const s = latin1(n.content);
  let m: RegExpExecArray | null;
  let year: number;
  if (n.tagNumber === Tag.utcTime) {
    m = /^(\d\d)(\d\d)(\d\d)(\d\d)(\d\d)(\d\d)Z$/.exec(s);
    if (m === null) throw malformed(`${what}: bad UTCTime`);
    const yy = Number(m[1]);
    // RFC 5280 §4.1.2.5.1: YY >= 50 is 19YY.
    year = yy >= 50 ? 1900 + yy : 2000 + yy;
  } else if (n.tagNumber === Tag.generalizedTime) {
    m = /^(\d\d\d\d)(\d\d)(\d\d)(\d\d)(\d\d)(\d\d)Z$/.exec(s);
    if (m === null) throw malformed(`${what}: bad GeneralizedTime`);
    year = Number(m[1]);
  } else {
    throw malformed(`${what}: not a time`);
  }
  const [month, day, hour, minute, second] = [m[2], m[3], m[4], m[5], m[6]].map(Number) as [number, number, number, number, number];
  const t = Date.UTC(year, month - 1, day, hour, minute, second);
  const d = new Date(t);
  if (
    month < 1 ||
    month > 12 ||
    d.getUTCDate() !== day ||
    d.getUTCMonth() !== month - 1 ||
    hour > 23 ||
    minute > 59 ||
    second > 59
  ) {
    throw malformed(`${what}: invalid date`);
  }
  // Date.UTC maps years 0..99 to 1900..1999; fix the year for GeneralizedTime.
  if (year < 100) d.setUTCFullYear(year);
  return d;
}

function readPublicKey(spki: DerNode): { publicKey: PublicKey; keyType: KeyType; keyBits: number } {
  const alg = readAlgorithmIdentifier(spki.children[0], 'subjectPublicKeyInfo algorithm');
  let publicKey: PublicKey;
  try {
    // RSASSA-PSS keys keep their restriction, so TLS holds them to rsa_pss_pss_* (RFC 8446 §4.2.3).
    publicKey = parseSpki(spki.raw);
  } catch (e) {
    if (e instanceof CryptoError && e.code === 'UNSUPPORTED_ALGORITHM') {
      throw new X509Error('UNSUPPORTED_PUBLIC_KEY', `unsupported public key: ${e.message}`);
    }
    if (e instanceof CryptoError) throw malformed(`bad public key: ${e.message}`);
    throw malformed('bad public key');
  }
  switch (publicKey.kind) {
    case 'rsa':
      return { publicKey, keyType: alg.oid === OID.rsassaPss ? 'rsa-pss' : 'rsa', keyBits: publicKey.n.toString(2).length };
    case 'ec':
      return { publicKey, keyType: 'ec', keyBits: publicKey.curve === 'P-256' ? 256 : publicKey.curve === 'P-384' ? 384 : 521 };
    case 'ed25519':
      return { publicKey, keyType: 'ed25519', keyBits: 255 };
    case 'ed448':
      return { publicKey, keyType: 'ed448', keyBits: 448 };
  }
}

export function formatIp(bytes: Uint8Array): string {
  if (bytes.length === 4) return Array.from(bytes).join('.');
  const groups: number[] = [];
  for (let i = 0; i + 1 < bytes.length; i += 2) groups.push(((bytes[i] ?? 0) << 8) | (bytes[i + 1] ?? 0));
  // RFC 5952 §4.2: compress the longest run (length >= 2) of zero groups, the first one on ties.
  let best = -1;
  let bestLen = 1;
  for (let i = 0; i < groups.length; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < groups.length && groups[j] === 0) j++;
    if (j - i > bestLen) {
      best = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (best === -1) return hex.join(':');
  return `${hex.slice(0, best).join(':')}::${hex.slice(best + bestLen).join(':')}`;
}

function collectSans(ext: Extensions): SubjectAltNames {
  const dns: string[] = [];
  const ip: IpAddressName[] = [];
  const email: string[] = [];
  const uri: string[] = [];
  for (const n of ext.subjectAltNames ?? []) {
    if (n.type === 'dns') dns.push(n.value);
    else if (n.type === 'ip') ip.push({ bytes: n.bytes, text: formatIp(n.bytes) });
    else if (n.type === 'email') email.push(n.value);
    else if (n.type === 'uri') uri.push(n.value);
  }
  return { dns, ip, email, uri };
}
