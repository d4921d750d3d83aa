/**
 * parseCertificate: every field agrees with node:crypto's X509Certificate for certificates of each
 * key type; DER rules that matter are enforced; hostile bytes (truncations, bit flips, crafted
 * encodings) only ever give an X509Error with a stable code. Also PEM and the TrustStore.
 */
import { X509Certificate } from 'node:crypto';
import { afterAll, describe, expect, test } from 'vitest';
import { parseSpki } from '@puretls/crypto';
import { type Certificate, TrustStore, X509Error, alertFor, decodePem, decodePemCertificates, encodePem, formatIp, parseCertificate, signatureAlgorithmFor } from '../src/index.js';
import { EXT, type Issued, type KeySpec, Pki } from './fixtures/pki.js';

const pki = new Pki();
afterAll(() => pki.dispose());
const specs: KeySpec[] = ['p256', 'p384', 'p521', 'ed25519', 'ed448', 'rsa2048'];
for (const s of specs) pki.key(s, s);
const root = pki.issue({ id: 'root', subject: '/C=US/O=Test, Inc./CN=Parse Root', key: 'p256', ext: EXT.ca(['nameConstraints = critical,permitted;DNS:example.com,excluded;IP:10.0.0.0/255.0.0.0']) });
const certs: Issued[] = specs.map((s) =>
  pki.issue({
    id: `leaf-${s}`,
    subject: `/C=DE/ST=Berlin/O=Test/OU=Unit+UID=42/CN=${s}.example.com/emailAddress=${s}@example.com`,
    key: s,
    issuer: root,
    ext: EXT.leaf(`DNS:${s}.example.com,DNS:*.example.com,IP:192.0.2.1,IP:2001:db8::1,email:a@example.com,URI:https://example.com/x`, [
      'crlDistributionPoints = URI:http://crl.example.com/a.crl',
    ]),
  }),
);

function catchX509(f: () => unknown): X509Error | 'no error' {
  try {
    f();
    return 'no error';
  } catch (e) {
    if (e instanceof X509Error) return e;
    throw e;
  }
}

describe('fields agree with node:crypto X509Certificate', () => {
  test.each(certs.map((c) => [c.id, c] as const))('%s', (_id, issued) => {
    const c = parseCertificate(issued.der);
    const node = new X509Certificate(issued.der);
    expect(c.version).toBe(3);
    expect(c.serialHex.toUpperCase()).toBe(node.serialNumber.toUpperCase());
    expect(c.notBefore.getTime()).toBe(new Date(node.validFrom).getTime());
    expect(c.notAfter.getTime()).toBe(new Date(node.validTo).getTime());
    expect(c.fingerprint256).toBe(node.fingerprint256);
    const s = issued.id.slice(5);
    expect(c.subject.text).toBe(`emailAddress=${s}@example.com,CN=${s}.example.com,OU=Unit+UID=42,O=Test,ST=Berlin,C=DE`);
    // "OU=Unit+UID=42" is one multi-valued RDN.
    expect(c.subject.rdns.map((r) => r.length)).toEqual([1, 1, 1, 2, 1, 1]);
    expect(c.issuer.text).toBe('CN=Parse Root,O=Test\\, Inc.,C=US');
    expect(c.issuer.key).toBe(parseCertificate(root.der).subject.key);
    expect(c.subjectAltNames.dns).toEqual([`${s}.example.com`, '*.example.com']);
    expect(c.subjectAltNames.ip.map((i) => i.text)).toEqual(['192.0.2.1', '2001:db8::1']);
    expect(c.subjectAltNames.email).toEqual(['a@example.com']);
    expect(c.subjectAltNames.uri).toEqual(['https://example.com/x']);
    expect(node.subjectAltName).toContain('IP Address:2001:DB8:0:0:0:0:0:1');
    // The SPKI bytes are the key node exports, and publicKey is parseSpki of them.
    expect(Buffer.from(c.spki).equals(node.publicKey.export({ format: 'der', type: 'spki' }))).toBe(true);
    expect(c.publicKey).toEqual(parseSpki(c.spki));
    expect(c.extensions.basicConstraints).toEqual({ ca: false, pathLength: null });
    expect([...(c.extensions.keyUsage ?? [])]).toEqual(['digitalSignature']);
    expect(c.extensions.extendedKeyUsage).toEqual(['1.3.6.1.5.5.7.3.1', '1.3.6.1.5.5.7.3.2']);
    expect(c.extensions.subjectKeyIdentifier?.length).toBe(20);
    expect(c.extensions.authorityKeyIdentifier).toEqual(parseCertificate(root.der).extensions.subjectKeyIdentifier);
    expect(c.extensions.unhandledCritical).toEqual([]);
    expect(c.selfIssued).toBe(false);
    // tbs || signatureAlgorithm || signature are the DER's parts.
    expect(node.verify(new X509Certificate(root.der).publicKey)).toBe(true);
    expect(c.der.subarray(4, 4 + c.tbs.length)).toEqual(c.tbs);
  });

  test('key types and sizes', () => {
    const kinds = certs.map((i) => {
      const c = parseCertificate(i.der);
      return `${c.keyType}/${c.keyBits}/${c.publicKey.kind}`;
    });
    expect(kinds).toEqual(['ec/256/ec', 'ec/384/ec', 'ec/521/ec', 'ed25519/255/ed25519', 'ed448/448/ed448', 'rsa/2048/rsa']);
  });

  test('CA fields: basicConstraints, keyUsage, name constraints, self-issued', () => {
    const c = parseCertificate(root.der);
    expect(c.selfIssued).toBe(true);
    expect(c.extensions.basicConstraints).toEqual({ ca: true, pathLength: null });
    expect([...(c.extensions.keyUsage ?? [])].sort()).toEqual(['cRLSign', 'keyCertSign']);
    const nc = c.extensions.nameConstraints;
    expect(nc?.permitted).toEqual([{ type: 'dns', value: 'example.com' }]);
    expect(nc?.excluded.map((g) => (g.type === 'ip' ? formatIp(g.bytes.subarray(0, 4)) + '/' + formatIp(g.bytes.subarray(4)) : g.type))).toEqual(['10.0.0.0/255.0.0.0']);
    expect(c.signatureAlgorithm.oid).toBe('1.2.840.10045.4.3.2');
    expect(c.signatureAlgorithm.parameters).toBeNull();
  });
});

