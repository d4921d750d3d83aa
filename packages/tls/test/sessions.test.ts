/**
 * Sessions for production (issue 6), in memory: named rotating ticket keys, stateful tickets, 0-RTT
 * freshness and anti-replay, the client ticket store and session export, external PSKs (RFC 9258
 * imported ones too) and post-handshake client authentication.
 */
import { describe, expect, it } from 'vitest';
import {
  ClientConnection, ServerConnection, clientConfig, createMemorySessionStore, createMemoryTicketStore, createStrikeRegister, createTicketKeys,
  decodeSession, encodeSession, importExternalPsk, serverConfig, type ClientTicket, type ExternalPsk, type TlsEvent,
} from '../src/index.js';
import { advanceClock, dataOf, doHandshake, exchange, infoOf, makeConfigs, now, provider, settle, stubVerifier, testKey, transfer, type PairOptions } from './helpers/pair.js';

const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);
const ticketsOf = (ev: TlsEvent[]): ClientTicket[] => ev.filter((e) => e.type === 'session_ticket').map((e) => (e as { ticket: ClientTicket }).ticket);
const refusals = (ev: TlsEvent[]): (string | undefined)[] => ev.filter((e) => e.type === 'early_data_rejected').map((e) => (e as { reason?: string }).reason);

/** A full handshake with `o`; returns the tickets the client got. */
async function firstTickets(o: PairOptions): Promise<ClientTicket[]> {
  const { client, server } = makeConfigs(o);
  const c = new ClientConnection(client);
  const s = new ServerConnection(server);
  const ev = await doHandshake(c, s);
  return ticketsOf(ev.client);
}

async function resume(o: PairOptions, session: ClientTicket, earlyData?: Uint8Array) {
  const { client, server } = makeConfigs(o);
  const c = new ClientConnection(client, { session, ...(earlyData === undefined ? {} : { earlyData }) });
  const s = new ServerConnection(server);
  const ev = await exchange(c, s);
  return { c, s, ev };
}

describe('the session option', () => {
  it('refuses what is not a ClientTicket, or a ticket for a suite the config does not enable, with a TypeError naming it', async () => {
    const [ticket] = await firstTickets({ server: { ticketSealer: createTicketKeys(provider, { now }) } });
    const { client } = makeConfigs({ client: { cipherSuites: ['TLS_CHACHA20_POLY1305_SHA256'] } });
    for (const bad of [null, 'ticket', 7]) {
      expect(() => new ClientConnection(client, { session: bad as unknown as ClientTicket })).toThrow(/^options\.session must be a ClientTicket/);
    }
    expect(ticket?.cipherSuite).toBe('TLS_AES_128_GCM_SHA256');
    expect(() => new ClientConnection(client, { session: ticket as ClientTicket })).toThrow(new TypeError('options.session: its cipher suite is not enabled in the config'));
  });
});

