/**
 * `getPeerCertificate()` in the shape node:tls returns (the fields applications commonly read:
 * subject, issuer, subjectaltname, valid_from/valid_to, serialNumber, fingerprints, raw), built from
 * our X.509 parser. `detailed` chains `issuerCertificate` through the peer's chain.
 */
import { createHash } from 'node:crypto';
import { parseCertificate, type Certificate, type DistinguishedName } from '@puretls/x509';

const SHORT_NAMES: ReadonlyMap<string, string> = new Map([
  ['2.5.4.3', 'CN'], ['2.5.4.6', 'C'], ['2.5.4.7', 'L'], ['2.5.4.8', 'ST'], ['2.5.4.10', 'O'], ['2.5.4.11', 'OU'],
  ['2.5.4.5', 'serialNumber'], ['0.9.2342.19200300.100.1.25', 'DC'], ['1.2.840.113549.1.9.1', 'emailAddress'],
]);

export interface PeerCertificate {
  subject: Record<string, string | string[]>;
  issuer: Record<string, string | string[]>;
  subjectaltname?: string;
  valid_from: string;
  valid_to: string;
  serialNumber: string;
  fingerprint: string;
  fingerprint256: string;
  raw: Buffer;
  /** Ours: the RFC 4514 text of the names and the key type. */
  subjectText: string;
  issuerText: string;
  keyType: string;
  bits: number;
  issuerCertificate?: PeerCertificate;
}

function nameObject(n: DistinguishedName): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const rdn of n.rdns) {
    for (const a of rdn) {
      const k = SHORT_NAMES.get(a.type) ?? a.type;
      const v = a.value ?? '';
      const prev = out[k];
      out[k] = prev === undefined ? v : Array.isArray(prev) ? [...prev, v] : [prev, v];
    }
  }
  return out;
}

function colonHex(b: Uint8Array): string {
  return Array.from(b, (x) => x.toString(16).toUpperCase().padStart(2, '0')).join(':');
}

/** OpenSSL's date style, as node prints it: `Jan  2 03:04:05 2030 GMT`. */
function opensslDate(d: Date): string {
  const m = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'][d.getUTCMonth()] as string;
  const p2 = (x: number): string => String(x).padStart(2, '0');
  return `${m} ${String(d.getUTCDate()).padStart(2, ' ')} ${p2(d.getUTCHours())}:${p2(d.getUTCMinutes())}:${p2(d.getUTCSeconds())} ${d.getUTCFullYear()} GMT`;
}

function one(c: Certificate): PeerCertificate {
  const san = [...c.subjectAltNames.dns.map((d) => `DNS:${d}`), ...c.subjectAltNames.ip.map((i) => `IP Address:${i.text}`), ...c.subjectAltNames.email.map((e) => `email:${e}`)];
  return {
    subject: nameObject(c.subject),
    issuer: nameObject(c.issuer),
    ...(san.length > 0 ? { subjectaltname: san.join(', ') } : {}),
    valid_from: opensslDate(c.notBefore),
    valid_to: opensslDate(c.notAfter),
    serialNumber: c.serialHex.toUpperCase(),
    fingerprint: colonHex(createHash('sha1').update(c.der).digest()),
    fingerprint256: c.fingerprint256,
    raw: Buffer.from(c.der),
    subjectText: c.subject.text,
    issuerText: c.issuer.text,
    keyType: c.keyType,
    bits: c.keyBits,
  };
}

/** The peer's leaf as node:tls shows it; with `detailed`, linked to the rest of the chain. */
export function peerCertificate(chain: readonly Uint8Array[], detailed = false): PeerCertificate {
  const certs = (detailed ? chain : chain.slice(0, 1)).map((der) => one(parseCertificate(der)));
  for (let i = 0; i + 1 < certs.length; i++) (certs[i] as PeerCertificate).issuerCertificate = certs[i + 1] as PeerCertificate;
  return certs[0] as PeerCertificate;
}
