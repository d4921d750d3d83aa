/**
 * Session tickets over DTLS 1.3 (RFC 9147 §5.8.4 lists NewSessionTicket among the post-handshake
 * messages, each acknowledged and retransmitted on its own): the server issues them after the
 * handshake as the TLS engine does (RFC 8446 §4.6.1), the client turns them into resumable sessions.
 * 0-RTT is not offered over DTLS here, so tickets never allow early data.
 */
import { _internal, type CipherSuiteName, type ClientTicket, type HandshakeInfo, type ServerConfig, type ServerTicketState } from '@puretls/tls';
import { Reader, Writer } from '@puretls/wire';

type KeyScheduleContext = _internal.KeyScheduleContext;

/** RFC 8446 §4.6.1: lifetime at most seven days. */
const MAX_LIFETIME = 604800;

/** NewSessionTicket messages (TLS form) for a completed handshake; `nonce` is the next ticket nonce. */
export function issueTickets(cfg: ServerConfig, info: HandshakeInfo, rms: Uint8Array, ks: KeyScheduleContext, nonce: number): Uint8Array[] {
  const sealer = cfg.ticketSealer;
  const store = cfg.sessionStore;
  if (sealer === undefined && store === undefined) return [];
  const count = info.resumed ? cfg.ticketsAfterResumption : cfg.ticketsPerHandshake;
  const out: Uint8Array[] = [];
  for (let i = 0; i < count; i++) {
    // RFC 8446 §4.6.1: a nonce unique per ticket on this connection.
    const ticketNonce = new Writer().u16(nonce + i).finish();
    const ageAdd = new Reader(cfg.provider.randomBytes(4)).u32();
    const state: ServerTicketState = {
      psk: _internal.resumptionPsk(ks, rms, ticketNonce),
      cipherSuite: info.cipherSuite,
      issuedAt: cfg.now(),
      lifetime: cfg.ticketLifetime,
      ageAdd,
      maxEarlyDataSize: 0,
      alpn: info.alpn,
      serverName: info.serverName,
    };
    let ticket: Uint8Array;
    if (store !== undefined) {
      ticket = cfg.provider.randomBytes(32);
      store.put(ticket, state);
    } else {
      ticket = (sealer as NonNullable<typeof sealer>).seal(state);
    }
    out.push(_internal.encodeHandshake({ type: 'new_session_ticket', body: { ticketLifetime: cfg.ticketLifetime, ticketAgeAdd: ageAdd, ticketNonce, ticket, extensions: [] } }));
  }
  return out;
}

/** A NewSessionTicket (TLS form) as a session to resume, or null when the server said "do not resume". */
export function ticketFrom(raw: Uint8Array, ks: KeyScheduleContext, rms: Uint8Array, suite: CipherSuiteName, alpn: string | null, serverName: string | undefined, now: number): ClientTicket | null {
  const m = _internal.parseHandshake(raw, true);
  if (m.type !== 'new_session_ticket') _internal.fail('UNEXPECTED_MESSAGE', 'unexpected_message', `unexpected ${m.type} after the handshake`);
  const t = m.body;
  if (t.ticketLifetime > MAX_LIFETIME) _internal.fail('TICKET_LIFETIME', 'illegal_parameter', `ticket lifetime ${t.ticketLifetime} exceeds 7 days`);
  if (t.ticketLifetime === 0) return null; // RFC 8446 §4.6.1: zero means "do not resume".
  return Object.freeze({
    ticket: t.ticket.slice(),
    psk: _internal.resumptionPsk(ks, rms, t.ticketNonce),
    cipherSuite: suite,
    lifetime: t.ticketLifetime,
    ageAdd: t.ticketAgeAdd,
    receivedAt: now,
    // No 0-RTT over DTLS here: whatever early_data the ticket allows is not used.
    maxEarlyDataSize: 0,
    serverName: serverName ?? null,
    alpn,
  });
}
