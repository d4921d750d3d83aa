/**
 * Hostile input, property-based: random bytes, mutated hellos and flights, and arbitrary chunking.
 * The engine never throws from feed(), never reports internal_error for peer data, and completes the
 * handshake under any split of a valid byte stream.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { ClientConnection, ServerConnection, TlsError } from '../src/index.js';
import { dataOf, exchange, makeConfigs, makePair, settle } from './helpers/pair.js';

const cfgs = makeConfigs();

function checkPeerError(c: ClientConnection | ServerConnection): void {
  const e = c.error;
  if (e === null) return;
  expect(e).toBeInstanceOf(TlsError);
  expect(e.code, e.message).not.toBe('INTERNAL_ERROR');
  // A random alert record may itself carry internal_error: then it is the peer's alert, reported as such
  // (close_notify and user_canceled before the handshake completed have their own codes).
  if (e.remote) expect(['PEER_ALERT', 'PEER_CLOSED_IN_HANDSHAKE', 'PEER_CANCELED']).toContain(e.code);
  else expect(e.alert).not.toBe('internal_error');
}

const mutation = fc.record({
  at: fc.nat(),
  kind: fc.constantFrom('flip', 'set', 'truncate', 'insert', 'delete'),
  value: fc.integer({ min: 0, max: 255 }),
});

function mutate(b: Uint8Array, ms: { at: number; kind: string; value: number }[]): Uint8Array {
  let out = b.slice();
  for (const m of ms) {
    if (out.length === 0) break;
    const i = m.at % out.length;
    if (m.kind === 'flip') out[i] = (out[i] as number) ^ (1 << (m.value % 8));
    else if (m.kind === 'set') out[i] = m.value;
    else if (m.kind === 'truncate') out = out.slice(0, i);
    else if (m.kind === 'insert') out = Uint8Array.from([...out.subarray(0, i), m.value, ...out.subarray(i)]);
    else out = Uint8Array.from([...out.subarray(0, i), ...out.subarray(i + 1)]);
  }
  return out;
}

describe('hostile input', () => {
  it('random bytes never make feed() throw, for either role', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 600 }), fc.boolean(), (bytes, asClient) => {
        const c = asClient ? new ClientConnection(cfgs.client) : new ServerConnection(cfgs.server);
        c.pull();
        expect(() => c.feed(bytes)).not.toThrow();
        checkPeerError(c);
      }),
      { numRuns: 400 },
    );
  });

  it('random records with valid headers never make feed() throw', () => {
    fc.assert(
      fc.property(fc.constantFrom(20, 21, 22, 23), fc.uint8Array({ maxLength: 300 }), fc.boolean(), (type, body, asClient) => {
        const c = asClient ? new ClientConnection(cfgs.client) : new ServerConnection(cfgs.server);
        c.pull();
        const rec = Uint8Array.from([type, 3, 3, body.length >> 8, body.length & 255, ...body]);
        expect(() => c.feed(rec)).not.toThrow();
        checkPeerError(c);
      }),
      { numRuns: 400 },
    );
  });

  it('a mutated ClientHello is refused with a peer error or handled, never an exception', async () => {
    const hello = new ClientConnection(cfgs.client).pull() as Uint8Array;
    await fc.assert(
      fc.asyncProperty(fc.array(mutation, { minLength: 1, maxLength: 4 }), async (ms) => {
        const s = new ServerConnection(cfgs.server);
        expect(() => s.feed(mutate(hello, ms))).not.toThrow();
        await settle(s);
        checkPeerError(s);
      }),
      { numRuns: 300 },
    );
  });

  it('a mutated server flight is refused with a peer error, never an exception', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(mutation, { minLength: 1, maxLength: 3 }), async (ms) => {
        const p = makePair();
        p.server.feed(p.client.pull() as Uint8Array);
        await settle(p.server);
        const flight = p.server.pull() as Uint8Array;
        expect(() => p.client.feed(mutate(flight, ms))).not.toThrow();
        await settle(p.client);
        checkPeerError(p.client);
      }),
      { numRuns: 200 },
    );
  });

  it('any chunking of the byte streams completes the handshake and delivers the data', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.integer({ min: 1, max: 700 }), { minLength: 1, maxLength: 20 }), async (cuts) => {
        const p = makePair();
        p.client.write(Uint8Array.of(1, 2, 3));
        const move = (from: ClientConnection | ServerConnection, to: ClientConnection | ServerConnection): number => {
          let n = 0;
          for (let b = from.pull(); b !== null; b = from.pull()) {
            let at = 0;
            let k = 0;
            while (at < b.length) {
              const len = cuts[k++ % cuts.length] as number;
              to.feed(b.subarray(at, at + len));
              at += len;
            }
            n += b.length;
          }
          return n;
        };
        for (let i = 0; i < 20; i++) {
          await settle(p.client, p.server);
          if (move(p.client, p.server) + move(p.server, p.client) === 0 && p.client.pending === null && p.server.pending === null) break;
        }
        expect(p.client.error).toBeNull();
        expect(p.server.error).toBeNull();
        const ev = await exchange(p.client, p.server);
        expect(p.client.canWrite && p.server.canWrite).toBe(true);
        expect(Array.from(dataOf(ev.server))).toEqual([1, 2, 3]);
        expect(ev.client.some((e) => e.type === 'handshake_complete')).toBe(true);
      }),
      { numRuns: 60 },
    );
  });
});
