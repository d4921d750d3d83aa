/** Events handed out by `poll()`. */
import type { ClientTicket, HandshakeInfo, TlsError } from '@puretls/tls';

export interface DtlsHandshakeInfo extends Omit<HandshakeInfo, 'version'> {
  readonly version: 'DTLSv1.3';
  /** The CID we put in our records and the one we receive (null: none negotiated; empty: negotiated empty). */
  readonly connectionId: { readonly send: Uint8Array; readonly receive: Uint8Array } | null;
}

export type DtlsEvent =
  | { readonly type: 'handshake_complete'; readonly info: DtlsHandshakeInfo }
  /** One record's worth of application data (datagram semantics). */
  | { readonly type: 'application_data'; readonly data: Uint8Array }
  /**
   * Server: one record of 0-RTT data (epoch 1, RFC 9147 §6.1), usually before `handshake_complete`;
   * replayable by an attacker as any 0-RTT (RFC 8446 §8), and, like all DTLS data, possibly lost.
   */
  | { readonly type: 'early_data'; readonly data: Uint8Array }
  /**
   * 0-RTT refused: on the client, none of it was delivered (resend it if needed); on the server,
   * `reason` says which check failed (`disabled`, `stale`, `replay`, `ticket_disallows`, ...).
   */
  | { readonly type: 'early_data_rejected'; readonly reason?: string }
  | { readonly type: 'key_update'; readonly direction: 'read' | 'write' }
  /** The peer gave us CIDs to use (RFC 9147 §9): those we keep (at most 16 spares; extras are discarded). */
  | { readonly type: 'new_connection_ids'; readonly cids: readonly Uint8Array[]; readonly usage: 'cid_immediate' | 'cid_spare' }
  /** Client: a session to resume later (`DtlsClientOptions.session`; also put in the config's ticketStore). */
  | { readonly type: 'session_ticket'; readonly ticket: ClientTicket }
  | { readonly type: 'peer_closed' }
  | { readonly type: 'error'; readonly error: TlsError };
