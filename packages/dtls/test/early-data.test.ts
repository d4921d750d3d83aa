/**
 * 0-RTT over DTLS 1.3 (RFC 9147 §5.6, §6.1; RFC 8446 §4.2.10, §8): early data in epoch 1 right after
 * the ClientHello, accepted and delivered once before the server's handshake completes, with no
 * EndOfEarlyData on the wire; refused by policy (max_early_data_size 0, anti-replay with a strike
 * register or a session store) with the client told and nothing delivered; duplicated early
 * datagrams dropped by the epoch-1 replay window; over a lossy network delivered at most once and
 * never retransmitted; past max_early_data_size an unexpected_message; with stateless cookies the
 * exchange is skipped for accepted 0-RTT (RFC 9147 §5.1) and kept for refused 0-RTT.
 */
import type { CryptoProvider } from '@puretls/crypto';
import { createMemorySessionStore, createTicketSealer, type ClientTicket } from '@puretls/tls';
import { describe, expect, it } from 'vitest';
import {
  DtlsClientConnection, DtlsServerConnection, screenDatagram, type DtlsClientConfig, type DtlsEvent, type DtlsServerConfig, type DtlsServerConfigOptions, type DtlsTrace,
} from '../src/index.js';
import { Clock, configs, provider } from './helpers/keys.js';
import { completed, SimNet } from './helpers/simnet.js';

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
const dec = (b: Uint8Array): string => new TextDecoder().decode(b);
const early = (ev: DtlsEvent[]): string[] => ev.filter((e) => e.type === 'early_data').map((e) => dec((e as { data: Uint8Array }).data));
const rejections = (ev: DtlsEvent[]): DtlsEvent[] => ev.filter((e) => e.type === 'early_data_rejected');
const tickets = (ev: DtlsEvent[]): ClientTicket[] => ev.filter((e) => e.type === 'session_ticket').map((e) => (e as { ticket: ClientTicket }).ticket);
/** The unified header's epoch bits (RFC 9147 §4: 0b001CSLEE); null for a DTLSPlaintext record. */
const epochBits = (d: Uint8Array): number | null => (((d[0] as number) & 0xe0) === 0x20 ? (d[0] as number) & 3 : null);

interface Setup {
  clock: Clock;
  client: DtlsClientConfig;
  server: DtlsServerConfig;
  ticket: ClientTicket;
  traces: DtlsTrace[];
}

/** A first, full handshake whose server allows 0-RTT in its tickets; returns a ticket that allows it. */
async function withTicket(server: Partial<DtlsServerConfigOptions> = {}): Promise<Setup> {
  const clock = new Clock();
  const traces: DtlsTrace[] = [];
  const { client, server: srv } = configs(clock, {
    server: { ticketSealer: createTicketSealer(provider, new Uint8Array(32).fill(7)), ticketsPerHandshake: 2, maxEarlyDataSize: 1000, trace: (t) => traces.push(t), ...server },
  });
  const n = new SimNet(new DtlsClientConnection(client), new DtlsServerConnection(srv), clock);
  await n.run(() => completed(n) && tickets(n.events[0]).length === 2);
  const ticket = tickets(n.events[0])[0]!;
  expect(ticket.maxEarlyDataSize).toBe(1000);
  traces.length = 0;
  return { clock, client, server: srv, ticket, traces };
}

