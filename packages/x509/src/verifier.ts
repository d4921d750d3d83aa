/**
 * The TLS engine's certificate verifier: the peer's chain (leaf first, then intermediates in any
 * order), the expected name and usage, and the time, checked against a fixed set of trust anchors.
 * The engine then checks CertificateVerify with the returned leaf key (RFC 8446 §4.4.3).
 */
import type { CryptoProvider, PublicKey } from '@puretls/crypto';
import { parseCertificate, type Certificate } from './certificate.js';
import { X509Error, type TlsAlertName, type X509ErrorCode } from './errors.js';
import type { Usage } from './policy.js';
import { TrustStore } from './trust-store.js';
import { DEFAULTS, SignatureMemo, verifyChainWith } from './verify.js';

export interface CertificateVerifierOptions {
  readonly trustAnchors: TrustStore | readonly (Uint8Array | Certificate)[];
  /** Most intermediates between leaf and anchor (default 8). */
  readonly maxChainDepth?: number;
  readonly provider?: CryptoProvider;
}

export interface CertificateVerifyRequest {
  /** chain[0] is the leaf; the rest are intermediates in any order. */
  readonly chain: readonly Uint8Array[];
  /** DNS name or IP literal; omitted for client certificates. */
  readonly serverName?: string;
  readonly usage: Usage;
  readonly now: Date;
}

export type CertificateVerifyResult =
  | { readonly ok: true; readonly publicKey: PublicKey }
  | { readonly ok: false; readonly code: X509ErrorCode; readonly alert: TlsAlertName; readonly message: string };

export interface CertificateVerifier {
  verify(req: CertificateVerifyRequest): Promise<CertificateVerifyResult>;
}

/** Peer certificates kept parsed by one verifier (a client meets the same servers again and again). */
const PARSED_CACHE_ENTRIES = 128;

/**
 * Parsed certificates by their exact DER, least recently used dropped first: parsing (asn1js/pkijs)
 * is the largest part of a handshake's cost with the accelerated provider. Go's crypto/tls shares
 * parsed peer certificates across connections for the same reason. Only the parse is cached, never a
 * verification result (signatures that verified are remembered apart: SignatureMemo); a certificate
 * that fails to parse is not kept.
 */
class ParsedCertificates {
  readonly #entries = new Map<string, Certificate>();
  // windows-1252 as WHATWG decodes it maps each byte to a distinct code point: an exact key.
  readonly #key = new TextDecoder('latin1');

  get(der: Uint8Array): Certificate {
    const key = this.#key.decode(der);
    const hit = this.#entries.get(key);
    if (hit !== undefined) {
      this.#entries.delete(key);
      this.#entries.set(key, hit);
      return hit;
    }
    // A copy: the cached certificate must not keep the peer's (larger) message buffer alive.
    const cert = parseCertificate(der.slice());
    this.#entries.set(key, cert);
    if (this.#entries.size > PARSED_CACHE_ENTRIES) this.#entries.delete(this.#entries.keys().next().value as string);
    return cert;
  }
}

export function createCertificateVerifier(options: CertificateVerifierOptions): CertificateVerifier {
  if (options === null || typeof options !== 'object') throw new TypeError('options must be an object');
  const { trustAnchors, maxChainDepth, provider } = options;
  if (!(trustAnchors instanceof TrustStore) && !Array.isArray(trustAnchors)) throw new TypeError('options.trustAnchors must be a TrustStore or an array');
  // Anchors are parsed once, here: a bad one is the caller's configuration error and throws.
  const store = trustAnchors instanceof TrustStore ? trustAnchors : new TrustStore(trustAnchors);
  if (maxChainDepth !== undefined && (!Number.isSafeInteger(maxChainDepth) || maxChainDepth < 0)) {
    throw new RangeError('options.maxChainDepth must be a non-negative integer');
  }
  const fail = (e: X509Error): CertificateVerifyResult => ({ ok: false, code: e.code, alert: e.alert, message: e.message });
  const parsed = new ParsedCertificates();
  const signatures = new SignatureMemo(2 * PARSED_CACHE_ENTRIES);
  return Object.freeze({
    async verify(req: CertificateVerifyRequest): Promise<CertificateVerifyResult> {
      if (req === null || typeof req !== 'object' || !Array.isArray(req.chain)) throw new TypeError('req.chain must be an array');
      const [leafDer, ...rest] = req.chain;
      if (leafDer === undefined) return fail(new X509Error('MALFORMED_CERTIFICATE', 'the peer sent no certificate'));
      let leaf: Certificate;
      try {
        if (!(leafDer instanceof Uint8Array)) throw new TypeError('req.chain[0] must be a Uint8Array');
        leaf = parsed.get(leafDer);
      } catch (e) {
        if (e instanceof X509Error) return fail(e);
        throw e;
      }
      // Intermediates through the cache only within the path builder's budget, and junk (unparsable)
      // left as bytes: verifyCertificateChain refuses too many before parsing any and skips junk.
      const intermediates =
        rest.length > DEFAULTS.maxIntermediates
          ? rest
          : rest.map((der) => {
              if (!(der instanceof Uint8Array)) return der;
              try {
                return parsed.get(der);
              } catch {
                return der;
              }
            });
      const result = await verifyChainWith({
        leaf,
        intermediates,
        trustAnchors: store,
        time: req.now,
        usage: req.usage,
        ...(req.serverName !== undefined ? { serverName: req.serverName } : {}),
        ...(maxChainDepth !== undefined ? { maxChainDepth } : {}),
        ...(provider !== undefined ? { provider } : {}),
      }, signatures);
      if (!result.ok) return fail(result.error);
      return { ok: true, publicKey: (result.chain[0] as Certificate).publicKey };
    },
  });
}
