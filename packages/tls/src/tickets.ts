/**
 * Session tickets (RFC 8446 §4.6.1): what a client keeps to resume (`ClientTicket`, a store keyed by
 * server name, export/import for `-sess_out`/`-sess_in`), and what a server keeps inside a ticket
 * (`ServerTicketState`). Sealing under named rotating keys lives in `server/ticket-keys.ts`, stateful
 * tickets in `server/session-store.ts`.
 */
import { Reader, Writer } from '@puretls/wire';
import { type CipherSuiteName, CipherSuite, cipherSuiteByCode } from './suites.js';
import { utf8 } from './bytes.js';

/** RFC 8446 §4.6.1: ticket_lifetime MUST NOT exceed seven days. */
export const MAX_TICKET_LIFETIME = 604800;

export interface ClientTicket {
  readonly ticket: Uint8Array;
  readonly psk: Uint8Array;
  readonly cipherSuite: CipherSuiteName;
  /** Seconds (RFC 8446 §4.6.1, at most 7 days). */
  readonly lifetime: number;
  readonly ageAdd: number;
  /** Milliseconds, from the config clock. */
  readonly receivedAt: number;
  readonly maxEarlyDataSize: number;
  readonly serverName: string | null;
  readonly alpn: string | null;
}

/** Whether a ticket is still usable at `now` (ms). */
export function ticketValid(t: ClientTicket, now: number): boolean {
  const age = now - t.receivedAt;
  return age >= 0 && age < Math.min(t.lifetime, MAX_TICKET_LIFETIME) * 1000;
}

/** Server names compared as DNS names: ASCII case-insensitive, a trailing root dot ignored. */
export function sameServerName(a: string | null | undefined, b: string | null | undefined): boolean {
  const norm = (n: string | null | undefined): string | null => (n === null || n === undefined ? null : n.toLowerCase().replace(/\.$/, ''));
  return norm(a) === norm(b);
}

/**
 * Whether the client may offer `t` on a connection to `serverName` at `now` (ms): not expired
 * (RFC 9846 §4.7.1: never past its lifetime nor 7 days), and issued under the same SNI. §4.7.1
 * wants the new SNI valid for the original server certificate; the ticket does not keep the
 * certificate, so only the same name qualifies (and no name only for no name).
 */
export function sessionUsable(t: ClientTicket, serverName: string | undefined, now: number): boolean {
  return ticketValid(t, now) && sameServerName(t.serverName, serverName);
}

/**
 * Where a client keeps tickets between connections. `take` hands out a ticket for the server (the
 * store decides whether it may be handed out again); `now` lets it drop expired ones; `usable`, when
 * given, says which tickets this connection can use (its suites): a store should hand out only those.
 */
export interface ClientTicketStore {
  put(serverName: string, ticket: ClientTicket): void;
  take(serverName: string, now?: number, usable?: (t: ClientTicket) => boolean): ClientTicket | undefined;
}

export interface MemoryTicketStoreOptions {
  /** Tickets kept per server name (default 4); the oldest go first. */
  readonly perServer?: number;
  /**
   * Hand a ticket out again while it is valid (default false: every ticket is used once, which
   * RFC 8446 §C.4 recommends so connections cannot be linked). A ticket that allows 0-RTT is
   * always used once: the server counts on it for anti-replay (RFC 8446 §8.1).
   */
  readonly reuse?: boolean;
}

