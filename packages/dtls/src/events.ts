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
  | { readonly type: 'key_update'; readonly direction: 'read' | 'write' }
  /** The peer gave us CIDs to use (RFC 9147 §9). */
  | { readonly type: 'new_connection_ids'; readonly cids: readonly Uint8Array[]; readonly usage: 'cid_immediate' | 'cid_spare' }
  /** Client: a session to resume later (`DtlsClientOptions.session`; also put in the config's ticketStore). */
  | { readonly type: 'session_ticket'; readonly ticket: ClientTicket }
  | { readonly type: 'peer_closed' }
  | { readonly type: 'error'; readonly error: TlsError };