describe('ticket keys: named, rotating, exportable', () => {
  it('tickets from the current and the previous key resume; a retired key gives a full handshake', async () => {
    const keys = createTicketKeys(provider, { now });
    const o: PairOptions = { server: { ticketSealer: keys } };
    const [t1] = await firstTickets(o);
    keys.rotate();
    const [t2] = await firstTickets(o);
    // t1 is under the previous key, t2 under the current one: both resume.
    for (const t of [t1, t2]) {
      const r = await resume(o, t as ClientTicket);
      expect(r.s.error).toBeNull();
      expect(infoOf(r.ev.server).resumed).toBe(true);
    }
    keys.rotate();
    // t1's key is now retired: a full handshake, no error; t2's key is previous: still resumes.
    const retired = await resume(o, t1 as ClientTicket);
    expect([retired.c.error, retired.s.error]).toEqual([null, null]);
    expect(infoOf(retired.ev.client).resumed).toBe(false);
    expect(infoOf(retired.ev.client).peerCertificates.length).toBeGreaterThan(0);
    expect(infoOf((await resume(o, t2 as ClientTicket)).ev.server).resumed).toBe(true);
    expect(keys.names).toHaveLength(2);
  });

  it('opens an offered ticket once per ClientHello (suite choice and binder check share it)', async () => {
    const keys = createTicketKeys(provider, { now });
    let opened = 0;
    const counting = { seal: (st: Parameters<typeof keys.seal>[0]) => keys.seal(st), open: (t: Uint8Array) => (opened++, keys.open(t)) };
    const [t] = await firstTickets({ server: { ticketSealer: counting } });
    const r = await resume({ server: { ticketSealer: counting } }, t as ClientTicket);
    expect(infoOf(r.ev.server).resumed).toBe(true);
    expect(opened).toBe(1);
  });

  it('rotates on schedule at sealing time', async () => {
    const keys = createTicketKeys(provider, { now, rotateAfter: 3_600_000 });
    const before = keys.names[0] as Uint8Array;
    await firstTickets({ server: { ticketSealer: keys } });
    expect(Buffer.from(keys.names[0] as Uint8Array).equals(Buffer.from(before))).toBe(true);
    advanceClock(3_600_000);
    const [t] = await firstTickets({ server: { ticketSealer: keys } });
    expect(Buffer.from(keys.names[0] as Uint8Array).equals(Buffer.from(before))).toBe(false);
    expect(Buffer.from((t as ClientTicket).ticket.subarray(0, 16)).equals(Buffer.from(keys.names[0] as Uint8Array))).toBe(true);
  });

  it('exported keys let another server of the cluster resume the ticket', async () => {
    const a = createTicketKeys(provider, { now });
    a.rotate();
    const b = createTicketKeys(provider, { now, keys: a.export() });
    const c = createTicketKeys(provider, { now });
    const [t] = await firstTickets({ server: { ticketSealer: a } });
    expect(infoOf((await resume({ server: { ticketSealer: b } }, t as ClientTicket)).ev.server).resumed).toBe(true);
    expect(infoOf((await resume({ server: { ticketSealer: c } }, t as ClientTicket)).ev.server).resumed).toBe(false);
    c.import(a.export());
    expect(infoOf((await resume({ server: { ticketSealer: c } }, t as ClientTicket)).ev.server).resumed).toBe(true);
    expect(() => c.import(Uint8Array.of(1, 2, 3))).toThrow(TypeError);
  });

  it('a ticket with any single byte flipped is not resumed, and nothing throws', async () => {
    const keys = createTicketKeys(provider, { now });
    const o: PairOptions = { server: { ticketSealer: keys } };
    const [t] = await firstTickets(o);
    const ticket = (t as ClientTicket).ticket;
    let tried = 0;
    for (let i = 0; i < ticket.length; i++) {
      const bad = ticket.slice();
      bad[i] = (bad[i] as number) ^ 0x20;
      const r = await resume(o, { ...(t as ClientTicket), ticket: bad });
      expect([r.c.error, r.s.error]).toEqual([null, null]);
      expect(infoOf(r.ev.server).resumed).toBe(false);
      tried++;
    }
    expect(tried).toBe(ticket.length);
    // Truncated and empty-ish tickets too.
    for (const bad of [ticket.subarray(0, 20), Uint8Array.of(1)]) {
      const r = await resume(o, { ...(t as ClientTicket), ticket: bad });
      expect(r.s.error).toBeNull();
      expect(infoOf(r.ev.server).resumed).toBe(false);
    }
  });

  it('lifetimes: at most 7 days in the config, and an expired ticket is not resumed', async () => {
    expect(() => makeConfigs({ server: { ticketLifetime: 604801 } })).toThrow(RangeError);
    const o: PairOptions = { server: { ticketSealer: createTicketKeys(provider, { now }), ticketLifetime: 60 } };
    const [t] = await firstTickets(o);
    expect((t as ClientTicket).lifetime).toBe(60);
    advanceClock(61_000);
    const r = await resume(o, t as ClientTicket);
    expect(infoOf(r.ev.server).resumed).toBe(false);
  });

  it('a SHA-384 ticket (with 0-RTT) offered to a server that now only has SHA-256 suites: a full handshake, early data refused', async () => {
    const keys = createTicketKeys(provider, { now });
    const [t] = await firstTickets({ server: { ticketSealer: keys, maxEarlyDataSize: 100, cipherSuites: ['TLS_AES_256_GCM_SHA384'] } });
    expect((t as ClientTicket).cipherSuite).toBe('TLS_AES_256_GCM_SHA384');
    const r = await resume({ server: { ticketSealer: keys, maxEarlyDataSize: 100, cipherSuites: ['TLS_AES_128_GCM_SHA256'] } }, t as ClientTicket, Uint8Array.of(1, 2, 3));
    expect([r.c.error, r.s.error]).toEqual([null, null]);
    expect([infoOf(r.ev.client).resumed, infoOf(r.ev.client).cipherSuite]).toEqual([false, 'TLS_AES_128_GCM_SHA256']);
    expect(r.ev.client.some((e) => e.type === 'early_data_rejected')).toBe(true);
    expect(refusals(r.ev.server)).toEqual(['no_psk']);
  });

  it('tickets per handshake and after resumption are configurable', async () => {
    const o: PairOptions = { server: { ticketSealer: createTicketKeys(provider, { now }), ticketsPerHandshake: 3, ticketsAfterResumption: 2 } };
    const ts = await firstTickets(o);
    expect(ts).toHaveLength(3);
    const r = await resume(o, ts[0] as ClientTicket);
    expect(ticketsOf(r.ev.client)).toHaveLength(2);
    const none = await firstTickets({ server: { ticketSealer: createTicketKeys(provider, { now }), ticketsPerHandshake: 0 } });
    expect(none).toHaveLength(0);
  });
});

