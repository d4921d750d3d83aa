/**
 * Throwaway certificates for demos and tests, made in-process with only Node: a key pair from
 * node:crypto and an X.509 v3 certificate (RFC 5280 §4.1) DER-encoded here and signed by node:crypto.
 * Not a CA toolkit: one CN, DNS/IP subjectAltNames, basicConstraints, keyUsage, extKeyUsage, SKI/AKI.
 */
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, randomBytes, sign, type KeyObject } from 'node:crypto';
import { isIP } from 'node:net';

/** `rsa-pss-2048` is an id-RSASSA-PSS key (RFC 4055), usable only as a leaf (for rsa_pss_pss_* schemes). */
export type TestKeyType = 'ec-p256' | 'ec-p384' | 'ec-p521' | 'ed25519' | 'ed448' | 'rsa-2048' | 'rsa-pss-2048';

export interface GenerateCertificateOptions {
  /** The subject common name. */
  readonly commonName: string;
  readonly keyType?: TestKeyType;
  /** A CA certificate (basicConstraints cA, keyCertSign). */
  readonly isCA?: boolean;
  /** The issuing CA; self-signed when absent. */
  readonly issuer?: GeneratedCertificate;
  /** DNS names and IP literals for subjectAltName. */
  readonly altNames?: readonly string[];
  /** Validity in days from now (default 30); starts an hour in the past for clock skew. */
  readonly days?: number;
}

export interface GeneratedCertificate {
  /** PEM certificate. */
  readonly cert: string;
  /** PEM PKCS#8 private key. */
  readonly key: string;
  readonly certDer: Uint8Array;
  readonly keyDer: Uint8Array;
  readonly keyType: TestKeyType;
  readonly commonName: string;
  /** Subject key identifier (for the AKI of certificates it issues). */
  readonly keyId: Uint8Array;
}

// ---- a minimal DER writer (X.690) -------------------------------------------------------------------

function tlv(tag: number, body: Uint8Array): Uint8Array {
  const n = body.length;
  const len = n < 0x80 ? [n] : n < 0x100 ? [0x81, n] : n < 0x10000 ? [0x82, n >> 8, n & 0xff] : [0x83, n >> 16, (n >> 8) & 0xff, n & 0xff];
  const out = new Uint8Array(1 + len.length + n);
  out[0] = tag;
  out.set(len, 1);
  out.set(body, 1 + len.length);
  return out;
}

function cat(...parts: Uint8Array[]): Uint8Array {
  return new Uint8Array(Buffer.concat(parts));
}

const seq = (...parts: Uint8Array[]): Uint8Array => tlv(0x30, cat(...parts));
const set = (...parts: Uint8Array[]): Uint8Array => tlv(0x31, cat(...parts));
const octets = (b: Uint8Array): Uint8Array => tlv(0x04, b);
const bitString = (b: Uint8Array, unused = 0): Uint8Array => tlv(0x03, cat(Uint8Array.of(unused), b));
const explicit = (n: number, inner: Uint8Array): Uint8Array => tlv(0xa0 + n, inner);
const NULL = Uint8Array.of(0x05, 0x00);
const TRUE = Uint8Array.of(0x01, 0x01, 0xff);

function integer(b: Uint8Array): Uint8Array {
  let i = 0;
  while (i < b.length - 1 && b[i] === 0 && ((b[i + 1] as number) & 0x80) === 0) i++;
  const v = b.subarray(i);
  return tlv(0x02, ((v[0] as number) & 0x80) !== 0 ? cat(Uint8Array.of(0), v) : v);
}

function oid(dotted: string): Uint8Array {
  const arcs = dotted.split('.').map(Number);
  const bytes: number[] = [(arcs[0] as number) * 40 + (arcs[1] as number)];
  for (const arc of arcs.slice(2)) {
    const chunk: number[] = [arc & 0x7f];
    for (let v = Math.floor(arc / 128); v > 0; v = Math.floor(v / 128)) chunk.unshift((v & 0x7f) | 0x80);
    bytes.push(...chunk);
  }
  return tlv(0x06, Uint8Array.from(bytes));
}

function time(d: Date): Uint8Array {
  // RFC 5280 §4.1.2.5: UTCTime through 2049, GeneralizedTime after.
  const iso = d.toISOString().replace(/[-:T]/g, '').slice(0, 14);
  return d.getUTCFullYear() < 2050 ? tlv(0x17, new TextEncoder().encode(`${iso.slice(2)}Z`)) : tlv(0x18, new TextEncoder().encode(`${iso}Z`));
}

function name(cn: string): Uint8Array {
  return seq(set(seq(oid('2.5.4.3'), tlv(0x0c, new TextEncoder().encode(cn)))));
}

function extension(id: string, critical: boolean, value: Uint8Array): Uint8Array {
  return critical ? seq(oid(id), TRUE, octets(value)) : seq(oid(id), octets(value));
}

function ipBytes(ip: string): Uint8Array {
  if (isIP(ip) === 4) return Uint8Array.from(ip.split('.').map(Number));
  // IPv6: expand "::" then 8 groups of 16 bits.
  const [head, tail] = ip.includes('::') ? (ip.split('::') as [string, string]) : [ip, undefined];
  const h = head === '' ? [] : head.split(':');
  const t = tail === undefined || tail === '' ? [] : tail.split(':');
  const groups = tail === undefined ? h : [...h, ...Array<string>(8 - h.length - t.length).fill('0'), ...t];
  const out = new Uint8Array(16);
  groups.forEach((g, i) => {
    const v = parseInt(g, 16);
    out[2 * i] = v >> 8;
    out[2 * i + 1] = v & 0xff;
  });
  return out;
}

