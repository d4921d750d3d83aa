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
  /**
   * The peer's DER chain, end-entity first; empty when none was sent. Resumed: empty on the client; on
   * the server, the client's chain from the handshake that issued the ticket (the PSK carries that
   * authentication, RFC 8446 §4.6.1), as Go and OpenSSL report it.
   */
  readonly peerCertificates: readonly Uint8Array[];
  /** True for a PSK handshake: a resumed ticket, or an external PSK (see `externalPsk`). */
  readonly resumed: boolean;
  /** Identity of the external PSK used, when the handshake used one (RFC 8446 §4.2.11). */
  readonly externalPsk?: Uint8Array;
  readonly earlyDataAccepted: boolean;
  readonly helloRetry: boolean;
}

export type TlsEvent =
  | { readonly type: 'handshake_complete'; readonly info: HandshakeInfo }
  | { readonly type: 'application_data'; readonly data: Uint8Array }
  /** Server only: 0-RTT data from the client (before the handshake completes). */
  | { readonly type: 'early_data'; readonly data: Uint8Array }
  /**
   * The 0-RTT data was refused: on the client, it was not delivered and must be resent if needed; on
   * the server, `reason` says which check failed (`disabled`, `stale`, `replay`, `ticket_disallows`, ...).
   */
  | { readonly type: 'early_data_rejected'; readonly reason?: string }
  /** Server: the client answered a post-handshake CertificateRequest (RFC 8446 §4.6.2); empty chain if it declined. */
  | { readonly type: 'client_certificate'; readonly peerCertificates: readonly Uint8Array[]; readonly signatureScheme: SignatureSchemeName | null }
  | { readonly type: 'session_ticket'; readonly ticket: ClientTicket }
  | { readonly type: 'key_update'; readonly direction: 'read' | 'write' }
  | { readonly type: 'peer_closed' }
  | { readonly type: 'error'; readonly error: TlsError };