// Minimal DER writer for crafting encodings.
function tlv(tag: number, ...parts: Uint8Array[]): Uint8Array {
  const body = Buffer.concat(parts);
  const n = body.length;
  const len = n < 128 ? [n] : n < 256 ? [0x81, n] : [0x82, n >> 8, n & 0xff];
  return new Uint8Array([tag, ...len, ...body]);
}

/** The three top-level parts and TBS children of a real certificate, for rebuilding variants. */
function parts(der: Uint8Array): { tbsFields: Uint8Array[]; alg: Uint8Array; sig: Uint8Array } {
  const c = parseCertificate(der);
  const tbsFields: Uint8Array[] = [];
  let at = c.tbs.length > 255 ? 4 : c.tbs.length > 127 ? 3 : 2;
  while (at < c.tbs.length) {
    const start = at;
    const first = c.tbs[at + 1] ?? 0;
    const lenBytes = first < 128 ? 0 : first - 128;
    let len = first < 128 ? first : 0;
    for (let i = 0; i < lenBytes; i++) len = len * 256 + (c.tbs[at + 2 + i] ?? 0);
    at += 2 + lenBytes + len;
    tbsFields.push(c.tbs.slice(start, at));
  }
  const rest = der.subarray(4 + c.tbs.length);
  const algLen = (rest[1] ?? 0) + 2;
  return { tbsFields, alg: rest.slice(0, algLen), sig: rest.slice(algLen) };
}

function rebuild(p: { tbsFields: Uint8Array[]; alg: Uint8Array; sig: Uint8Array }): Uint8Array {
  return tlv(0x30, tlv(0x30, ...p.tbsFields), p.alg, p.sig);
}