// ---- keys and signatures --------------------------------------------------------------------------

function generateKey(type: TestKeyType): KeyObject {
  switch (type) {
    case 'ec-p256':
      return generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
    case 'ec-p384':
      return generateKeyPairSync('ec', { namedCurve: 'P-384' }).privateKey;
    case 'ec-p521':
      return generateKeyPairSync('ec', { namedCurve: 'P-521' }).privateKey;
    case 'ed25519':
      return generateKeyPairSync('ed25519').privateKey;
    case 'ed448':
      return generateKeyPairSync('ed448').privateKey;
    case 'rsa-2048':
      return generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
    case 'rsa-pss-2048':
      return generateKeyPairSync('rsa-pss', { modulusLength: 2048 }).privateKey;
  }
}

/** The certificate signature algorithm for a CA key (RFC 5758, RFC 8410, RFC 4055). */
function signatureAlgorithm(type: TestKeyType): { der: Uint8Array; digest: string | null } {
  switch (type) {
    case 'ec-p256':
      return { der: seq(oid('1.2.840.10045.4.3.2')), digest: 'sha256' };
    case 'ec-p384':
      return { der: seq(oid('1.2.840.10045.4.3.3')), digest: 'sha384' };
    case 'ec-p521':
      return { der: seq(oid('1.2.840.10045.4.3.4')), digest: 'sha512' };
    case 'ed25519':
      return { der: seq(oid('1.3.101.112')), digest: null };
    case 'ed448':
      return { der: seq(oid('1.3.101.113')), digest: null };
    case 'rsa-2048':
      return { der: seq(oid('1.2.840.113549.1.1.11'), NULL), digest: 'sha256' };
    case 'rsa-pss-2048':
      throw new TypeError('an rsa-pss-2048 key cannot issue certificates here (use it as a leaf)');
  }
}

const KEY_TYPES: readonly TestKeyType[] = ['ec-p256', 'ec-p384', 'ec-p521', 'ed25519', 'ed448', 'rsa-2048', 'rsa-pss-2048'];

/** A certificate and its key: self-signed, or issued by `options.issuer`. */
export function generateCertificate(options: GenerateCertificateOptions): GeneratedCertificate {
  if (options === null || typeof options !== 'object') throw new TypeError('options must be an object');
  if (typeof options.commonName !== 'string' || options.commonName === '') throw new TypeError('options.commonName must be a non-empty string');
  const keyType = options.keyType ?? 'ec-p256';
  if (!KEY_TYPES.includes(keyType)) throw new TypeError(`options.keyType must be one of ${KEY_TYPES.join(', ')}`);
  const days = options.days ?? 30;
  if (!Number.isFinite(days) || days <= 0) throw new RangeError('options.days must be positive');
  const key = generateKey(keyType);
  const spki = new Uint8Array(createPublicKey(key).export({ format: 'der', type: 'spki' }));
  const keyId = new Uint8Array(createHash('sha1').update(spki).digest());
  const issuer = options.issuer;
  const signerType = issuer?.keyType ?? keyType;
  const signerKey = issuer === undefined ? key : createPrivateKey({ key: Buffer.from(issuer.keyDer), format: 'der', type: 'pkcs8' });
  const alg = signatureAlgorithm(signerType);

  const serial = randomBytes(16);
  serial[0] = (serial[0] as number) & 0x7f;
  const now = Date.now();
  const notBefore = new Date(now - 3600_000);
  const notAfter = new Date(now + days * 86400_000);
  const exts: Uint8Array[] = [];
  const isCA = options.isCA === true;
  exts.push(extension('2.5.29.19', true, isCA ? seq(TRUE) : seq()));
  // keyUsage: CA keyCertSign|cRLSign (bits 5, 6); leaf digitalSignature (bit 0).
  exts.push(extension('2.5.29.15', true, isCA ? bitString(Uint8Array.of(0x06), 1) : bitString(Uint8Array.of(0x80), 7)));
  if (!isCA) exts.push(extension('2.5.29.37', false, seq(oid('1.3.6.1.5.5.7.3.1'), oid('1.3.6.1.5.5.7.3.2'))));
  const alt = options.altNames ?? [];
  if (alt.length > 0) {
    const names = alt.map((n) => (isIP(n) !== 0 ? tlv(0x87, ipBytes(n)) : tlv(0x82, new TextEncoder().encode(n))));
    exts.push(extension('2.5.29.17', false, seq(...names)));
  }
  exts.push(extension('2.5.29.14', false, octets(keyId)));
  exts.push(extension('2.5.29.35', false, seq(tlv(0x80, issuer?.keyId ?? keyId))));

  const tbs = seq(
    explicit(0, integer(Uint8Array.of(2))),
    integer(serial),
    alg.der,
    name(issuer?.commonName ?? options.commonName),
    seq(time(notBefore), time(notAfter)),
    name(options.commonName),
    spki,
    explicit(3, seq(...exts)),
  );
  const signature = new Uint8Array(sign(alg.digest, tbs, signerKey));
  const certDer = seq(tbs, alg.der, bitString(signature));
  const keyDer = new Uint8Array(key.export({ format: 'der', type: 'pkcs8' }));
  return Object.freeze({
    cert: pem('CERTIFICATE', certDer),
    key: pem('PRIVATE KEY', keyDer),
    certDer,
    keyDer,
    keyType,
    commonName: options.commonName,
    keyId,
  });
}

function pem(label: string, der: Uint8Array): string {
  const b64 = Buffer.from(der).toString('base64').replace(/(.{64})/g, '$1\n').replace(/\n$/, '');
  return `-----BEGIN ${label}-----\n${b64}\n-----END ${label}-----\n`;
}