describe('stateful tickets through a session store', () => {
  it('resumes from the store; the ticket is an opaque id', async () => {
    const store = createMemorySessionStore({ now });
    const o: PairOptions = { server: { sessionStore: store } };
    const [t] = await firstTickets(o);
    expect((t as ClientTicket).ticket.length).toBe(32);
    expect(store.size).toBe(1);
    expect(infoOf((await resume(o, t as ClientTicket)).ev.server).resumed).toBe(true);
    // Without early data the entry stays (get).
    expect(infoOf((await resume(o, t as ClientTicket)).ev.server).resumed).toBe(true);
    expect(() => makeConfigs({ server: { sessionStore: store, ticketSealer: createTicketKeys(provider, { now }) } })).toThrow(/exclusive/);
  });

  it('is bounded', () => {
    const store = createMemorySessionStore({ maxEntries: 3 });
    for (let i = 0; i < 10; i++) store.put(Uint8Array.of(i), { psk: Uint8Array.of(1), cipherSuite: 'TLS_AES_128_GCM_SHA256', issuedAt: 0, lifetime: 1, ageAdd: 0, maxEarlyDataSize: 0, alpn: null, serverName: null });
    expect(store.size).toBe(3);
    expect(store.get(Uint8Array.of(0))).toBeUndefined();
    expect(store.take(Uint8Array.of(9))).toBeDefined();
    expect(store.get(Uint8Array.of(9))).toBeUndefined();
  });
});

