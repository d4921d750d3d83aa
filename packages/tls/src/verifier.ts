/**
 * The certificate verifier interface. The engine never decides on its own that a chain is
 * acceptable: a client config without a verifier is refused. The X.509 implementation lives in
 * @puretls/x509; tests may supply a stub that returns a known key.
 */
import type { PublicKey } from '@puretls/crypto';
import type { AlertDescriptionName } from './constants.js';

export interface CertificateVerifyRequest {
  /** DER certificates, end-entity first. */
  readonly chain: readonly Uint8Array[];
  readonly serverName?: string;
  readonly usage: 'serverAuth' | 'clientAuth';
  readonly now: Date;
}

export type CertificateVerifyResult =
  | { readonly ok: true; readonly publicKey: PublicKey }
  | { readonly ok: false; readonly code: string; readonly alert: AlertDescriptionName; readonly message: string };

export interface CertificateVerifier {
  verify(req: CertificateVerifyRequest): Promise<CertificateVerifyResult>;
}