describe('0-RTT over DTLS 1.3', () => {
  it('delivers_accepted_early_data_once_in_epoch_1_before_the_server_completes', async () => {
    const { clock, client, server, ticket, traces } = await withTicket();
    const c = new DtlsClientConnection(client, { session: ticket, earlyData: [enc('first'), enc('second')] });
    const s = new DtlsServerConnection(server);
    const n = new SimNet(c, s, clock);
    await n.run(() => completed(n));
    expect(c.error).toBeNull();
    expect(s.error).toBeNull();
    expect(c.handshakeInfo!.earlyDataAccepted).toBe(true);
    expect(s.handshakeInfo!.earlyDataAccepted).toBe(true);
    expect(c.handshakeInfo!.resumed).toBe(true);
    // Delivered once each, in order here, and before the server's handshake completed.
    const ev = n.events[1].map((e) => e.type);
    expect(early(n.events[1])).toEqual(['first', 'second']);
    expect(ev.lastIndexOf('early_data')).toBeLessThan(ev.indexOf('handshake_complete'));
    expect(rejections(n.events[0])).toHaveLength(0);
    // The client sent the ClientHello in clear, then one datagram per early message in epoch 1 (§6.1).
    const first = n.sent[0].slice(0, 3).map((d) => epochBits(d.bytes));
    expect(first).toEqual([null, 1, 1]);
    expect(n.sent[0].filter((d) => epochBits(d.bytes) === 1)).toHaveLength(2);
    // RFC 9147 §5.6: no EndOfEarlyData on the wire (the Finished verified, so it is not in either transcript).
    const serverSaw = traces.filter((t): t is Extract<DtlsTrace, { kind: 'record' }> => t.kind === 'record' && t.direction === 'received');
    expect(serverSaw.flatMap((t) => t.fragments ?? []).map((f) => f.type)).toEqual(expect.arrayContaining([1, 20]));
    expect(serverSaw.flatMap((t) => t.fragments ?? []).some((f) => f.type === 5)).toBe(false);
    expect(serverSaw.filter((t) => t.epoch === 1).map((t) => [t.contentType, t.contentLength])).toEqual([[23, 5], [23, 6]]);
    // Both sides derived the same early exporter, and the traffic keys after it.
    const ctx = enc('ctx');
    expect(Buffer.from(c.exportEarlyKeyingMaterial('EXPERIMENTAL e', ctx, 32))).toEqual(Buffer.from(s.exportEarlyKeyingMaterial('EXPERIMENTAL e', ctx, 32)));
    c.send(enc('after'));
    await n.run(() => n.events[1].some((e) => e.type === 'application_data'), 1000);
    expect(n.events[1].filter((e) => e.type === 'application_data').map((e) => dec((e as { data: Uint8Array }).data))).toEqual(['after']);
    expect(early(n.events[1])).toEqual(['first', 'second']);
  });

  it('sends_early_data_right_behind_the_client_hello_when_the_provider_makes_the_first_flight_wait', async () => {
    const { clock, server, ticket } = await withTicket();
    // A provider still loading (the lazy noble provider's first connection): prepare() answers with a Promise.
    const slow: CryptoProvider = { ...provider, prepare: () => new Promise((resolve) => setTimeout(resolve, 1)) };
    const { client } = configs(clock, { client: { provider: slow } });
    const c = new DtlsClientConnection(client, { session: ticket, earlyData: [enc('first'), enc('second')] });
    expect(c.state).toBe('Waiting:Provider');
    expect(c.pullDatagram()).toBeNull();
    const n = new SimNet(c, new DtlsServerConnection(server), clock);
    await n.run(() => completed(n));
    expect(c.handshakeInfo!.earlyDataAccepted).toBe(true);
    expect(early(n.events[1])).toEqual(['first', 'second']);
    expect(n.sent[0].slice(0, 3).map((d) => epochBits(d.bytes))).toEqual([null, 1, 1]);
  });

  it('sends_no_early_data_when_a_hello_retry_request_fed_during_the_first_flight_wait_ended_0rtt', async () => {
    const { clock, ticket, server } = await withTicket();
    // A HelloRetryRequest for another group, taken from a server that wants secp256r1 only.
    const hrrServer = configs(clock, { server: { ticketSealer: server.ticketSealer!, maxEarlyDataSize: 1000, groups: ['secp256r1'] } }).server;
    const probe = new DtlsClientConnection(configs(clock).client, { session: ticket, earlyData: [enc('x')] });
    const s = new DtlsServerConnection(hrrServer);
    for (let d = probe.pullDatagram(); d !== null; d = probe.pullDatagram()) s.feedDatagram(d, clock.t);
    await s.pending;
    const hrr: Uint8Array[] = [];
    for (let d = s.pullDatagram(); d !== null; d = s.pullDatagram()) hrr.push(d);
    expect(hrr.length).toBeGreaterThan(0);
    // The first prepare() waits (a lazy provider's first connection); the HRR arrives meanwhile.
    let first = true;
    const onceSlow: CryptoProvider = { ...provider, prepare: () => (first ? ((first = false), new Promise<void>((resolve) => setTimeout(resolve, 1))) : undefined) };
    const c = new DtlsClientConnection(configs(clock, { client: { provider: onceSlow } }).client, { session: ticket, earlyData: [enc('first')] });
    expect(c.state).toBe('Waiting:Provider');
    const escaped: unknown[] = [];
    const onEscape = (e: unknown): void => void escaped.push(e);
    process.on('unhandledRejection', onEscape);
    try {
      for (const d of hrr) c.feedDatagram(d, clock.t);
      await c.pending;
      await new Promise((resolve) => setTimeout(resolve, 10));
    } finally {
      process.off('unhandledRejection', onEscape);
    }
    // No exception escaped the wait; the HRR was answered with a second ClientHello, and 0-RTT was
    // reported refused, with no record in epoch 1.
    expect(escaped).toEqual([]);
    expect(c.error).toBeNull();
    const events: DtlsEvent[] = [];
    for (let e = c.poll(); e !== null; e = c.poll()) events.push(e);
    expect(rejections(events)).toHaveLength(1);
    const out: (number | null)[] = [];
    for (let d = c.pullDatagram(); d !== null; d = c.pullDatagram()) out.push(epochBits(d));
    expect(out).not.toContain(1);
    expect(out.filter((e) => e === null).length).toBeGreaterThanOrEqual(2);
  });

  it('defers_close_notify_to_the_end_of_the_handshake_when_close_comes_before_it_with_or_without_a_first_flight_wait', async () => {
    const { clock, ticket, server } = await withTicket();
    const slow: CryptoProvider = { ...provider, prepare: () => new Promise((resolve) => setTimeout(resolve, 1)) };
    const waiting = configs(clock, { client: { provider: slow } }).client;
    const immediate = configs(clock).client;
    const kinds = (c: DtlsClientConnection): (number | string)[] => {
      const out: (number | string)[] = [];
      for (let d = c.pullDatagram(); d !== null; d = c.pullDatagram()) out.push(epochBits(d) === 1 ? 'epoch 1' : (d[0] as number));
      return out;
    };
    for (const earlyData of [undefined, [enc('first')]]) {
      const options = earlyData === undefined ? {} : { session: ticket, earlyData };
      const c = new DtlsClientConnection(waiting, options);
      c.close();
      expect(c.pullDatagram()).toBeNull();
      expect(() => c.send(enc('late'))).toThrow('send after close()');
      c.close(); // once only
      await c.pending;
      await new Promise((resolve) => setTimeout(resolve, 0));
      const got = kinds(c);
      const without = new DtlsClientConnection(immediate, options);
      without.close();
      expect(got).toEqual(kinds(without));
      // The ClientHello (and the early record): no close_notify yet, which the server would take as
      // the end of everything, the rest of the handshake included (RFC 8446 §6.1).
      expect(got).toEqual(earlyData === undefined ? [22] : [22, 'epoch 1']);
      expect(c.error).toBeNull();
    }
    // Carried through: the handshake completes, then the server sees the close_notify.
    const c = new DtlsClientConnection(immediate, { session: ticket, earlyData: [enc('first')] });
    c.close();
    const n = new SimNet(c, new DtlsServerConnection(server), clock);
    await n.run(() => n.events[1].some((e) => e.type === 'peer_closed'));
    expect(n.events[1].map((e) => e.type)).toEqual(expect.arrayContaining(['handshake_complete', 'peer_closed']));
    expect(n.events[1].findIndex((e) => e.type === 'handshake_complete')).toBeLessThan(n.events[1].findIndex((e) => e.type === 'peer_closed'));
    expect(early(n.events[1])).toEqual(['first']);
    expect([c.error, n.peers[1].error]).toEqual([null, null]);
  });

  it('keeps_early_datagrams_that_arrive_before_the_client_hello_and_drops_duplicates_by_the_replay_window', async () => {
    const { clock, client, server, ticket, traces } = await withTicket();
    const c = new DtlsClientConnection(client, { session: ticket, earlyData: [enc('a'), enc('b')] });
    const s = new DtlsServerConnection(server);
    const out: Uint8Array[] = [];
    for (let d = c.pullDatagram(); d !== null; d = c.pullDatagram()) out.push(d);
    expect(out.map(epochBits)).toEqual([null, 1, 1]);
    const [hello, a, b] = out as [Uint8Array, Uint8Array, Uint8Array];
    // Reordered: the early records come first (kept for the epoch whose keys the hello brings), then
    // the hello, then each early datagram again (an attacker's or the network's copies).
    s.feedDatagram(b, clock.t);
    s.feedDatagram(a, clock.t);
    s.feedDatagram(hello, clock.t);
    s.feedDatagram(a, clock.t);
    s.feedDatagram(b, clock.t);
    s.feedDatagram(b, clock.t);
    const got: DtlsEvent[] = [];
    for (let e = s.poll(); e !== null; e = s.poll()) got.push(e);
    expect(s.error).toBeNull();
    expect(early(got).sort()).toEqual(['a', 'b']);
    expect(traces.filter((t) => t.kind === 'dropped').map((t) => (t as { reason: string }).reason)).toEqual(['replay', 'replay', 'replay']);
    const n = new SimNet(c, s, clock);
    await n.run(() => completed(n));
    expect(c.handshakeInfo!.earlyDataAccepted).toBe(true);
    expect(early([...got, ...n.events[1]]).sort()).toEqual(['a', 'b']);
  });

  it('refuses_by_policy_when_the_server_takes_no_early_data_and_tells_the_client', async () => {
    const { clock, client, ticket } = await withTicket();
    // Same ticket key, but this server accepts no 0-RTT (maxEarlyDataSize 0).
    const traces: DtlsTrace[] = [];
    const { server } = configs(clock, { server: { ticketSealer: createTicketSealer(provider, new Uint8Array(32).fill(7)), trace: (t) => traces.push(t) } });
    const c = new DtlsClientConnection(client, { session: ticket, earlyData: [enc('secret order'), enc('again')] });
    const s = new DtlsServerConnection(server);
    const n = new SimNet(c, s, clock);
    await n.run(() => completed(n));
    expect(c.error).toBeNull();
    expect(s.error).toBeNull();
    expect(c.handshakeInfo!.resumed).toBe(true);
    expect(c.handshakeInfo!.earlyDataAccepted).toBe(false);
    expect(s.handshakeInfo!.earlyDataAccepted).toBe(false);
    expect(rejections(n.events[0])).toEqual([{ type: 'early_data_rejected' }]);
    expect(rejections(n.events[1])).toEqual([{ type: 'early_data_rejected', reason: 'disabled' }]);
    expect(early(n.events[1])).toEqual([]);
    expect(n.events[1].some((e) => e.type === 'application_data')).toBe(false);
    // RFC 9147 §6.1, §4.5.2: epoch-1 records without keys fail deprotection and are dropped silently.
    expect(traces.filter((t) => t.kind === 'dropped').map((t) => [(t as { reason: string }).reason, (t as { epochBits: number }).epochBits])).toEqual([
      ['early_data_rejected', 1],
      ['early_data_rejected', 1],
    ]);
    // The association works: data after the handshake goes through.
    c.send(enc('resent'));
    await n.run(() => n.events[1].some((e) => e.type === 'application_data'), 1000);
    expect(n.events[1].filter((e) => e.type === 'application_data')).toHaveLength(1);
  });

  // RFC 8446 §8.2: a strike register refuses a binder seen before; §8.1: a stored ticket is used once,
  // so its replay names a PSK the server no longer has.
  it.each([
    ['a strike register (ticket sealer)', {}, 'replay'],
    ['a session store', { ticketSealer: undefined, sessionStore: createMemorySessionStore() }, 'no_psk'],
  ] as const)('refuses_a_replayed_client_hello_with_its_early_data_under_%s', async (_name, extra, reason) => {
    const { clock, client, server, ticket } = await withTicket(extra as Partial<DtlsServerConfigOptions>);
    const c = new DtlsClientConnection(client, { session: ticket, earlyData: enc('pay 100') });
    const s = new DtlsServerConnection(server);
    const n = new SimNet(c, s, clock);
    await n.run(() => completed(n));
    expect(early(n.events[1])).toEqual(['pay 100']);
    // An attacker replays the client's first datagrams (ClientHello and early data) to the same server.
    const captured = n.sent[0].slice(0, 2).map((d) => d.bytes);
    expect(captured.map(epochBits)).toEqual([null, 1]);
    const replay = new DtlsServerConnection(server);
    for (const d of captured) replay.feedDatagram(d, clock.t);
    const got: DtlsEvent[] = [];
    for (let e = replay.poll(); e !== null; e = replay.poll()) got.push(e);
    expect(replay.error).toBeNull();
    expect(early(got)).toEqual([]);
    expect(rejections(got)).toEqual([{ type: 'early_data_rejected', reason }]);
    // The replayed hello gets a normal 1-RTT answer, which the attacker cannot finish.
    expect(replay.pullDatagram()).not.toBeNull();
  });

  it('aborts_with_unexpected_message_past_max_early_data_size', async () => {
    const { clock, client, ticket } = await withTicket();
    // The limit is the ticket's (1000, what the client was told, RFC 9846 §4.7.1), not this config's.
    const { server } = configs(clock, { server: { ticketSealer: createTicketSealer(provider, new Uint8Array(32).fill(7)), maxEarlyDataSize: 64 } });
    // A client that ignores the ticket's limit (here: a forged limit) sends 3 × 400 bytes.
    const lying = { ...ticket, maxEarlyDataSize: 100000 };
    const c = new DtlsClientConnection(client, { session: lying, earlyData: [new Uint8Array(400), new Uint8Array(400), new Uint8Array(400)] });
    const s = new DtlsServerConnection(server);
    const n = new SimNet(c, s, clock);
    await n.run(() => s.error !== null && c.error !== null, 10_000);
    // RFC 8446 §4.2.10: more than max_early_data_size of 0-RTT is an unexpected_message.
    expect(s.error?.code).toBe('TOO_MUCH_EARLY_DATA');
    expect(s.error?.alert).toBe('unexpected_message');
    expect(c.error?.code).toBe('PEER_ALERT');
    expect(c.error?.alert).toBe('unexpected_message');
    expect(early(n.events[1])).toHaveLength(2);
  });

  it('delivers_early_data_at_most_once_and_never_retransmits_it_over_a_lossy_network', async () => {
    const { ticket, client, server } = await withTicket();
    const sent = Array.from({ length: 12 }, (_, i) => `early-${i}`);
    let someLost = 0;
    let clientHelloResent = 0;
    for (let seed = 1; seed <= 12; seed++) {
      const clock = new Clock(1_700_000_000_000 + seed);
      const c = new DtlsClientConnection(client, { session: ticket, earlyData: sent.map(enc), now: clock.t });
      const s = new DtlsServerConnection(server, { now: clock.t });
      const n = new SimNet(c, s, clock, { loss: 0.3, reorder: 0.3, duplicate: 0.2, delay: [5, 40], seed });
      await n.run(() => completed(n));
      expect(c.error).toBeNull();
      expect(s.error).toBeNull();
      // Semantics: each early datagram is delivered at most once, unaltered, and only if it was sent;
      // DTLS does not retransmit it (it is application data): exactly one transmission each.
      const got = early(n.events[1]);
      expect(new Set(got).size).toBe(got.length);
      for (const g of got) expect(sent).toContain(g);
      expect(n.sent[0].filter((d) => epochBits(d.bytes) === 1)).toHaveLength(sent.length);
      if (got.length < sent.length) someLost++;
      if (n.sent[0].filter((d) => epochBits(d.bytes) === null).length > 1) clientHelloResent++;
      // The 0-RTT outcome is what the server decided, lost datagrams or not.
      expect(c.handshakeInfo!.earlyDataAccepted).toBe(s.handshakeInfo!.earlyDataAccepted);
      if (s.handshakeInfo!.earlyDataAccepted) expect(rejections(n.events[0])).toHaveLength(0);
    }
    // The network did lose early datagrams and ClientHellos in some runs.
    expect(someLost).toBeGreaterThan(0);
    expect(clientHelloResent).toBeGreaterThan(0);
  });

  it('skips_the_cookie_exchange_for_accepted_0rtt_and_keeps_it_when_0rtt_is_refused', async () => {
    const { clock, client, server, ticket } = await withTicket({ cookies: { secret: new Uint8Array(32).fill(2) } });
    const peer = enc('192.0.2.1|5684');
    const c = new DtlsClientConnection(client, { session: ticket, earlyData: enc('no cookie needed') });
    const hello = c.pullDatagram()!;
    // The stateless screen hands a 0-RTT hello to a connection instead of answering it.
    expect(screenDatagram(server, hello, peer, clock.t)).toEqual({ action: 'accept' });
    const s = new DtlsServerConnection(server, { peer });
    s.feedDatagram(hello, clock.t);
    const n = new SimNet(c, s, clock);
    await n.run(() => completed(n));
    expect(c.handshakeInfo!.helloRetry).toBe(false);
    expect(c.handshakeInfo!.earlyDataAccepted).toBe(true);
    expect(early(n.events[1])).toEqual(['no cookie needed']);

    // The same hello replayed: 0-RTT refused, so the connection asks for a cookie (a HelloRetryRequest).
    const replay = new DtlsServerConnection(server, { peer });
    replay.feedDatagram(hello, clock.t);
    const answer = replay.pullDatagram()!;
    expect(Buffer.from(answer.subarray(27, 31)).toString('hex')).toBe('cf21ad74'); // RFC 8446 §4.1.3 HRR random
    expect(rejections([replay.poll()!])).toEqual([{ type: 'early_data_rejected', reason: 'replay' }]);

    // A stale ticket age (RFC 8446 §8.3): refused, cookie exchange, the client's second ClientHello goes
    // in epoch 0 without early_data, the resumption completes and the client is told.
    const stale = { ...ticket, receivedAt: ticket.receivedAt - 60_000 };
    const c2 = new DtlsClientConnection(client, { session: stale, earlyData: enc('late') });
    const s2 = new DtlsServerConnection(server, { peer });
    const n2 = new SimNet(c2, s2, clock);
    await n2.run(() => completed(n2));
    expect(c2.error).toBeNull();
    expect(c2.handshakeInfo!.helloRetry).toBe(true);
    expect(c2.handshakeInfo!.resumed).toBe(true);
    expect(c2.handshakeInfo!.earlyDataAccepted).toBe(false);
    expect(rejections(n2.events[0])).toEqual([{ type: 'early_data_rejected' }]);
    expect(rejections(n2.events[1])).toEqual([{ type: 'early_data_rejected', reason: 'stale' }]);
    expect(early(n2.events[1])).toEqual([]);
    expect(n2.sent[0].map((d) => epochBits(d.bytes)).slice(0, 3)).toEqual([null, 1, null]);
  });

  it('refuses_an_end_of_early_data_or_any_handshake_message_in_epoch_1', async () => {
    const { clock, client, server, ticket } = await withTicket();
    // A client that sends TLS's EndOfEarlyData in epoch 1 (RFC 9147 §5.6: DTLS omits it).
    class TlsMinded extends DtlsClientConnection {
      endOfEarlyData(): void {
        // DTLSHandshake: type 5, length 0, message_seq 1, fragment_offset 0, fragment_length 0.
        this.records.append(1, 22, Uint8Array.of(5, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0));
        this.records.flush();
      }
    }
    const c = new TlsMinded(client, { session: ticket, earlyData: enc('x') });
    c.endOfEarlyData();
    const s = new DtlsServerConnection(server);
    for (let d = c.pullDatagram(); d !== null; d = c.pullDatagram()) s.feedDatagram(d, clock.t);
    expect(s.error?.code).toBe('UNEXPECTED_MESSAGE');
    expect(s.error?.alert).toBe('unexpected_message');
  });

  it('checks_the_earlyData_option', async () => {
    const { client, ticket } = await withTicket();
    expect(() => new DtlsClientConnection(client, { earlyData: enc('x') })).toThrow(TypeError);
    expect(() => new DtlsClientConnection(client, { session: { ...ticket, maxEarlyDataSize: 0 }, earlyData: enc('x') })).toThrow(TypeError);
    expect(() => new DtlsClientConnection(client, { session: ticket, earlyData: new Uint8Array(1001) })).toThrow(RangeError);
    expect(() => new DtlsClientConnection(client, { session: { ...ticket, maxEarlyDataSize: 5000 }, earlyData: new Uint8Array(1300) })).toThrow(RangeError);
    expect(() => new DtlsClientConnection(client, { session: ticket, earlyData: ['text'] as unknown as Uint8Array[] })).toThrow(TypeError);
    const c = new DtlsClientConnection(client, { session: ticket });
    expect(() => c.exportEarlyKeyingMaterial('x', new Uint8Array(0), 8)).toThrow(/without 0-RTT/);
  });
});
