/**
 * Application data records through an AEAD's asynchronous forms (`sealAsync` / `openAsync`, what the
 * Web Crypto provider offers), in memory. The test provider is noble whose AES-GCM also answers
 * asynchronously after a random delay, so seals finish out of order: the records must still leave in
 * sequence-number order (a peer on plain noble opens them, which fails on any reordering), be opened
 * in order, see a KeyUpdate take effect before the next record, put close_notify and alerts after the
 * data written before them, and fail the connection when a record does not authenticate or the
 * cipher fails. The Web Crypto provider itself is tested through @puretls/web.
 */
import { describe, expect, it } from 'vitest';
import type { Aead, CryptoProvider } from '@puretls/crypto';
import { createNobleProvider } from '@puretls/crypto/noble';
import { ClientConnection, ServerConnection, TlsError, type TlsEvent } from '../src/index.js';
import { dataOf, doHandshake, exchange, makeConfigs, settle, transfer } from './helpers/pair.js';

const noble = createNobleProvider();
const delay = (): Promise<void> => new Promise((r) => setTimeout(r, Math.floor(Math.random() * 3)));

/** noble, with AES-GCM's seal/open also as Promises settling after 0–2 ms; counts what went async. */
function asyncProvider(opts: { failSeal?: () => boolean } = {}): CryptoProvider & { counts: { seal: number; open: number } } {
  const counts = { seal: 0, open: 0 };
  const p: CryptoProvider = {
    ...noble,
    aead(spec) {
      const alg = noble.aead(spec);
      if (alg.name !== 'AES-128-GCM' && alg.name !== 'AES-256-GCM') return alg;
      return {
        ...alg,
        create(key: Uint8Array): Aead {
          const a = alg.create(key);
          return {
            tagLength: a.tagLength,
            seal: (n, pt, aad, out) => a.seal(n, pt, aad, out),
            open: (n, ct, aad, out) => a.open(n, ct, aad, out),
            sealAsync: async (n, pt, aad) => {
              counts.seal++;
              const [nn, pp, aa] = [n.slice(), pt.slice(), aad.slice()];
              const fails = opts.failSeal?.() === true; // decided in the order records are asked for
              await delay();
              if (fails) throw new Error('the cipher failed');
              return a.seal(nn, pp, aa);
            },
            openAsync: async (n, ct, aad) => {
              counts.open++;
              const [nn, cc, aa] = [n.slice(), ct.slice(), aad.slice()];
              await delay();
              return a.open(nn, cc, aa);
            },
          };
        },
      };
    },
  };
  return Object.assign(p, { counts });
}

const pattern = (n: number, seed: number): Uint8Array => Uint8Array.from({ length: n }, (_, i) => (i * 131 + seed) & 0xff);

async function pair(clientProvider: CryptoProvider, serverProvider: CryptoProvider) {
  const cfgC = makeConfigs({ client: { provider: clientProvider, cipherSuites: ['TLS_AES_128_GCM_SHA256'] } }).client;
  const cfgS = makeConfigs({ server: { provider: serverProvider, cipherSuites: ['TLS_AES_128_GCM_SHA256'] } }).server;
  const c = new ClientConnection(cfgC);
  const s = new ServerConnection(cfgS);
  await doHandshake(c, s);
  return { c, s };
}

