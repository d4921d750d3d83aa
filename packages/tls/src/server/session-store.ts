/**
 * Stateful session tickets: the ticket is a random identifier and the state stays in a store the
 * server (or a cluster of them) shares. `take` removes an entry, which makes a ticket single-use:
 * the server takes the entry whenever the client offers 0-RTT with it, so a replayed ClientHello
 * finds nothing (RFC 8446 §8.1), and `get` serves resumption without early data.
 */
import type { ServerTicketState } from '../tickets.js';

export interface ServerSessionStore {
  put(id: Uint8Array, state: ServerTicketState): void;
  get(id: Uint8Array): ServerTicketState | undefined;
  take(id: Uint8Array): ServerTicketState | undefined;
}

export interface MemorySessionStoreOptions {
  /** Entries kept at most (default 10000); the oldest go first. */
  readonly maxEntries?: number;
  /** Clock for dropping expired entries (ms); without it, expiry is left to the engine's age check. */
  readonly now?: () => number;
}

function key(id: Uint8Array): string {
  let s = '';
  for (const b of id) s += String.fromCharCode(b);
  return s;
}

export function createMemorySessionStore(options: MemorySessionStoreOptions = {}): ServerSessionStore & { readonly size: number } {
  const maxEntries = options.maxEntries ?? 10000;
  if (!Number.isInteger(maxEntries) || maxEntries < 1) throw new RangeError('options.maxEntries must be a positive integer');
  const map = new Map<string, ServerTicketState>();
  const expired = (s: ServerTicketState): boolean => options.now !== undefined && options.now() - s.issuedAt >= s.lifetime * 1000;
  const read = (id: Uint8Array, remove: boolean): ServerTicketState | undefined => {
    if (!(id instanceof Uint8Array)) throw new TypeError('id must be a Uint8Array');
    const k = key(id);
    const s = map.get(k);
    if (s === undefined) return undefined;
    if (remove || expired(s)) map.delete(k);
    return expired(s) ? undefined : s;
  };
  return {
    get size() {
      return map.size;
    },
    put(id: Uint8Array, state: ServerTicketState): void {
      if (!(id instanceof Uint8Array)) throw new TypeError('id must be a Uint8Array');
      map.set(key(id), state);
      while (map.size > maxEntries) map.delete(map.keys().next().value as string);
    },
    get: (id) => read(id, false),
    take: (id) => read(id, true),
  };
}
