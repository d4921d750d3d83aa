/**
 * The TLS engine's certificate verifier: the peer's chain (leaf first, then intermediates in any
 * order), the expected name and usage, and the time, checked against a fixed set of trust anchors.
 * The engine then checks CertificateVerify with the returned leaf key (RFC 8446 §4.4.3).
 */
import type { CryptoProvider, PublicKey } from '@puretls/crypto';
import type { Certificate } from './certificate.js';
import { X509Error, type TlsAlertName, type X509ErrorCode } from './errors.js';
import type { Usage } from './policy.js';
import { TrustStore } from './trust-store.js';
import { verifyCertificateChain } from './verify.js';

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
  return Object.freeze({
    async verify(req: CertificateVerifyRequest): Promise<CertificateVerifyResult> {
      if (req === null || typeof req !== 'object' || !Array.isArray(req.chain)) throw new TypeError('req.chain must be an array');
      const [leaf, ...intermediates] = req.chain;
      if (leaf === undefined) return fail(new X509Error('MALFORMED_CERTIFICATE', 'the peer sent no certificate'));
      const result = await verifyCertificateChain({
        leaf,
        intermediates,
        trustAnchors: store,
        time: req.now,
        usage: req.usage,
        ...(req.serverName !== undefined ? { serverName: req.serverName } : {}),
        ...(maxChainDepth !== undefined ? { maxChainDepth } : {}),
        ...(provider !== undefined ? { provider } : {}),
      });
      if (!result.ok) return fail(result.error);
      return { ok: true, publicKey: (result.chain[0] as Certificate).publicKey };
    },
  });
}