describe('application data through asynchronous AEAD forms', () => {
  it('1 MiB each way in order, with KeyUpdates from both sides, against a peer on plain noble', async () => {
    const ap = asyncProvider();
    const { c, s } = await pair(ap, noble);
    const up = pattern(1 << 20, 1);
    const down = pattern(1 << 20, 2);
    const got: { c: TlsEvent[]; s: TlsEvent[] } = { c: [], s: [] };
    for (let at = 0; at < up.length; at += 50_000) {
      c.write(up.subarray(at, at + 50_000));
      s.write(down.subarray(at, at + 50_000));
      if (at === 300_000) c.keyUpdate(true);
      if (at === 700_000) s.keyUpdate(true);
      const ev = await exchange(c, s);
      got.c.push(...ev.client);
      got.s.push(...ev.server);
    }
    expect([c.error, s.error]).toEqual([null, null]);
    expect(dataOf(got.s)).toEqual(up);
    expect(dataOf(got.c)).toEqual(down);
    expect(got.c.filter((e) => e.type === 'key_update')).toHaveLength(4);
    // Every application data record went the asynchronous way: 1 MiB is 64+ records each way.
    expect(ap.counts.seal).toBeGreaterThanOrEqual(64);
    expect(ap.counts.open).toBeGreaterThanOrEqual(64);
  });

  it('both sides asynchronous; close_notify comes after the data written before it', async () => {
    const { c, s } = await pair(asyncProvider(), asyncProvider());
    const up = pattern(200_000, 3);
    c.write(up);
    c.close();
    const ev = await exchange(c, s);
    expect(dataOf(ev.server)).toEqual(up);
    expect(ev.server.at(-1)?.type).toBe('peer_closed');
    s.write(Uint8Array.of(1, 2, 3));
    s.close();
    const back = await exchange(c, s);
    expect(dataOf(back.client)).toEqual(Uint8Array.of(1, 2, 3));
    expect([c.state, s.state]).toEqual(['Closed', 'Closed']);
  });

  it('a tampered record fails the reader with bad_record_mac after the records before it', async () => {
    const { c, s } = await pair(noble, asyncProvider());
    c.write(pattern(3 * 16384, 4));
    const wire = c.pull() as Uint8Array;
    // Three records of 16 KiB + 22 bytes: break the third.
    const bad = wire.slice();
    const third = 2 * (5 + 16384 + 1 + 16);
    bad[third + 100] = (bad[third + 100] as number) ^ 1;
    s.feed(bad);
    await settle(s);
    const ev: TlsEvent[] = [];
    for (let e = s.poll(); e !== null; e = s.poll()) ev.push(e);
    expect(dataOf(ev)).toEqual(pattern(3 * 16384, 4).subarray(0, 2 * 16384));
    expect(s.error).toMatchObject({ code: 'BAD_RECORD_MAC', alert: 'bad_record_mac' });
    // The alert reaches the peer.
    transfer(s, c);
    expect(c.error).toMatchObject({ code: 'PEER_ALERT', alert: 'bad_record_mac' });
  });

  it('a cipher that fails while sealing fails the connection; nothing numbered after that record is sent', async () => {
    let n = 0;
    const ap = asyncProvider({ failSeal: () => ++n === 2 });
    const { c, s } = await pair(ap, noble);
    c.write(pattern(3 * 16384, 5));
    await settle(c);
    expect(c.error).toMatchObject({ alert: 'internal_error' });
    const ev = await exchange(c, s);
    // Only the record before the failed one goes out: the third, and even the alert, would carry
    // sequence numbers the peer cannot reach (RFC 8446 §5.3), so they are not sent at all.
    expect(dataOf(ev.server)).toEqual(pattern(16384, 5));
    expect(s.error).toBeNull();
    expect(() => c.write(Uint8Array.of(1))).toThrow();
  });

  it('records fed one byte at a time are opened in order', async () => {
    const { c, s } = await pair(noble, asyncProvider());
    const data = pattern(40_000, 6);
    c.write(data);
    const ev: TlsEvent[] = [];
    for (let b = c.pull(); b !== null; b = c.pull()) {
      for (let i = 0; i < b.length; i++) {
        s.feed(b.subarray(i, i + 1));
        await settle(s);
        for (let e = s.poll(); e !== null; e = s.poll()) ev.push(e);
      }
    }
    expect(s.error).toBeNull();
    expect(dataOf(ev)).toEqual(data);
  });

  it('hostile records after the handshake end in an alert, never an exception or a hang', async () => {
    for (let round = 0; round < 30; round++) {
      const { s } = await pair(noble, asyncProvider());
      const junk = noble.randomBytes(1 + Math.floor(Math.random() * 3000));
      // A well-formed application_data header around random bytes, or random bytes alone.
      const rec = round % 2 === 0 ? Uint8Array.of(23, 3, 3, junk.length >> 8, junk.length & 0xff, ...junk) : junk;
      expect(() => s.feed(rec)).not.toThrow();
      await settle(s);
      expect(s.pending).toBeNull();
      if (round % 2 === 0) expect(s.error?.alert).toMatch(/^(bad_record_mac|record_overflow)$/);
      // Random bytes alone: a typed error, or (an incomplete record header) still waiting for more.
      else if (s.error !== null) expect(s.error).toBeInstanceOf(TlsError);
    }
  });
});

