/**
 * NewSessionTicket in both directions (RFC 8446 §4.6.1), shared by the TLS connections and DTLS:
 * the server issues tickets sealed under its ticket keys or kept in its session store; the client
 * turns a received ticket into a resumable session.
 */
import { Reader, Writer } from '@puretls/wire';
import type { ServerConfig } from './config.js';
import { ExtensionType as E } from './constants.js';
import { fail } from './errors.js';
import type { HandshakeInfo } from './events.js';
import { resumptionPsk, type KeyScheduleContext } from './key-schedule/secrets.js';
import { encode, findExtension, parseBody, type Extension } from './messages/extensions.js';
import type { NewSessionTicket } from './messages/new-session-ticket.js';
import { MAX_TICKET_CERTIFICATE_BYTES, type ClientTicket, type ServerTicketState } from './tickets.js';

/** RFC 8446 §4.6.1: a ticket lifetime is at most seven days. */
export const MAX_TICKET_LIFETIME = 604800;

/**
 * Server: for a resumed handshake's info, when the full handshake its ticket descends from took place
 * (`ServerTicketState.authenticatedAt`). Absent: the handshake authenticated the peers itself.
 */
export const authenticationTime = new WeakMap<HandshakeInfo, number>();

/**
 * The NewSessionTicket bodies to send after a handshake (none without a sealer or store), with
 * ticket nonces `firstNonce`, `firstNonce + 1`, … — unique per ticket on the connection (§4.6.1).
 */
export function issueTickets(
  cfg: ServerConfig,
  info: HandshakeInfo,
  ks: KeyScheduleContext,
  rms: Uint8Array,
  firstNonce: number,
  maxEarlyDataSize: number,
): NewSessionTicket[] {
  const sealer = cfg.ticketSealer;
  const store = cfg.sessionStore;
  if (sealer === undefined && store === undefined) return [];
  const count = info.resumed ? cfg.ticketsAfterResumption : cfg.ticketsPerHandshake;
  // The client's chain goes into the state (a resumption reports it again); a very long one gets no ticket.
  const peerCertificates = info.peerCertificates.map((c) => c.slice());
  if (peerCertificates.reduce((n, c) => n + c.length, 0) > MAX_TICKET_CERTIFICATE_BYTES) return [];
  // RFC 9846 §4.7.1: limits on the total lifetime, counted from the peer's CertificateVerify. A
  // resumption's tickets keep the original time and live no longer than 7 days past it, so a chain
  // of resumptions cannot carry an authentication (the client's chain, too) on forever.
  const now = cfg.now();
  const authenticatedAt = Math.min(now, authenticationTime.get(info) ?? now);
  const left = Math.floor((authenticatedAt + MAX_TICKET_LIFETIME * 1000 - now) / 1000);
  if (left <= 0) return [];
  const lifetime = Math.min(cfg.ticketLifetime, left);
  const out: NewSessionTicket[] = [];
  for (let i = 0; i < count; i++) {
    const ticketNonce = new Writer().u16(firstNonce + i).finish();
    const ageAdd = new Reader(cfg.provider.randomBytes(4)).u32();
    const state: ServerTicketState = {
      psk: resumptionPsk(ks, rms, ticketNonce),
      cipherSuite: info.cipherSuite,
      issuedAt: now,
      lifetime,
      ageAdd,
      maxEarlyDataSize,
      alpn: info.alpn,
      serverName: info.serverName,
      ...(peerCertificates.length > 0 ? { peerCertificates } : {}),
      authenticatedAt,
    };
    let ticket: Uint8Array;
    if (store !== undefined) {
      ticket = cfg.provider.randomBytes(32);
      store.put(ticket, state);
    } else {
      ticket = (sealer as NonNullable<typeof sealer>).seal(state);
    }
    const extensions: Extension[] = maxEarlyDataSize > 0 ? [{ type: E.early_data, data: encode((w) => w.u32(maxEarlyDataSize)) }] : [];
    out.push({ ticketLifetime: lifetime, ticketAgeAdd: ageAdd, ticketNonce, ticket, extensions });
  }
  return out;
}

/**
 * A received NewSessionTicket as a session to resume, or null when the server said "do not resume"
 * (lifetime 0). `earlyData: false` ignores whatever early_data the ticket allows.
 */
export function ticketFrom(
  t: NewSessionTicket,
  ks: KeyScheduleContext,
  rms: Uint8Array,
  info: Pick<HandshakeInfo, 'cipherSuite' | 'alpn'>,
  serverName: string | undefined,
  now: number,
  earlyData = true,
): ClientTicket | null {
  if (t.ticketLifetime > MAX_TICKET_LIFETIME) fail('TICKET_LIFETIME', 'illegal_parameter', `ticket lifetime ${t.ticketLifetime} exceeds 7 days`);
  const ed = findExtension(t.extensions, E.early_data);
  const maxEarlyDataSize = ed === undefined ? 0 : parseBody(ed.data, (r: Reader) => r.u32(), 'early_data');
  if (t.ticketLifetime === 0) return null;
  return Object.freeze({
    ticket: t.ticket.slice(),
    psk: resumptionPsk(ks, rms, t.ticketNonce),
    cipherSuite: info.cipherSuite,
    lifetime: t.ticketLifetime,
    ageAdd: t.ticketAgeAdd,
    receivedAt: now,
    maxEarlyDataSize: earlyData ? maxEarlyDataSize : 0,
    serverName: serverName ?? null,
    alpn: info.alpn,
  });
}