/** A bounded in-memory store keyed by server name; expired tickets are dropped. */
export function createMemoryTicketStore(options: number | MemoryTicketStoreOptions = {}): ClientTicketStore {
  const o: MemoryTicketStoreOptions = typeof options === 'number' ? { perServer: options } : options;
  const perServer = o.perServer ?? 4;
  if (!Number.isInteger(perServer) || perServer < 1) throw new RangeError('perServer must be a positive integer');
  const reuse = o.reuse ?? false;
  const map = new Map<string, ClientTicket[]>();
  return Object.freeze({
    put(serverName: string, ticket: ClientTicket): void {
      if (typeof serverName !== 'string') throw new TypeError('serverName must be a string');
      const list = (map.get(serverName) ?? []).filter((t) => ticketValid(t, ticket.receivedAt));
      list.push(ticket);
      while (list.length > perServer) list.shift();
      map.set(serverName, list);
    },
    take(serverName: string, now?: number, usable?: (t: ClientTicket) => boolean): ClientTicket | undefined {
      let list = map.get(serverName);
      if (list === undefined) return undefined;
      if (now !== undefined) list = list.filter((t) => ticketValid(t, now));
      // The newest usable one; the others stay for a connection that can use them (with `reuse`, an
      // unusable ticket handed out again and again would shadow the rest).
      let i = list.length - 1;
      if (usable !== undefined) while (i >= 0 && !usable(list[i] as ClientTicket)) i--;
      const t = i >= 0 ? list[i] : undefined;
      if (t !== undefined && (!reuse || t.maxEarlyDataSize > 0)) list.splice(i, 1);
      if (list.length === 0) map.delete(serverName);
      else map.set(serverName, list);
      return t;
    },
  });
}

const SESSION_MAGIC = 0x70746c73; // "ptls"

/** A ticket as bytes, to save a session and resume it in another process (`-sess_out`). Contains the PSK: keep it secret. */
export function encodeSession(t: ClientTicket): Uint8Array {
  const w = new Writer();
  w.u32(SESSION_MAGIC).u8(1).vec16(t.ticket).vec8(t.psk).u16(CipherSuite[t.cipherSuite].code).u32(t.lifetime).u32(t.ageAdd);
  w.u64(BigInt(Math.floor(t.receivedAt))).u32(t.maxEarlyDataSize);
  w.u8(t.serverName === null ? 0 : 1).vec16(utf8(t.serverName ?? ''));
  w.u8(t.alpn === null ? 0 : 1).vec8(utf8(t.alpn ?? ''));
  return w.finish();
}

/** The inverse of `encodeSession` (`-sess_in`); throws TypeError on bytes that are not a session. */
export function decodeSession(bytes: Uint8Array): ClientTicket {
  if (!(bytes instanceof Uint8Array)) throw new TypeError('bytes must be a Uint8Array');
  try {
    const r = new Reader(bytes);
    if (r.u32() !== SESSION_MAGIC || r.u8() !== 1) throw new Error('not a puretls session');
    const ticket = r.vec16().slice();
    const psk = r.vec8().slice();
    const suite = cipherSuiteByCode(r.u16());
    const lifetime = r.u32();
    const ageAdd = r.u32();
    const receivedAt = Number(r.u64());
    const maxEarlyDataSize = r.u32();
    const hasName = r.u8();
    const serverName = text(r.vec16());
    const hasAlpn = r.u8();
    const alpn = text(r.vec8());
    r.end();
    if (suite === undefined || ticket.length === 0 || psk.length === 0 || lifetime > MAX_TICKET_LIFETIME) throw new Error('bad session fields');
    return Object.freeze({
      ticket, psk, cipherSuite: suite.name, lifetime, ageAdd, receivedAt, maxEarlyDataSize,
      serverName: hasName === 1 ? serverName : null, alpn: hasAlpn === 1 ? alpn : null,
    });
  } catch (e) {
    throw new TypeError(`bytes: not a valid encoded session (${e instanceof Error ? e.message : String(e)})`);
  }
}