describe('0-RTT: policy, freshness and anti-replay', () => {
  const early = utf8('GET / HTTP/1.1\r\n\r\n');

  it('is off by default: the ticket does not allow it and a server without it refuses it', async () => {
    const keys = createTicketKeys(provider, { now });
    const [t] = await firstTickets({ server: { ticketSealer: keys } });
    expect((t as ClientTicket).maxEarlyDataSize).toBe(0);
    const [t2] = await firstTickets({ server: { ticketSealer: keys, maxEarlyDataSize: 1000 } });
    const r = await resume({ server: { ticketSealer: keys } }, t2 as ClientTicket, early);
    expect(refusals(r.ev.server)).toEqual(['disabled']);
    expect(r.ev.client.some((e) => e.type === 'early_data_rejected')).toBe(true);
    expect(infoOf(r.ev.server).resumed).toBe(true);
  });

  it('accepted data is told apart from the rest: early_data events and earlyDataAccepted', async () => {
    const o: PairOptions = { server: { ticketSealer: createTicketKeys(provider, { now }), maxEarlyDataSize: 1000 } };
    const [t] = await firstTickets(o);
    const r = await resume(o, t as ClientTicket, early);
    expect(infoOf(r.ev.server).earlyDataAccepted).toBe(true);
    expect(Buffer.from(dataOf(r.ev.server, 'early_data')).toString()).toBe('GET / HTTP/1.1\r\n\r\n');
    expect(dataOf(r.ev.server)).toHaveLength(0);
  });

  it('a ticket age outside the freshness window refuses early data, not the connection', async () => {
    const o: PairOptions = { server: { ticketSealer: createTicketKeys(provider, { now }), maxEarlyDataSize: 1000, earlyDataAgeTolerance: 5000 } };
    const [t] = await firstTickets(o);
    // The client believes the ticket is 60 s older than the server does.
    const skewed = { ...(t as ClientTicket), receivedAt: (t as ClientTicket).receivedAt - 60_000 };
    const r = await resume(o, skewed, early);
    expect(refusals(r.ev.server)).toEqual(['stale']);
    expect(infoOf(r.ev.server).resumed).toBe(true);
    expect(r.ev.server.some((e) => e.type === 'early_data')).toBe(false);
  });

  it('a replayed 0-RTT ClientHello is refused its early data by a second server sharing keys and strike register', async () => {
    const keys = createTicketKeys(provider, { now });
    const antiReplay = createStrikeRegister({ window: 20000, maxEntries: 1000 });
    const shared = { ticketSealer: keys, maxEarlyDataSize: 1000, antiReplay };
    const [t] = await firstTickets({ server: shared });
    const { client } = makeConfigs();
    const c = new ClientConnection(client, { session: t as ClientTicket, earlyData: early });
    const flight = c.pull() as Uint8Array; // ClientHello + 0-RTT records, as an attacker records them
    const a = new ServerConnection(makeConfigs({ server: { ...shared } }).server);
    const b = new ServerConnection(makeConfigs({ server: { ticketSealer: createTicketKeys(provider, { now, keys: keys.export() }), maxEarlyDataSize: 1000, antiReplay } }).server);
    a.feed(flight);
    b.feed(flight);
    const evA: TlsEvent[] = [];
    const evB: TlsEvent[] = [];
    for (let e = a.poll(); e; e = a.poll()) evA.push(e);
    for (let e = b.poll(); e; e = b.poll()) evB.push(e);
    expect(Buffer.from(dataOf(evA, 'early_data')).toString()).toBe('GET / HTTP/1.1\r\n\r\n');
    expect(evB.some((e) => e.type === 'early_data')).toBe(false);
    expect(refusals(evB)).toEqual(['replay']);
    expect([a.error, b.error]).toEqual([null, null]);
    // The replaying server answered a normal (resumed) handshake; the genuine client completes with A.
    expect(b.pull()).not.toBeNull();
    c.feed(a.pull() as Uint8Array);
    transfer(c, a);
    expect(infoOf(evA.concat(drain(a))).earlyDataAccepted).toBe(true);
  });

  it('stateful tickets are single-use for 0-RTT: a replay on a second server sharing the store gets no early data', async () => {
    const store = createMemorySessionStore({ now });
    const o: PairOptions = { server: { sessionStore: store, maxEarlyDataSize: 1000 } };
    const [t] = await firstTickets(o);
    const { client } = makeConfigs();
    const c = new ClientConnection(client, { session: t as ClientTicket, earlyData: early });
    const flight = c.pull() as Uint8Array;
    const a = new ServerConnection(makeConfigs(o).server);
    const b = new ServerConnection(makeConfigs(o).server);
    a.feed(flight);
    b.feed(flight);
    const evA = drain(a);
    const evB = drain(b);
    expect(dataOf(evA, 'early_data').length).toBe(early.length);
    expect(evB.some((e) => e.type === 'early_data')).toBe(false);
    expect(refusals(evB)).toEqual(['no_psk']);
    expect(b.error).toBeNull();
  });

  it('a strike register stays under its memory bound under a flood, refusing 0-RTT when full', () => {
    const reg = createStrikeRegister({ window: 10_000, maxEntries: 1000 });
    const id = (i: number): Uint8Array => Uint8Array.of(i >> 24, i >> 16, i >> 8, i, 7, 7, 7, 7);
    let accepted = 0;
    for (let i = 0; i < 200_000; i++) {
      if (reg.check(id(i), 1000 + (i >> 10))) accepted++;
      expect(reg.size).toBeLessThanOrEqual(1000);
    }
    expect(accepted).toBe(1000);
    // A replay within the window (both ends included) is refused; after it entries expire and room returns.
    expect(reg.check(id(5), 2000)).toBe(false);
    expect(reg.check(id(5), 1000 + 10_000)).toBe(false);
    expect(reg.check(id(5), 1000 + 10_001)).toBe(true);
    expect(reg.size).toBe(1);
    expect(() => createStrikeRegister({ maxEntries: 0 })).toThrow(RangeError);
  });

  it('a sealer with 0-RTT gets a strike register by default', () => {
    const { server } = makeConfigs({ server: { ticketSealer: createTicketKeys(provider, { now }), maxEarlyDataSize: 1 } });
    expect(server.antiReplay?.window).toBe(20000);
    expect(makeConfigs({ server: { ticketSealer: createTicketKeys(provider, { now }) } }).server.antiReplay).toBeUndefined();
  });
});

function drain(c: ClientConnection | ServerConnection): TlsEvent[] {
  const out: TlsEvent[] = [];
  for (let e = c.poll(); e; e = c.poll()) out.push(e);
  return out;
}

