/**
 * Stateless session tickets sealed with AES-256-GCM under named ticket keys (the scheme of RFC 5077
 * §4, adapted): `key_name(16) || nonce(12) || AEAD(state)` with the key name as additional data.
 * Two keys are live: the current one seals, the current and the previous one open; a rotation makes
 * the current key previous and retires the older one, so a ticket lives at most two rotation
 * periods. Keys can be exported and imported so that every server of a cluster seals and opens
 * with the same ones. A ticket that does not open is not resumed (full handshake), never an error.
 */
import { Reader, Writer, bytesEqual } from '@puretls/wire';
import type { Aead, CryptoProvider } from '@puretls/crypto';
import { utf8 } from '../bytes.js';
import { decodeTicketState, encodeTicketState, type ServerTicketState, type TicketSealer } from '../tickets.js';

export interface TicketKey {
  /** 16 bytes, sent in the clear at the start of each ticket to find the key. */
  readonly name: Uint8Array;
  /** 32 bytes (AES-256-GCM). */
  readonly secret: Uint8Array;
  /** Milliseconds, from the clock of whoever made the key. */
  readonly createdAt: number;
}

export interface TicketKeys extends TicketSealer {
  /** The key names, current first. */
  readonly names: readonly Uint8Array[];
  /** Makes `next` (default: a fresh random key) current; the current key becomes previous. */
  rotate(next?: TicketKey): void;
  /** Current and previous keys as bytes, for the other servers of a cluster. Secret! */
  export(): Uint8Array;
  /** Replaces the keys with exported ones. */
  import(bytes: Uint8Array): void;
}

export interface TicketKeysOptions {
  readonly now: () => number;
  /** Rotate automatically when the current key is this old (ms) at sealing time; default: never. */
  readonly rotateAfter?: number;
  /** Initial keys: exported bytes or a list, current first (at most two). Default: one random key. */
  readonly keys?: Uint8Array | readonly TicketKey[];
}

const NAME = 16;
const NONCE = 12;
const TAG = 16;
const AAD_LABEL = utf8('puretls ticket v2');

interface LiveKey {
  readonly key: TicketKey;
  readonly aead: Aead;
}

function checkKey(k: TicketKey, what: string): TicketKey {
  if (k === null || typeof k !== 'object') throw new TypeError(`${what} must be a ticket key`);
  if (!(k.name instanceof Uint8Array) || k.name.length !== NAME) throw new TypeError(`${what}.name must be a 16-byte Uint8Array`);
  if (!(k.secret instanceof Uint8Array) || k.secret.length !== 32) throw new TypeError(`${what}.secret must be a 32-byte Uint8Array`);
  if (!Number.isFinite(k.createdAt)) throw new TypeError(`${what}.createdAt must be a number`);
  return Object.freeze({ name: k.name.slice(), secret: k.secret.slice(), createdAt: k.createdAt });
}

function decodeKeys(bytes: Uint8Array): TicketKey[] {
  if (!(bytes instanceof Uint8Array)) throw new TypeError('keys must be a Uint8Array');
  try {
    const r = new Reader(bytes);
    if (r.u8() !== 1) throw new Error('version');
    const n = r.u8();
    if (n < 1 || n > 2) throw new Error('count');
    const out: TicketKey[] = [];
    for (let i = 0; i < n; i++) out.push({ name: r.bytes(NAME).slice(), secret: r.bytes(32).slice(), createdAt: Number(r.u64()) });
    r.end();
    return out;
  } catch (e) {
    throw new TypeError(`keys: not exported ticket keys (${e instanceof Error ? e.message : String(e)})`);
  }
}