describe('DER rules', () => {
  const base = certs[0] as Issued;
  const p = parts(base.der);

  test('rebuilding the unchanged parts gives the same DER', () => {
    expect(rebuild(p)).toEqual(base.der);
  });

  const code = (der: Uint8Array): string => {
    const e = catchX509(() => parseCertificate(der));
    return e === 'no error' ? e : e.code;
  };

  test('non-minimal length is refused', () => {
    const d = base.der;
    // 30 82 LL LL -> 30 83 00 LL LL (one more length byte than needed).
    const variant = new Uint8Array([0x30, 0x83, 0x00, d[2] ?? 0, d[3] ?? 0, ...d.subarray(4)]);
    expect(code(variant)).toBe('MALFORMED_CERTIFICATE');
  });

  test('indefinite length is refused', () => {
    const variant = new Uint8Array([0x30, 0x80, ...base.der.subarray(4), 0, 0]);
    expect(code(variant)).toBe('MALFORMED_CERTIFICATE');
  });

  test('trailing data is refused', () => {
    expect(code(new Uint8Array([...base.der, 0x00]))).toBe('MALFORMED_CERTIFICATE');
  });

  test('signature algorithm fields must agree (RFC 5280 §4.1.1.2)', () => {
    const ecdsa384 = tlv(0x30, new Uint8Array([0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x03]));
    expect(code(rebuild({ ...p, alg: ecdsa384 }))).toBe('MALFORMED_CERTIFICATE');
  });

  test('explicitly encoded v1 version (a DEFAULT) is refused', () => {
    const fields = [tlv(0xa0, new Uint8Array([0x02, 0x01, 0x00])), ...p.tbsFields.slice(1)];
    expect(code(rebuild({ ...p, tbsFields: fields }))).toBe('MALFORMED_CERTIFICATE');
  });

  test('unknown version is refused', () => {
    const fields = [tlv(0xa0, new Uint8Array([0x02, 0x01, 0x05])), ...p.tbsFields.slice(1)];
    expect(code(rebuild({ ...p, tbsFields: fields }))).toBe('MALFORMED_CERTIFICATE');
  });

  test('serial number longer than 20 octets is refused', () => {
    const serial = new Uint8Array([0x02, 21, 0x01, ...new Array<number>(20).fill(7)]);
    const fields = [p.tbsFields[0] as Uint8Array, serial, ...p.tbsFields.slice(2)];
    expect(code(rebuild({ ...p, tbsFields: fields }))).toBe('MALFORMED_CERTIFICATE');
  });

  test('non-minimal INTEGER is refused', () => {
    const serial = new Uint8Array([0x02, 0x02, 0x00, 0x05]);
    const fields = [p.tbsFields[0] as Uint8Array, serial, ...p.tbsFields.slice(2)];
    expect(code(rebuild({ ...p, tbsFields: fields }))).toBe('MALFORMED_CERTIFICATE');
  });

  const withExtensions = (...exts: Uint8Array[]): Uint8Array => {
    const fields = [...p.tbsFields.slice(0, -1), tlv(0xa3, tlv(0x30, ...exts))];
    return rebuild({ ...p, tbsFields: fields });
  };
  const ext = (oid: number[], value: Uint8Array, critical?: Uint8Array): Uint8Array =>
    tlv(0x30, new Uint8Array([0x06, oid.length, ...oid]), ...(critical !== undefined ? [critical] : []), tlv(0x04, value));
  const BC = [0x55, 0x1d, 0x13];
  const caTrue = tlv(0x30, new Uint8Array([0x01, 0x01, 0xff]));

  test('a well-formed rebuilt extension list parses', () => {
    const c = parseCertificate(withExtensions(ext(BC, caTrue, new Uint8Array([0x01, 0x01, 0xff]))));
    expect(c.extensions.basicConstraints).toEqual({ ca: true, pathLength: null });
  });

  test('duplicate extensions are refused (RFC 5280 §4.2)', () => {
    expect(code(withExtensions(ext(BC, caTrue), ext(BC, caTrue)))).toBe('MALFORMED_CERTIFICATE');
  });

  test('BOOLEAN TRUE other than 0xFF is refused (X.690 §11.1)', () => {
    expect(code(withExtensions(ext(BC, caTrue, new Uint8Array([0x01, 0x01, 0x01]))))).toBe('MALFORMED_CERTIFICATE');
  });

  test('critical FALSE encoded explicitly is refused (DEFAULT)', () => {
    expect(code(withExtensions(ext(BC, caTrue, new Uint8Array([0x01, 0x01, 0x00]))))).toBe('MALFORMED_CERTIFICATE');
  });

  test('an unknown critical extension parses and is listed', () => {
    const c = parseCertificate(withExtensions(ext([0x2b, 0x06, 0x01, 0x04, 0x01, 0x82, 0x37, 0x01], new Uint8Array([0x05, 0x00]), new Uint8Array([0x01, 0x01, 0xff]))));
    expect(c.extensions.unhandledCritical).toEqual(['1.3.6.1.4.1.311.1']);
  });

  test('empty subjectAltName and empty keyUsage are refused', () => {
    expect(code(withExtensions(ext([0x55, 0x1d, 0x11], tlv(0x30))))).toBe('MALFORMED_CERTIFICATE');
    expect(code(withExtensions(ext([0x55, 0x1d, 0x0f], new Uint8Array([0x03, 0x01, 0x00]))))).toBe('MALFORMED_CERTIFICATE');
  });

  test('a bad iPAddress length in a SAN is refused', () => {
    expect(code(withExtensions(ext([0x55, 0x1d, 0x11], tlv(0x30, new Uint8Array([0x87, 0x03, 1, 2, 3])))))).toBe('MALFORMED_CERTIFICATE');
  });

  test('an invalid date is refused', () => {
    const validity = tlv(0x30, tlv(0x17, new TextEncoder().encode('250231000000Z')), tlv(0x17, new TextEncoder().encode('300101000000Z')));
    const fields = [...p.tbsFields];
    fields[4] = validity;
    expect(code(rebuild({ ...p, tbsFields: fields }))).toBe('MALFORMED_CERTIFICATE');
    fields[4] = tlv(0x30, tlv(0x17, new TextEncoder().encode('2501010000Z')), tlv(0x17, new TextEncoder().encode('300101000000Z')));
    expect(code(rebuild({ ...p, tbsFields: fields }))).toBe('MALFORMED_CERTIFICATE');
  });

  test('GeneralizedTime after 2049 and UTCTime before 2000 are read correctly', () => {
    const validity = tlv(0x30, tlv(0x17, new TextEncoder().encode('991231235959Z')), tlv(0x18, new TextEncoder().encode('20610102030405Z')));
    const fields = [...p.tbsFields];
    fields[4] = validity;
    const c = parseCertificate(rebuild({ ...p, tbsFields: fields }));
    expect(c.notBefore.toISOString()).toBe('1999-12-31T23:59:59.000Z');
    expect(c.notAfter.toISOString()).toBe('2061-01-02T03:04:05.000Z');
  });

  test('an unsupported key algorithm gives UNSUPPORTED_PUBLIC_KEY', () => {
    // DSA-like OID 1.2.840.10040.4.1 with an arbitrary key.
    const spki = tlv(0x30, tlv(0x30, new Uint8Array([0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x38, 0x04, 0x01])), new Uint8Array([0x03, 0x02, 0x00, 0x01]));
    const fields = [...p.tbsFields];
    fields[6] = spki;
    expect(code(rebuild({ ...p, tbsFields: fields }))).toBe('UNSUPPORTED_PUBLIC_KEY');
  });

  test('a deeply nested value is refused without a stack overflow', () => {
    let inner: Uint8Array = new Uint8Array([0x05, 0x00]);
    for (let i = 0; i < 5000; i++) inner = tlv(0x30, inner);
    expect(code(inner)).toBe('MALFORMED_CERTIFICATE');
  });
});