describe('client ticket store and session export', () => {
  const ticket = (over: Partial<ClientTicket> = {}): ClientTicket => ({
    ticket: Uint8Array.of(1, 2, 3), psk: new Uint8Array(32).fill(1), cipherSuite: 'TLS_AES_128_GCM_SHA256', lifetime: 100, ageAdd: 7,
    receivedAt: 1000, maxEarlyDataSize: 0, serverName: 'a.test', alpn: 'h2', ...over,
  });

  it('is keyed by server name, drops expired tickets, and uses tickets once unless reuse is allowed', () => {
    const store = createMemoryTicketStore();
    store.put('a.test', ticket());
    expect(store.take('b.test', 2000)).toBeUndefined();
    expect(store.take('a.test', 2000)?.ageAdd).toBe(7);
    expect(store.take('a.test', 2000)).toBeUndefined();
    store.put('a.test', ticket());
    expect(store.take('a.test', 1000 + 100_000)).toBeUndefined(); // expired: dropped
    const reuse = createMemoryTicketStore({ reuse: true });
    reuse.put('a.test', ticket());
    reuse.put('a.test', ticket({ maxEarlyDataSize: 10, ageAdd: 9 }));
    // The 0-RTT ticket is single-use (the server counts on it); the other one may be reused.
    expect(reuse.take('a.test', 2000)?.ageAdd).toBe(9);
    expect(reuse.take('a.test', 2000)?.ageAdd).toBe(7);
    expect(reuse.take('a.test', 2000)?.ageAdd).toBe(7);
  });

  it('a connection takes from the store by server name and puts new tickets there', async () => {
    const store = createMemoryTicketStore();
    const o: PairOptions = { client: { ticketStore: store }, server: { ticketSealer: createTicketKeys(provider, { now }) } };
    const { client, server } = makeConfigs(o);
    await doHandshake(new ClientConnection(client), new ServerConnection(server));
    const second = await doHandshake(new ClientConnection(client), new ServerConnection(server));
    expect(infoOf(second.client).resumed).toBe(true);
    const other = await doHandshake(new ClientConnection(client, { serverName: 'other.test' }), new ServerConnection(server));
    expect(infoOf(other.client).resumed).toBe(false);
  });

  it('sessions export and import byte for byte (-sess_out / -sess_in) and resume', async () => {
    const o: PairOptions = { server: { ticketSealer: createTicketKeys(provider, { now }), alpnProtocols: ['h2'] }, client: { alpnProtocols: ['h2'] } };
    const [t] = await firstTickets(o);
    const bytes = encodeSession(t as ClientTicket);
    const back = decodeSession(bytes);
    expect(back).toEqual(t);
    expect(infoOf((await resume(o, back)).ev.client).resumed).toBe(true);
    expect(() => decodeSession(bytes.subarray(0, bytes.length - 1))).toThrow(TypeError);
    expect(() => decodeSession(Uint8Array.of(0, 1, 2))).toThrow(TypeError);
  });
});