/** Named, rotating, exportable ticket keys (current + previous). */
export function createTicketKeys(provider: CryptoProvider, options: TicketKeysOptions): TicketKeys {
  if (options === null || typeof options !== 'object' || typeof options.now !== 'function') throw new TypeError('options.now must be a function returning milliseconds');
  const { now, rotateAfter } = options;
  if (rotateAfter !== undefined && (!Number.isInteger(rotateAfter) || rotateAfter <= 0)) throw new RangeError('options.rotateAfter must be a positive integer (ms)');
  const gcm = provider.aead('AES-256-GCM');
  const live = (k: TicketKey): LiveKey => ({ key: k, aead: gcm.create(k.secret) });
  const fresh = (): TicketKey => ({ name: provider.randomBytes(NAME), secret: provider.randomBytes(32), createdAt: now() });
  let keys: LiveKey[] = [];
  const install = (list: readonly TicketKey[]): void => {
    if (!Array.isArray(list) || list.length < 1 || list.length > 2) throw new TypeError('keys must hold one or two ticket keys');
    const checked = list.map((k, i) => checkKey(k, `keys[${i}]`));
    if (checked.length === 2 && bytesEqual((checked[0] as TicketKey).name, (checked[1] as TicketKey).name)) throw new TypeError('keys: names must differ');
    keys = checked.map(live);
  };
  const init = options.keys;
  install(init === undefined ? [fresh()] : init instanceof Uint8Array ? decodeKeys(init) : init);

  const rotate = (next?: TicketKey): void => {
    const k = next === undefined ? fresh() : checkKey(next, 'next');
    // RFC 8446 §4.6.1 tickets are bounded by the key lifetime: the previous-but-one key is retired.
    keys = [live(k), keys[0] as LiveKey];
  };

  return Object.freeze({
    get names(): readonly Uint8Array[] {
      return keys.map((k) => k.key.name.slice());
    },
    rotate,
    export(): Uint8Array {
      const w = new Writer().u8(1).u8(keys.length);
      for (const { key } of keys) w.bytes(key.name).bytes(key.secret).u64(BigInt(Math.floor(key.createdAt)));
      return w.finish();
    },
    import(bytes: Uint8Array): void {
      install(decodeKeys(bytes));
    },
    seal(state: ServerTicketState): Uint8Array {
      if (rotateAfter !== undefined && now() - (keys[0] as LiveKey).key.createdAt >= rotateAfter) rotate();
      const { key, aead } = keys[0] as LiveKey;
      // Random 96-bit nonces: rotation keeps the number of tickets per key far below 2^32.
      const nonce = provider.randomBytes(NONCE);
      const ct = aead.seal(nonce, encodeTicketState(state), aad(key.name));
      const out = new Uint8Array(NAME + NONCE + ct.length);
      out.set(key.name);
      out.set(nonce, NAME);
      out.set(ct, NAME + NONCE);
      return out;
    },
    open(ticket: Uint8Array): ServerTicketState | null {
      if (!(ticket instanceof Uint8Array) || ticket.length < NAME + NONCE + TAG) return null;
      const name = ticket.subarray(0, NAME);
      const hit = keys.find((k) => bytesEqual(k.key.name, name));
      if (hit === undefined) return null;
      const plain = hit.aead.open(ticket.subarray(NAME, NAME + NONCE), ticket.subarray(NAME + NONCE), aad(name));
      return plain === null ? null : decodeTicketState(plain);
    },
  });
}

function aad(name: Uint8Array): Uint8Array {
  const out = new Uint8Array(AAD_LABEL.length + NAME);
  out.set(AAD_LABEL);
  out.set(name, AAD_LABEL.length);
  return out;
}

/**
 * One fixed 32-byte key (no rotation): the ticket key name is derived from it. For a fleet or for
 * rotation use `createTicketKeys`.
 */
export function createTicketSealer(provider: CryptoProvider, key: Uint8Array): TicketKeys {
  if (!(key instanceof Uint8Array) || key.length !== 32) throw new TypeError('key must be a 32-byte Uint8Array');
  const name = provider.hmac('SHA-256', key, utf8('puretls ticket key name')).subarray(0, NAME);
  return createTicketKeys(provider, { now: () => 0, keys: [{ name, secret: key, createdAt: 0 }] });
}