describe('hostile bytes', () => {
  test('every truncation and 3000 random byte flips give a value or an X509Error, never another exception', () => {
    const der = (certs[5] as Issued).der;
    let seed = 12345;
    const rand = (n: number): number => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed % n;
    };
    const variants: Uint8Array[] = [];
    for (let i = 0; i < der.length; i++) variants.push(der.subarray(0, i));
    for (let i = 0; i < 3000; i++) {
      const d = der.slice();
      const flips = 1 + rand(3);
      for (let k = 0; k < flips; k++) d[rand(d.length)] = rand(256);
      variants.push(d);
    }
    const codes = new Set<string>();
    for (const v of variants) {
      const r = catchX509(() => parseCertificate(v));
      codes.add(r === 'no error' ? r : r.code);
    }
    expect([...codes].every((c) => ['no error', 'MALFORMED_CERTIFICATE', 'UNSUPPORTED_PUBLIC_KEY'].includes(c))).toBe(true);
    expect(codes.has('MALFORMED_CERTIFICATE')).toBe(true);
  });

  test('non-bytes are a TypeError (caller error)', () => {
    expect(() => parseCertificate('x' as unknown as Uint8Array)).toThrow(TypeError);
  });
});

describe('PEM and TrustStore', () => {
  test('encodePem/decodePem round trip, several blocks, other labels skipped', () => {
    const text = `junk before\n${encodePem('CERTIFICATE', root.der)}${encodePem('PRIVATE KEY', new Uint8Array([1, 2, 3]))}\n${(certs[0] as Issued).pem}trailing`;
    const blocks = decodePem(text);
    expect(blocks.map((b) => b.label)).toEqual(['CERTIFICATE', 'PRIVATE KEY', 'CERTIFICATE']);
    expect(blocks[1]?.der).toEqual(new Uint8Array([1, 2, 3]));
    expect(decodePemCertificates(text)).toEqual([root.der, (certs[0] as Issued).der]);
    expect(encodePem('CERTIFICATE', root.der)).toBe(root.pem.replace(/\r\n/g, '\n'));
  });

  test('bad PEM gives X509Error', () => {
    const bad = ['-----BEGIN CERTIFICATE-----\nAB$D\n-----END CERTIFICATE-----', '-----BEGIN CERTIFICATE-----\nABC\n-----END CERTIFICATE-----', '-----BEGIN CERTIFICATE-----\nAAAA\n', '-----BEGIN CERTIFICATE-----\nAAAA\n-----END X-----'];
    for (const b of bad) expect(catchX509(() => decodePem(b))).toBeInstanceOf(X509Error);
  });

  test('TrustStore from PEM indexes by subject and fingerprint, ignoring duplicates', () => {
    const store = TrustStore.fromPem(root.pem + root.pem + (certs[1] as Issued).pem);
    expect(store.size).toBe(2);
    const r: Certificate = parseCertificate(root.der);
    expect(store.bySubject(r.subject.key).map((c) => c.fingerprint256)).toEqual([r.fingerprint256]);
    expect(store.byFingerprint(r.fingerprint256)?.subject.text).toBe('CN=Parse Root,O=Test\\, Inc.,C=US');
    expect(() => TrustStore.fromDer([new Uint8Array([0x30, 0x00])])).toThrow(X509Error);
  });

  test('every error code maps to a TLS alert', () => {
    const e = new X509Error('CERT_HAS_EXPIRED', 'x');
    expect(e.alert).toBe('certificate_expired');
    expect(alertFor('UNABLE_TO_GET_ISSUER_CERT_LOCALLY')).toBe('unknown_ca');
    expect(alertFor('ERR_TLS_CERT_ALTNAME_INVALID')).toBe('bad_certificate');
    expect(alertFor('INVALID_CA')).toBe('certificate_unknown');
  });
});

