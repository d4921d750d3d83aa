/**
 * The checks on one candidate path, leaf first and trust anchor last (RFC 5280 §6.1, with the WebPKI
 * choices below). Signatures were checked while the path was built; names (service identity) are
 * checked by the caller once a path is accepted.
 * - Validity at `time` for every certificate except the anchor (RFC 5280 §6.1.1(d): an anchor is
 *   trusted input, not a certificate to validate).
 * - Issuers: v3 with basicConstraints cA (v1 only for an anchor), keyCertSign when keyUsage is present,
 *   pathLenConstraint counting non-self-issued intermediates (§6.1.4(l)), RSA keys of 2048 bits or more.
 * - EKU: when present in any certificate of the path it must list the usage; anyExtendedKeyUsage is not
 *   enough (as OpenSSL and WebPKI verifiers do).
 * - Leaf: digitalSignature when keyUsage is present (TLS 1.3 signs with it, RFC 8446 §4.4.2.2).
 * - Unknown critical extensions anywhere in the path are refused (RFC 5280 §4.2).
 * - Name constraints of every issuer over the certificates below it (§6.1.3(b)).
 */
import type { Certificate } from './certificate.js';
import { X509Error } from './errors.js';
import { type ComparisonBudget, checkNameConstraints } from './name-constraints.js';
import { OID } from './oids.js';

export type Usage = 'serverAuth' | 'clientAuth';

const MIN_RSA_BITS = 2048;

const USAGE_OID: Readonly<Record<Usage, string>> = { serverAuth: OID.serverAuth, clientAuth: OID.clientAuth };

const describe = (c: Certificate): string => `"${c.subject.text}"`;

export function checkPath(path: readonly Certificate[], time: Date, usage: Usage, budget: ComparisonBudget): X509Error | null {
  const last = path.length - 1;
  for (let i = 0; i <= last; i++) {
    const cert = path[i] as Certificate;
    const unknown = cert.extensions.unhandledCritical[0];
    if (unknown !== undefined) {
      return new X509Error('UNHANDLED_CRITICAL_EXTENSION', `${describe(cert)} has a critical extension this library does not process (${unknown})`);
    }
    if (i < last || last === 0) {
      if (time.getTime() < cert.notBefore.getTime()) {
        return new X509Error('CERT_NOT_YET_VALID', `${describe(cert)} is not valid before ${cert.notBefore.toISOString()}`);
      }
      if (time.getTime() > cert.notAfter.getTime()) {
        return new X509Error('CERT_HAS_EXPIRED', `${describe(cert)} expired on ${cert.notAfter.toISOString()}`);
      }
    }
    const eku = cert.extensions.extendedKeyUsage;
    if (eku !== null && !eku.includes(USAGE_OID[usage])) {
      return new X509Error('INVALID_PURPOSE', `${describe(cert)} has an extendedKeyUsage that does not allow ${usage}`);
    }
    if (i === 0) {
      const ku = cert.extensions.keyUsage;
      if (ku !== null && !ku.has('digitalSignature')) {
        return new X509Error('INVALID_PURPOSE', `${describe(cert)} has a keyUsage without digitalSignature, which TLS 1.3 needs`);
      }
      if (cert.keyType.startsWith('rsa') && cert.keyBits < MIN_RSA_BITS) {
        return new X509Error('EE_KEY_TOO_SMALL', `${describe(cert)} has a ${cert.keyBits}-bit RSA key; at least ${MIN_RSA_BITS} bits are required`);
      }
      continue;
    }
    const err = checkIssuer(path, i, i === last);
    if (err !== null) return err;
  }
  // Name constraints, from each constrained issuer over everything below it.
  for (let i = 1; i <= last; i++) {
    const ca = path[i] as Certificate;
    const nc = ca.extensions.nameConstraints;
    if (nc === null) continue;
    for (let j = i - 1; j >= 0; j--) {
      const cert = path[j] as Certificate;
      // RFC 5280 §6.1.3(b): self-issued intermediates are exempt.
      if (j > 0 && cert.selfIssued) continue;
      const err = checkNameConstraints(cert, j === 0, nc, ca, budget);
      if (err !== null) return err;
    }
  }
  return null;
}

function checkIssuer(path: readonly Certificate[], i: number, isAnchor: boolean): X509Error | null {
  const cert = path[i] as Certificate;
  const bc = cert.extensions.basicConstraints;
  if (cert.version !== 3) {
    if (!isAnchor) return new X509Error('INVALID_CA', `${describe(cert)} is a v${cert.version} certificate and cannot be an intermediate CA`);
  } else if (bc === null || !bc.ca) {
    return new X509Error('INVALID_CA', `${describe(cert)} is not a CA certificate (basicConstraints cA is not set) but issued "${path[i - 1]?.subject.text ?? ''}"`);
  }
  const ku = cert.extensions.keyUsage;
  if (ku !== null && !ku.has('keyCertSign')) {
    return new X509Error('KEYUSAGE_NO_CERTSIGN', `${describe(cert)} has a keyUsage without keyCertSign`);
  }
  if (bc !== null && bc.pathLength !== null) {
    let below = 0;
    for (let j = 1; j < i; j++) if (!(path[j] as Certificate).selfIssued) below++;
    if (below > bc.pathLength) {
      return new X509Error('PATH_LENGTH_EXCEEDED', `${describe(cert)} allows ${bc.pathLength} intermediate CA(s) below it, the path has ${below}`);
    }
  }
  if (cert.keyType.startsWith('rsa') && cert.keyBits < MIN_RSA_BITS) {
    return new X509Error('CA_KEY_TOO_SMALL', `${describe(cert)} has a ${cert.keyBits}-bit RSA key; at least ${MIN_RSA_BITS} bits are required`);
  }
  return null;
}