/** What a server puts inside a ticket (sealed, or kept in a session store). */
export interface ServerTicketState {
  readonly psk: Uint8Array;
  readonly cipherSuite: CipherSuiteName;
  /** Milliseconds, from the config clock. */
  readonly issuedAt: number;
  /** Seconds. */
  readonly lifetime: number;
  readonly ageAdd: number;
  readonly maxEarlyDataSize: number;
  readonly alpn: string | null;
  readonly serverName: string | null;
  /**
   * The client's certificate chain from the handshake the ticket was issued on: a resumption keeps
   * that authentication (RFC 8446 §2.2, §4.6.1), so the server reports the chain again, as Go's and
   * OpenSSL's sessions do. Absent or empty: the client was not authenticated by certificate.
   */
  readonly peerCertificates?: readonly Uint8Array[];
  /**
   * Milliseconds: when the full handshake this session descends from authenticated the peers (its
   * CertificateVerify). A resumption keeps it, so chained resumptions end 7 days after it (RFC 9846
   * §4.7.1). Absent (tickets sealed before it was kept): `issuedAt` stands for it.
   */
  readonly authenticatedAt?: number;
}

/** Most bytes of client certificates a ticket carries; a longer chain gets no ticket. */
export const MAX_TICKET_CERTIFICATE_BYTES = 16 * 1024;

export interface TicketSealer {
  seal(state: ServerTicketState): Uint8Array;
  /** null when the ticket is not ours (unknown or retired key) or was tampered with. */
  open(ticket: Uint8Array): ServerTicketState | null;
}

const decoder = new TextDecoder('utf-8', { fatal: true });
function text(b: Uint8Array): string {
  return decoder.decode(b);
}

export function encodeTicketState(s: ServerTicketState): Uint8Array {
  const w = new Writer();
  const certs = s.peerCertificates ?? [];
  // Version 1 has no certificates, 2 has them, 3 adds the authentication time (older ones still open).
  w.u8(3).vec8(s.psk).u16(CipherSuite[s.cipherSuite].code).u64(BigInt(Math.floor(s.issuedAt))).u32(s.lifetime).u32(s.ageAdd).u32(s.maxEarlyDataSize);
  w.u8(s.alpn === null ? 0 : 1).vec8(utf8(s.alpn ?? '')).u8(s.serverName === null ? 0 : 1).vec16(utf8(s.serverName ?? ''));
  w.u64(BigInt(Math.floor(s.authenticatedAt ?? s.issuedAt))).u8(certs.length === 0 ? 0 : 1);
  if (certs.length > 0) w.vector24((l) => certs.forEach((c) => l.vec24(c)));
  return w.finish();
}

/** null for anything that is not a well-formed state (a ticket is never an error, RFC 8446 §4.6.1). */
export function decodeTicketState(b: Uint8Array): ServerTicketState | null {
  try {
    const r = new Reader(b);
    const version = r.u8();
    if (version !== 1 && version !== 2 && version !== 3) return null;
    const psk = r.vec8().slice();
    const suite = cipherSuiteByCode(r.u16());
    const issuedAt = Number(r.u64());
    const lifetime = r.u32();
    const ageAdd = r.u32();
    const maxEarlyDataSize = r.u32();
    const hasAlpn = r.u8();
    const alpn = text(r.vec8());
    const hasName = r.u8();
    const serverName = text(r.vec16());
    const peerCertificates: Uint8Array[] = [];
    const authenticatedAt = version === 3 ? Number(r.u64()) : issuedAt;
    const hasCerts = version === 3 ? r.u8() : version === 2 ? 1 : 0;
    if (hasCerts > 1) return null;
    if (hasCerts === 1) {
      const list = r.sub24(1);
      while (!list.atEnd) peerCertificates.push(list.vec24(1).slice());
      if (peerCertificates.length === 0) return null;
    }
    r.end();
    if (suite === undefined || lifetime > MAX_TICKET_LIFETIME) return null;
    return {
      psk,
      cipherSuite: suite.name,
      issuedAt,
      lifetime,
      ageAdd,
      maxEarlyDataSize,
      alpn: hasAlpn === 1 ? alpn : null,
      serverName: hasName === 1 ? serverName : null,
      ...(peerCertificates.length > 0 ? { peerCertificates } : {}),
      authenticatedAt,
    };
  } catch {
    return null;
  }
}
