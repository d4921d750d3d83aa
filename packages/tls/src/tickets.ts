/**
 * Session tickets (RFC 8446 §4.6.1): what a client keeps to resume, and the server's sealed ticket
 * state. The default sealer encrypts the state with AES-256-GCM under a server key; a ticket that
 * does not open is simply not resumed (full handshake), never an error.
 */
import { Reader, Writer } from '@puretls/wire';
import type { CryptoProvider } from '@puretls/crypto';
import { type CipherSuiteName, CipherSuite, cipherSuiteByCode } from './suites.js';
import { ascii, utf8 } from './bytes.js';

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

/**
 * Where a client keeps tickets between connections. `take` should hand a ticket out once (RFC 8446
 * §C.4: reusing a ticket lets observers link connections).
 */
export interface ClientTicketStore {
  put(serverName: string, ticket: ClientTicket): void;
  take(serverName: string): ClientTicket | undefined;
}

/** A bounded in-memory store keeping the most recent tickets per server name. */
export function createMemoryTicketStore(perServer = 4): ClientTicketStore {
  if (!Number.isInteger(perServer) || perServer < 1) throw new RangeError('perServer must be a positive integer');
  const map = new Map<string, ClientTicket[]>();
  return Object.freeze({
    put(serverName: string, ticket: ClientTicket): void {
      const list = map.get(serverName) ?? [];
      list.push(ticket);
      while (list.length > perServer) list.shift();
      map.set(serverName, list);
    },
    take(serverName: string): ClientTicket | undefined {
      return map.get(serverName)?.pop();
    },
  });
}

export interface ServerTicketState {
  readonly psk: Uint8Array;
  readonly cipherSuite: CipherSuiteName;
  readonly issuedAt: number;
  readonly lifetime: number;
  readonly ageAdd: number;
  readonly maxEarlyDataSize: number;
  readonly alpn: string | null;
  readonly serverName: string | null;
}

export interface TicketSealer {
  seal(state: ServerTicketState): Uint8Array;
  /** null when the ticket is not ours or was tampered with. */
  open(ticket: Uint8Array): ServerTicketState | null;
}

function encodeState(s: ServerTicketState): Uint8Array {
  const w = new Writer();
  w.u8(1).vec8(s.psk).u16(CipherSuite[s.cipherSuite].code).u64(BigInt(Math.floor(s.issuedAt))).u32(s.lifetime).u32(s.ageAdd).u32(s.maxEarlyDataSize);
  w.vec8(utf8(s.alpn ?? '')).vec16(utf8(s.serverName ?? ''));
  return w.finish();
}

function decodeState(b: Uint8Array): ServerTicketState | null {
  try {
    const r = new Reader(b);
    if (r.u8() !== 1) return null;
    const psk = r.vec8().slice();
    const suite = cipherSuiteByCode(r.u16());
    const issuedAt = Number(r.u64());
    const lifetime = r.u32();
    const ageAdd = r.u32();
    const maxEarlyDataSize = r.u32();
    const alpn = ascii(r.vec8());
    const serverName = ascii(r.vec16());
    r.end();
    if (suite === undefined) return null;
    return { psk, cipherSuite: suite.name, issuedAt, lifetime, ageAdd, maxEarlyDataSize, alpn: alpn || null, serverName: serverName || null };
  } catch {
    return null;
  }
}

/** AES-256-GCM ticket protection under `key` (32 bytes); rotate by making a new sealer. */
export function createTicketSealer(provider: CryptoProvider, key: Uint8Array): TicketSealer {
  if (!(key instanceof Uint8Array) || key.length !== 32) throw new TypeError('key must be a 32-byte Uint8Array');
  const aead = provider.aead('AES-256-GCM').create(key.slice());
  const aad = utf8('puretls ticket v1');
  return Object.freeze({
    seal(state: ServerTicketState): Uint8Array {
      const nonce = provider.randomBytes(12);
      const ct = aead.seal(nonce, encodeState(state), aad);
      const out = new Uint8Array(12 + ct.length);
      out.set(nonce);
      out.set(ct, 12);
      return out;
    },
    open(ticket: Uint8Array): ServerTicketState | null {
      if (ticket.length < 12 + 16) return null;
      const plain = aead.open(ticket.subarray(0, 12), ticket.subarray(12), aad);
      return plain === null ? null : decodeState(plain);
    },
  });
}