describe('external PSKs', () => {
  const psk: ExternalPsk = { identity: utf8('client-1'), secret: new Uint8Array(32).fill(0x42), hash: 'SHA-256' };
  const seen: string[] = [];
  const select = (keys: ExternalPsk[]) => (identity: Uint8Array) => {
    seen.push(Buffer.from(identity).toString());
    return keys.find((k) => Buffer.from(k.identity).equals(Buffer.from(identity)));
  };

  it('psk_dhe_ke: no certificate, the identity is reported, the callback chose by identity', async () => {
    const o: PairOptions = { client: { externalPsk: psk }, server: { externalPsks: select([psk]) } };
    const { client, server } = makeConfigs(o);
    const ev = await doHandshake(new ClientConnection(client), new ServerConnection(server));
    for (const side of [ev.client, ev.server]) {
      const info = infoOf(side);
      expect([info.resumed, info.peerCertificates.length, info.group === null]).toEqual([true, 0, false]);
      expect(Buffer.from(info.externalPsk as Uint8Array).toString()).toBe('client-1');
    }
    expect(seen).toContain('client-1');
  });

  it('psk_ke when the client offers only that mode: no key exchange', async () => {
    // psk_key_exchange_modes = [psk_ke] (the hook rewrites the modes the config would send).
    const onlyPskKe = (_m: unknown, exts: readonly { type: number; data: Uint8Array }[]) => exts.map((e) => (e.type === 45 ? { type: 45, data: Uint8Array.of(1, 0) } : e));
    const o: PairOptions = { client: { externalPsk: psk, allowPskOnlyResumption: true, extensionHook: onlyPskKe }, server: { externalPsks: select([psk]) } };
    const { client, server } = makeConfigs(o);
    const c = new ClientConnection(client);
    const s = new ServerConnection(server);
    const ev = await doHandshake(c, s);
    expect([infoOf(ev.client).resumed, infoOf(ev.client).group, infoOf(ev.server).group]).toEqual([true, null, null]);
    c.write(utf8('x'));
    expect(Buffer.from(dataOf((await exchange(c, s)).server)).toString()).toBe('x');
  });

  it('a SHA-384 PSK selects a SHA-384 suite; an unknown identity falls back to certificates', async () => {
    const p384: ExternalPsk = { identity: utf8('p384'), secret: new Uint8Array(48).fill(3), hash: 'SHA-384' };
    const a = makeConfigs({ client: { externalPsk: p384 }, server: { externalPsks: select([p384]) } });
    const ev = await doHandshake(new ClientConnection(a.client), new ServerConnection(a.server));
    expect(infoOf(ev.client).cipherSuite).toBe('TLS_AES_256_GCM_SHA384');
    const b = makeConfigs({ client: { externalPsk: psk }, server: { externalPsks: select([]) } });
    const ev2 = await doHandshake(new ClientConnection(b.client), new ServerConnection(b.server));
    expect(infoOf(ev2.client).resumed).toBe(false);
    expect(infoOf(ev2.client).peerCertificates.length).toBeGreaterThan(0);
  });

  it('a wrong secret fails the binder with decrypt_error', async () => {
    const wrong: ExternalPsk = { ...psk, secret: new Uint8Array(32).fill(0x43) };
    const { client, server } = makeConfigs({ client: { externalPsk: wrong }, server: { externalPsks: select([psk]) } });
    const c = new ClientConnection(client);
    const s = new ServerConnection(server);
    await exchange(c, s);
    expect([s.error?.code, s.error?.alert]).toEqual(['BAD_PSK_BINDER', 'decrypt_error']);
    expect(c.error?.alert).toBe('decrypt_error');
  });

  it('RFC 9258 imported PSKs: distinct keys per target hash, "imp binder", and no confusion with the raw key', async () => {
    const base = { identity: utf8('epsk'), secret: new Uint8Array(32).fill(9) };
    const i256 = importExternalPsk(provider, { ...base, targetHash: 'SHA-256' });
    const i384 = importExternalPsk(provider, { ...base, targetHash: 'SHA-384' });
    expect(Buffer.from(i256.secret).equals(Buffer.from(i384.secret.subarray(0, 32)))).toBe(false);
    // ImportedIdentity = external_identity<2> || context<2> || target_protocol || target_kdf.
    expect(Buffer.from(i256.identity).toString('hex')).toBe('0004' + '6570736b' + '0000' + '0304' + '0001');
    const ok = makeConfigs({ client: { externalPsk: i384 }, server: { externalPsks: select([i256, i384]) } });
    const ev = await doHandshake(new ClientConnection(ok.client), new ServerConnection(ok.server));
    expect(infoOf(ev.server).cipherSuite).toBe('TLS_AES_256_GCM_SHA384');
    // The same identity and secret used as a plain external PSK on one side: binder labels differ.
    const plain: ExternalPsk = { identity: i256.identity, secret: i256.secret, hash: 'SHA-256' };
    const bad = makeConfigs({ client: { externalPsk: i256 }, server: { externalPsks: select([plain]) } });
    const s = new ServerConnection(bad.server);
    await exchange(new ClientConnection(bad.client), s);
    expect(s.error?.code).toBe('BAD_PSK_BINDER');
  });

  it('refuses a PSK without a suite of its hash', () => {
    expect(() => makeConfigs({ client: { externalPsk: { ...psk, hash: 'SHA-384' }, cipherSuites: ['TLS_AES_128_GCM_SHA256'] } })).toThrow(/externalPsk/);
    expect(() => makeConfigs({ client: { externalPsk: { ...psk, identity: new Uint8Array(0) } } })).toThrow(/identity/);
  });
});