describe('RSASSA-PSS key parameters (RFC 4055 §3.3)', () => {
  const rsaCa = pki.issue({ id: 'pss-ca', subject: '/O=Test/CN=PSS CA', key: 'rsa2048', ext: EXT.ca() });
  const pssLeaf = pki.issue({
    id: 'pss-leaf',
    subject: '/O=Test/CN=pss.example.com',
    key: 'p256',
    issuer: rsaCa,
    md: 'sha256',
    sigopt: ['rsa_padding_mode:pss', 'rsa_pss_saltlen:digest', 'rsa_mgf1_md:sha256'],
    ext: EXT.leaf('DNS:pss.example.com'),
  });

  test('an issuer key bound to one hash verifies no certificate signed with another', () => {
    const ca = parseCertificate(rsaCa.der);
    const leaf = parseCertificate(pssLeaf.der);
    if (ca.publicKey.kind !== 'rsa') throw new Error('RSA CA expected');
    const caKey = ca.publicKey;
    // The same modulus as an id-RSASSA-PSS key whose parameters name `hash` (openssl will not sign
    // against such a restriction, so the restriction is put on the parsed key).
    const bound = (hash: 'SHA-256' | 'SHA-384' | 'other' | null): Certificate => ({ ...ca, keyType: 'rsa-pss', publicKey: { ...caKey, pss: { hash } } });
    expect(signatureAlgorithmFor(leaf.signatureAlgorithm, bound('SHA-256'))).toMatchObject({ type: 'rsa-pss', hash: 'SHA-256' });
    expect(signatureAlgorithmFor(leaf.signatureAlgorithm, bound(null))).toMatchObject({ type: 'rsa-pss', hash: 'SHA-256' });
    expect(catchX509(() => signatureAlgorithmFor(leaf.signatureAlgorithm, bound('SHA-384')))).toMatchObject({ code: 'CERT_SIGNATURE_FAILURE' });
    expect(catchX509(() => signatureAlgorithmFor(leaf.signatureAlgorithm, bound('other')))).toMatchObject({ code: 'CERT_SIGNATURE_FAILURE' });
  });
});
