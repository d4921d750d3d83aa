/**
 * Session tickets over DTLS 1.3 (RFC 9147 §5.8.4 lists NewSessionTicket among the post-handshake
 * messages, each acknowledged and retransmitted on its own): issued and read by the TLS engine's
 * shared code (RFC 8446 §4.6.1); here only their handshake framing. A ticket allows 0-RTT (its
 * early_data extension) when the server's config accepts it (`maxEarlyDataSize`).
 */
import { _internal, type ClientTicket, type HandshakeInfo, type ServerConfig } from '@puretls/tls';

type KeyScheduleContext = _internal.KeyScheduleContext;

/** NewSessionTicket messages (TLS form) for a completed handshake; `nonce` is the next ticket nonce. */
export function issueTickets(cfg: ServerConfig, info: HandshakeInfo, rms: Uint8Array, ks: KeyScheduleContext, nonce: number): Uint8Array[] {
  return _internal.issueTickets(cfg, info, ks, rms, nonce, cfg.maxEarlyDataSize).map((body) => _internal.encodeHandshake({ type: 'new_session_ticket', body }));
}

/** A NewSessionTicket (TLS form) as a session to resume, or null when the server said "do not resume". */
export function ticketFrom(
  raw: Uint8Array,
  ks: KeyScheduleContext,
  rms: Uint8Array,
  info: Pick<HandshakeInfo, 'cipherSuite' | 'alpn'>,
  serverName: string | undefined,
  now: number,
): ClientTicket | null {
  const m = _internal.parseHandshake(raw, true);
  if (m.type !== 'new_session_ticket') _internal.fail('UNEXPECTED_MESSAGE', 'unexpected_message', `unexpected ${m.type} after the handshake`);
  return _internal.ticketFrom(m.body, ks, rms, info, serverName, now);
}