describe('post-handshake client authentication (RFC 8446 §4.6.2)', () => {
  const ckey = testKey('P-256');
  const pha = (client: Partial<PairOptions['client']> = {}, server: Partial<PairOptions['server']> = {}) => {
    const { client: cc, server: sc } = makeConfigs({
      client: { postHandshakeAuth: true, clientCertificate: { chain: ckey.chain, key: ckey.pkcs8 }, ...client },
      server: { clientVerifier: stubVerifier(ckey), ...server },
    });
    return { c: new ClientConnection(cc), s: new ServerConnection(sc) };
  };

  it('the server asks after the handshake and learns the certificate, with data flowing around it', async () => {
    const { c, s } = pha();
    await doHandshake(c, s);
    expect(s.postHandshakeAuthOffered).toBe(true);
    s.requestClientCertificate();
    s.write(utf8('before'));
    c.write(utf8('ping'));
    const ev = await exchange(c, s);
    const got = ev.server.find((e) => e.type === 'client_certificate');
    expect(got?.type === 'client_certificate' && [got.signatureScheme, got.peerCertificates.length]).toEqual(['ecdsa_secp256r1_sha256', 2]);
    expect(Buffer.from(dataOf(ev.server)).toString()).toBe('ping');
    // A second request on the same connection works too, after a KeyUpdate.
    c.keyUpdate(true);
    await exchange(c, s);
    s.requestClientCertificate();
    const ev2 = await exchange(c, s);
    expect(ev2.server.some((e) => e.type === 'client_certificate')).toBe(true);
    expect([c.error, s.error]).toEqual([null, null]);
  });

  it('with an asynchronous client signer', async () => {
    const inner = (await import('../src/index.js')).signerFromPrivateKey(provider, ckey.pkcs8);
    const signer = { schemes: inner.schemes, sign: async (sc: Parameters<typeof inner.sign>[0], m: Uint8Array) => inner.sign(sc, m) };
    const { c, s } = pha({ clientCertificate: { chain: ckey.chain, key: signer } });
    await doHandshake(c, s);
    s.requestClientCertificate();
    const ev = await exchange(c, s);
    expect(ev.server.some((e) => e.type === 'client_certificate')).toBe(true);
  });

  it('a client without a certificate declines with an empty one; required turns that into certificate_required', async () => {
    const a = pha({ clientCertificate: undefined });
    await doHandshake(a.c, a.s);
    a.s.requestClientCertificate();
    const ev = await exchange(a.c, a.s);
    const got = ev.server.find((e) => e.type === 'client_certificate');
    expect(got?.type === 'client_certificate' && got.peerCertificates.length).toBe(0);
    const b = pha({ clientCertificate: undefined });
    await doHandshake(b.c, b.s);
    b.s.requestClientCertificate({ required: true });
    await exchange(b.c, b.s);
    expect([b.s.error?.code, b.s.error?.alert]).toEqual(['CLIENT_CERTIFICATE_REQUIRED', 'certificate_required']);
  });

  it('is refused locally when the client did not offer it, and a request to such a client is unexpected_message', async () => {
    const { c, s } = pha({ postHandshakeAuth: false });
    await doHandshake(c, s);
    expect(() => s.requestClientCertificate()).toThrow(/post_handshake_auth/);
    const n = makeConfigs({ server: {} });
    const s2 = new ServerConnection(n.server);
    expect(() => s2.requestClientCertificate()).toThrow(/before the handshake/);
    const forced = pha({ postHandshakeAuth: false });
    await doHandshake(forced.c, forced.s);
    (forced.s as unknown as { postHandshakeAuthOffered: boolean });
    // Force the request through a server that believes the client offered it.
    Object.defineProperty(forced.s, 'postHandshakeAuthOffered', { get: () => true });
    forced.s.requestClientCertificate();
    await exchange(forced.c, forced.s);
    expect([forced.c.error?.code, forced.c.error?.alert]).toEqual(['UNEXPECTED_MESSAGE', 'unexpected_message']);
  });

  it('works over clientConfig/serverConfig used directly', () => {
    const cfg = clientConfig({ provider, now, verifier: stubVerifier(ckey), postHandshakeAuth: true });
    expect(cfg.postHandshakeAuth).toBe(true);
    expect(serverConfig({ provider, now, certificates: [{ chain: ckey.chain, key: ckey.pkcs8 }] }).ticketsAfterResumption).toBe(0);
  });
});

describe('a resumption keeps the client certificate of the handshake that issued the ticket', () => {
  const clientKey = testKey('P-256');
  const withClientAuth = (store?: boolean): PairOptions => ({
    client: { clientCertificate: { chain: clientKey.chain, key: clientKey.pkcs8 } },
    server: {
      clientAuth: 'required',
      clientVerifier: stubVerifier(clientKey),
      ...(store === true ? { sessionStore: createMemorySessionStore({ now }) } : { ticketSealer: createTicketKeys(provider, { now }) }),
    },
  });

  for (const kind of ['stateless tickets', 'a session store'] as const) {
    it(`${kind}: the resumed server reports the chain again; the client reports none`, async () => {
      const o = withClientAuth(kind === 'a session store');
      const { client, server } = makeConfigs(o);
      const first = await doHandshake(new ClientConnection(client), new ServerConnection(server));
      expect(infoOf(first.server).peerCertificates).toEqual(clientKey.chain);
      const [ticket] = ticketsOf(first.client);
      const c = new ClientConnection(client, { session: ticket as ClientTicket });
      const s = new ServerConnection(server);
      const again = await exchange(c, s);
      expect([c.error, s.error]).toEqual([null, null]);
      expect(infoOf(again.server).resumed).toBe(true);
      expect(infoOf(again.server).peerCertificates).toEqual(clientKey.chain);
      expect(infoOf(again.server).signatureScheme).toBeNull();
      expect(infoOf(again.client).peerCertificates).toEqual([]);
      // And once more from a ticket issued on the resumed connection.
      const [next] = ticketsOf(again.client);
      const third = await exchange(new ClientConnection(client, { session: next as ClientTicket }), new ServerConnection(server));
      expect(infoOf(third.server).resumed).toBe(true);
      expect(infoOf(third.server).peerCertificates).toEqual(clientKey.chain);
    });
  }

  it('without client authentication a resumption reports no chain', async () => {
    const o: PairOptions = { server: { ticketSealer: createTicketKeys(provider, { now }) } };
    const [t] = await firstTickets(o);
    const r = await resume(o, t as ClientTicket);
    expect(infoOf(r.ev.server).resumed).toBe(true);
    expect(infoOf(r.ev.server).peerCertificates).toEqual([]);
  });

  it('a client chain longer than a ticket carries gets no ticket (never a ticket without it)', async () => {
    const big = testKey('P-256');
    const padded = [...big.chain, new Uint8Array(17 * 1024).fill(0x30)];
    const verifier = { async verify() { return { ok: true as const, publicKey: big.publicKey }; } };
    const o: PairOptions = {
      client: { clientCertificate: { chain: padded, key: big.pkcs8 } },
      server: { clientAuth: 'required', clientVerifier: verifier, ticketSealer: createTicketKeys(provider, { now }) },
    };
    const { client, server } = makeConfigs(o);
    const ev = await doHandshake(new ClientConnection(client), new ServerConnection(server));
    expect(infoOf(ev.server).peerCertificates).toHaveLength(padded.length);
    expect(ticketsOf(ev.client)).toEqual([]);
  });
});

