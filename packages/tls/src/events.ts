/** Events handed out by `poll()`. */
import type { NamedGroupName, SignatureSchemeName } from '@puretls/crypto';
import type { TlsError } from './errors.js';
import type { CipherSuiteName } from './suites.js';
import type { ClientTicket } from './tickets.js';

export interface HandshakeInfo {
  readonly version: 'TLSv1.3';
  readonly cipherSuite: CipherSuiteName;
  /** null for a psk_ke resumption (no key exchange). */
  readonly group: NamedGroupName | null;
  /** The scheme of the peer's CertificateVerify (null when resumed, or for a client that sent none). */
  readonly signatureScheme: SignatureSchemeName | null;
  readonly alpn: string | null;
  readonly serverName: string | null;
  /** The peer's DER chain, end-entity first (empty when resumed or none sent). */
  readonly peerCertificates: readonly Uint8Array[];
  readonly resumed: boolean;
  readonly earlyDataAccepted: boolean;
  readonly helloRetry: boolean;
}

export type TlsEvent =
  | { readonly type: 'handshake_complete'; readonly info: HandshakeInfo }
  | { readonly type: 'application_data'; readonly data: Uint8Array }
  /** Server only: 0-RTT data from the client (before the handshake completes). */
  | { readonly type: 'early_data'; readonly data: Uint8Array }
  /** Client only: the server refused the 0-RTT data; it was not delivered and must be resent if needed. */
  | { readonly type: 'early_data_rejected' }
  | { readonly type: 'session_ticket'; readonly ticket: ClientTicket }
  | { readonly type: 'key_update'; readonly direction: 'read' | 'write' }
  | { readonly type: 'peer_closed' }
  | { readonly type: 'error'; readonly error: TlsError };
