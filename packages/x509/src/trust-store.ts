/**
 * `TrustStore`: the trust anchors, indexed by subject name for path building. Anchors are certificates
 * used as RFC 5280 §6.1.1(d) trust anchor information: their name and key are trusted, their
 * signature is not checked. (The Mozilla root set is in `mozilla-roots.ts`.)
 */
import { type Certificate, parseCertificate } from './certificate.js';
import { decodePemCertificates } from './pem.js';

export class TrustStore {
  readonly #bySubject = new Map<string, Certificate[]>();
  readonly #byFingerprint = new Map<string, Certificate>();

  /** `certificates`: DER or parsed certificates; a malformed one throws X509Error. */
  constructor(certificates: Iterable<Uint8Array | Certificate> = []) {
    for (const c of certificates) this.add(c);
  }

  static fromPem(text: string): TrustStore {
    return new TrustStore(decodePemCertificates(text));
  }

  static fromDer(certificates: Iterable<Uint8Array>): TrustStore {
    return new TrustStore(certificates);
  }

  add(certificate: Uint8Array | Certificate): Certificate {
    const cert = certificate instanceof Uint8Array ? parseCertificate(certificate) : certificate;
    if (cert === null || typeof cert !== 'object' || !(cert.der instanceof Uint8Array)) throw new TypeError('certificate must be DER bytes or a parsed Certificate');
    const existing = this.#byFingerprint.get(cert.fingerprint256);
    if (existing !== undefined) return existing;
    this.#byFingerprint.set(cert.fingerprint256, cert);
    const list = this.#bySubject.get(cert.subject.key);
    if (list === undefined) this.#bySubject.set(cert.subject.key, [cert]);
    else list.push(cert);
    return cert;
  }

  get size(): number {
    return this.#byFingerprint.size;
  }

  /** Anchors whose subject equals `nameKey` (a `DistinguishedName.key`). */
  bySubject(nameKey: string): readonly Certificate[] {
    return this.#bySubject.get(nameKey) ?? [];
  }

  /** The anchor with this SHA-256 fingerprint (`Certificate.fingerprint256` form), if any. */
  byFingerprint(fingerprint256: string): Certificate | undefined {
    return this.#byFingerprint.get(fingerprint256);
  }

  certificates(): Certificate[] {
    return [...this.#byFingerprint.values()];
  }
}