describe('when the server sends its tickets (RFC 8446 §4.6.1)', () => {
  /** Client and server up to the server's first flight: whether a ticket came with it, then the rest. */
  async function flights(o: PairOptions, session?: ClientTicket, earlyData?: Uint8Array) {
    const { client, server } = makeConfigs(o);
    const c = new ClientConnection(client, { ...(session === undefined ? {} : { session }), ...(earlyData === undefined ? {} : { earlyData }) });
    const s = new ServerConnection(server);
    transfer(c, s);
    await settle(c, s);
    transfer(s, c);
    await settle(c, s);
    const withFirstFlight: TlsEvent[] = [];
    for (let e = c.poll(); e !== null; e = c.poll()) withFirstFlight.push(e);
    const rest = await exchange(c, s);
    expect([c.error, s.error]).toEqual([null, null]);
    return { withFirstFlight, rest, ticketsFirst: ticketsOf(withFirstFlight).length, ticketsLater: ticketsOf(rest.client).length };
  }

  it('with the first flight when no client certificate is asked: the client has one as soon as it completes', async () => {
    const o: PairOptions = { server: { ticketSealer: createTicketKeys(provider, { now }) } };
    const full = await flights(o);
    expect(full.withFirstFlight.map((e) => e.type)).toEqual(['handshake_complete', 'session_ticket']);
    expect(full.ticketsLater).toBe(0);
    // The PSK the early ticket carries is the one of the transcript through the client's real Finished.
    const again = await flights(o, ticketsOf(full.withFirstFlight)[0]);
    expect(infoOf(again.withFirstFlight).resumed).toBe(true);
    expect(again.ticketsFirst).toBe(1);
  });

  it('after the client Finished when a client certificate is asked, and when 0-RTT was accepted', async () => {
    const k = testKey('P-256');
    const auth = await flights({
      client: { clientCertificate: { chain: k.chain, key: k.pkcs8 } },
      server: { clientAuth: 'required', clientVerifier: stubVerifier(k), ticketSealer: createTicketKeys(provider, { now }) },
    });
    expect([auth.ticketsFirst, auth.ticketsLater]).toEqual([0, 1]);
    const o: PairOptions = { server: { ticketSealer: createTicketKeys(provider, { now }), maxEarlyDataSize: 1000 } };
    const [t] = ticketsOf((await flights(o)).withFirstFlight);
    const zeroRtt = await flights(o, t, Uint8Array.of(1, 2, 3));
    expect(infoOf(zeroRtt.withFirstFlight).earlyDataAccepted).toBe(true);
    expect([zeroRtt.ticketsFirst, zeroRtt.ticketsLater]).toEqual([0, 1]);
  });
});

describe('resumption where a client certificate is required', () => {
  it('a ticket issued without client authentication (keys shared with an open server) gives a full handshake that asks for one', async () => {
    const keys = createTicketKeys(provider, { now });
    const k = testKey('P-256');
    const [open] = await firstTickets({ server: { ticketSealer: keys } });
    const strict: PairOptions = {
      client: { clientCertificate: { chain: k.chain, key: k.pkcs8 } },
      server: { clientAuth: 'required', clientVerifier: stubVerifier(k), ticketSealer: keys },
    };
    const r = await resume(strict, open as ClientTicket);
    expect([r.c.error, r.s.error]).toEqual([null, null]);
    expect(infoOf(r.ev.server).resumed).toBe(false);
    expect(infoOf(r.ev.server).peerCertificates.length).toBeGreaterThan(0);
    // A ticket from the strict server itself carries the client's chain and resumes there.
    const [own] = ticketsOf(r.ev.client);
    const again = await resume(strict, own as ClientTicket);
    expect(infoOf(again.ev.server).resumed).toBe(true);
    expect(infoOf(again.ev.server).peerCertificates.length).toBeGreaterThan(0);
  });
});
