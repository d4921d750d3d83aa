import { describe, expect, it } from 'vitest';
import { DtlsClientConnection, DtlsServerConnection, screenDatagram, type DtlsConnection, type DtlsEvent } from '../src/index.js';
import { Clock, configs, testKey } from './helpers/keys.js';
import { completed, SimNet } from './helpers/simnet.js';

const enc = (s: string) => new TextEncoder().encode(s);
const dataOf = (ev: DtlsEvent[]) => ev.filter((e) => e.type === 'application_data').map((e) => new TextDecoder().decode((e as { data: Uint8Array }).data));

async function pair(o: Parameters<typeof configs>[1] = {}, net: ConstructorParameters<typeof SimNet>[3] = {}) {
  const clock = new Clock();
  const { client, server } = configs(clock, o);
  const c = new DtlsClientConnection(client);
  const s = new DtlsServerConnection(server);
  const n = new SimNet(c, s, clock, net);
  await n.run(() => completed(n));
  expect(c.error).toBeNull();
  expect(s.error).toBeNull();
  expect(completed(n)).toBe(true);
  return { c, s, n, clock };
}

describe('flights at 0 % loss', () => {
  it('sends_the_minimum_number_of_datagrams_for_a_small_certificate', async () => {
    const { n } = await pair({}, { mtu: 1200 });
    await n.run(() => false, 100);
    // Client: ClientHello; Certificate-less final flight (Finished). Server: its one flight; the ACK.
    expect(n.sent[0].length).toBe(2);
    expect(n.sent[1].length).toBe(2);
  });

  it('sends_the_minimum_with_cids_and_with_a_cookie_exchange_too', async () => {
    const withCids = await pair({ client: { connectionIdLength: 4 }, server: { connectionIdLength: 8 } }, { mtu: 1200 });
    await withCids.n.run(() => false, 100);
    expect(withCids.n.sent.map((x) => x.length)).toEqual([2, 2]);
    const withCookie = await pair({ server: { cookies: { secret: new Uint8Array(32) }, connectionIdLength: 8 } }, { mtu: 1200 });
    await withCookie.n.run(() => false, 100);
    // ClientHello, ClientHello + cookie, Finished; HelloRetryRequest, flight, ACK.
    expect(withCookie.n.sent.map((x) => x.length)).toEqual([3, 3]);
    expect(withCookie.clock.t - 1_700_000_000_000).toBe(0);
  });

  it('fills_each_datagram_when_a_large_certificate_is_fragmented', async () => {
    const key = testKey();
    const big = new Uint8Array(5000).fill(7);
    const chain = [big, ...key.chain.slice(1)];
    const clock = new Clock();
    const { stubVerifier } = await import('./helpers/keys.js');
    const { client, server } = configs(clock, {
      client: { verifier: stubVerifier({ ...key, chain }), mtu: 600 },
      // Whole flights at once: this test is about packing (the §5.8.3 pacing has its own test).
      server: { certificates: [{ chain, key: key.pkcs8 }], mtu: 600, amplificationLimit: false, maxRecordsPerTransmission: Infinity },
    });
    const c = new DtlsClientConnection(client);
    const s = new DtlsServerConnection(server);
    const n = new SimNet(c, s, clock, { mtu: 600 });
    await n.run(() => completed(n));
    expect(completed(n)).toBe(true);
    await n.run(() => false, 100);
    // The server's flight is every datagram but the final ACK.
    const flight = n.sent[1].slice(0, -1);
    const total = flight.reduce((a, d) => a + d.bytes.length, 0);
    expect(flight.length).toBe(Math.ceil(total / 600));
    for (const d of flight) expect(d.bytes.length).toBeLessThanOrEqual(600);
    expect(n.sent[0].length).toBe(2);
  });
});

describe('amplification limit (RFC 9147 §5.1)', () => {
  it('sends_at_most_three_times_what_an_unproven_address_sent_and_still_completes', async () => {
    const key = testKey();
    const chain = [new Uint8Array(4000).fill(1), ...key.chain.slice(1)];
    const clock = new Clock();
    const { stubVerifier } = await import('./helpers/keys.js');
    const { client, server } = configs(clock, { client: { verifier: stubVerifier({ ...key, chain }) }, server: { certificates: [{ chain, key: key.pkcs8 }] } });
    const c = new DtlsClientConnection(client);
    const s = new DtlsServerConnection(server);
    const n = new SimNet(c, s, clock, { delay: [10, 10] });
    await n.step();
    await n.step();
    const inBytes = n.sent[0].reduce((a, d) => a + d.bytes.length, 0);
    const outBytes = n.sent[1].reduce((a, d) => a + d.bytes.length, 0);
    expect(outBytes).toBeGreaterThan(0);
    expect(outBytes).toBeLessThanOrEqual(3 * inBytes);
    await n.run(() => completed(n) || c.error !== null || s.error !== null);
    expect(completed(n)).toBe(true);
    // Each later burst stayed within three times what the client had sent by then.
    let sentIn = 0;
    let sentOut = 0;
    const all = [...n.sent[0].map((d) => ({ ...d, dir: 0 })), ...n.sent[1].map((d) => ({ ...d, dir: 1 }))].sort((a, b) => a.at - b.at || a.dir - b.dir);
    for (const d of all) {
      if (d.dir === 0) sentIn += d.bytes.length;
      else if (s.handshakeInfo === null || d.at < all.filter((x) => x.dir === 0).slice(-1)[0]!.at) {
        sentOut += d.bytes.length;
        expect(sentOut).toBeLessThanOrEqual(3 * sentIn);
      }
    }
    expect(completed(n)).toBe(true);
  });

  it('does_not_limit_after_a_cookie_exchange', async () => {
    const key = testKey();
    const chain = [new Uint8Array(4000).fill(1), ...key.chain.slice(1)];
    const clock = new Clock();
    const { stubVerifier } = await import('./helpers/keys.js');
    const { client, server } = configs(clock, {
      client: { verifier: stubVerifier({ ...key, chain }) },
      server: { certificates: [{ chain, key: key.pkcs8 }], cookies: { secret: new Uint8Array(32) } },
    });
    const c = new DtlsClientConnection(client);
    const s = new DtlsServerConnection(server);
    const n = new SimNet(c, s, clock);
    await n.run(() => completed(n));
    await n.run(() => false, 100);
    // HelloRetryRequest, the whole flight at once (4 datagrams), the ACK; no retransmission.
    expect(n.sent[1].length).toBe(6);
    expect(clock.t).toBe(1_700_000_000_000);
  });
});

describe('KeyUpdate (RFC 9147 §8)', () => {
  it('updates_both_directions_after_the_ack_and_keeps_data_flowing', async () => {
    const { c, s, n } = await pair();
    expect(c.epoch).toBe(3);
    c.keyUpdate(true);
    // The new keys wait for the ACK (RFC 9147 §8).
    expect(c.epoch).toBe(3);
    await n.run(() => false, 1000);
    expect(c.epoch).toBe(4);
    expect(s.epoch).toBe(4);
    const kinds = (ev: DtlsEvent[]) => ev.filter((e) => e.type === 'key_update').map((e) => (e as { direction: string }).direction).sort();
    expect(kinds(n.events[0])).toEqual(['read', 'write']);
    expect(kinds(n.events[1])).toEqual(['read', 'write']);
    c.send(enc('after'));
    s.send(enc('update'));
    await n.run(() => false, 1000);
    expect(dataOf(n.events[1])).toEqual(['after']);
    expect(dataOf(n.events[0])).toEqual(['update']);
    for (let i = 0; i < 5; i++) c.keyUpdate(false);
    await n.run(() => false, 10000);
    expect(c.epoch).toBe(5);
    expect(c.nextTimeout()).toBeNull();
  });
});

describe('cookies (RFC 9147 §5.1)', () => {
  it('completes_with_a_stateful_cookie_exchange', async () => {
    const secret = new Uint8Array(32).fill(9);
    const { c } = await pair({ server: { cookies: { secret } } });
    expect(c.handshakeInfo?.helloRetry).toBe(true);
  });

  it('answers_the_first_hello_statelessly_and_accepts_the_second_on_a_fresh_connection', async () => {
    const clock = new Clock();
    const secret = new Uint8Array(32).fill(3);
    const { client, server } = configs(clock, { server: { cookies: { secret } } });
    const peer = Uint8Array.of(127, 0, 0, 1, 0x30, 0x39);
    const c = new DtlsClientConnection(client);
    const ch1 = c.pullDatagram() as Uint8Array;
    const r1 = screenDatagram(server, ch1, peer, clock.t);
    expect(r1.action).toBe('reply');
    if (r1.action !== 'reply') return;
    // No amplification: the HelloRetryRequest is smaller than the ClientHello.
    expect(r1.datagrams.reduce((a, d) => a + d.length, 0)).toBeLessThan(ch1.length);
    // From another address the same cookie is worthless.
    for (const d of r1.datagrams) c.feedDatagram(d, clock.t);
    const ch2 = c.pullDatagram() as Uint8Array;
    expect(screenDatagram(server, ch2, Uint8Array.of(10, 0, 0, 9, 0, 1), clock.t).action).toBe('reply');
    expect(screenDatagram(server, ch2, peer, clock.t).action).toBe('accept');
    const s = new DtlsServerConnection(server, { peer, now: clock.t });
    const n = new SimNet(c, s, clock, {});
    s.feedDatagram(ch2, clock.t);
    await n.run(() => completed(n));
    expect(completed(n)).toBe(true);
    expect(n.events[0].find((e) => e.type === 'handshake_complete')).toMatchObject({ info: { helloRetry: true } });
  });

  it('accepts_a_cookie_from_the_previous_rotation_period_and_not_older', async () => {
    const clock = new Clock();
    const secret = new Uint8Array(32).fill(4);
    const { client, server } = configs(clock, { server: { cookies: { secret, rotation: 1000 } } });
    const peer = Uint8Array.of(1, 2, 3, 4);
    const c = new DtlsClientConnection(client);
    const r1 = screenDatagram(server, c.pullDatagram() as Uint8Array, peer, clock.t);
    if (r1.action !== 'reply') throw new Error('expected a reply');
    for (const d of r1.datagrams) c.feedDatagram(d, clock.t);
    const ch2 = c.pullDatagram() as Uint8Array;
    clock.t += 1000;
    expect(screenDatagram(server, ch2, peer, clock.t).action).toBe('accept');
    clock.t += 1000;
    expect(screenDatagram(server, ch2, peer, clock.t).action).toBe('reply');
  });
});

describe('connection IDs (RFC 9146, RFC 9147 §9)', () => {
  it('negotiates_cids_puts_them_in_every_protected_record_and_rotates_them', async () => {
    const { c, s, n } = await pair({ client: { connectionIdLength: 4 }, server: { connectionIdLength: 6 } });
    const ci = c.handshakeInfo?.connectionId;
    const si = s.handshakeInfo?.connectionId;
    expect(ci?.receive.length).toBe(4);
    expect(ci?.send.length).toBe(6);
    expect(si?.send).toEqual(ci?.receive);
    expect(si?.receive).toEqual(ci?.send);
    const before = n.sent[0].length;
    c.send(enc('with cid'));
    n.collect();
    const d = n.sent[0][before]?.bytes as Uint8Array;
    // 0b001 C=1 S=1 L=1, epoch 3, then the server's CID.
    expect(d[0]).toBe(0x3f);
    expect(d.subarray(1, 7)).toEqual(si?.receive);
    await n.run(() => false, 1000);
    expect(dataOf(n.events[1])).toEqual(['with cid']);

    // The server hands out spare CIDs; the client moves to one of them.
    const fresh = s.newConnectionIds(2, 'cid_spare');
    await n.run(() => false, 1000);
    expect(n.events[0].some((e) => e.type === 'new_connection_ids')).toBe(true);
    expect(c.rotateConnectionId()).toBe(true);
    const at = n.sent[0].length;
    c.send(enc('new path'));
    n.collect();
    expect((n.sent[0][at]?.bytes as Uint8Array).subarray(1, 7)).toEqual(fresh[0]);
    await n.run(() => false, 1000);
    expect(dataOf(n.events[1])).toEqual(['with cid', 'new path']);

    // RequestConnectionId is answered with a NewConnectionId (cid_spare).
    s.requestConnectionIds(2);
    await n.run(() => false, 1000);
    const got = n.events[1].filter((e) => e.type === 'new_connection_ids');
    expect(got.length).toBe(1);
    expect((got[0] as { cids: readonly Uint8Array[] }).cids.length).toBe(2);
    expect(c.localConnectionIds.length).toBe(3);
    expect(s.nextTimeout()).toBeNull();
  });

  it('drops_records_without_the_negotiated_cid_and_with_an_unknown_one', async () => {
    const { c, s, n } = await pair({ client: { connectionIdLength: 4 }, server: { connectionIdLength: 4 } });
    n.tamper = (to, b) => {
      if (to !== 1 || b[0] !== 0x3f) return b;
      const x = b.slice();
      x[1] = (x[1] as number) ^ 1;
      return x;
    };
    c.send(enc('lost'));
    await n.run(() => false, 1000);
    expect(dataOf(n.events[1])).toEqual([]);
    expect(s.error).toBeNull();
  });

  it('counts_only_records_newer_than_all_before_as_allowing_an_address_update', async () => {
    // RFC 9146 §6: a delayed older record (from the previous address) must not move the peer back.
    const { c, s, n, clock } = await pair({ client: { connectionIdLength: 4 }, server: { connectionIdLength: 8 } });
    await n.run(() => false, 1000);
    c.send(enc('one'));
    const older = c.pullDatagram() as Uint8Array;
    c.send(enc('two'));
    const newer = c.pullDatagram() as Uint8Array;
    const [authenticated, advanced] = [s.recordsAuthenticated, s.newerRecordsAuthenticated];
    s.feedDatagram(newer, clock.t);
    expect([s.recordsAuthenticated - authenticated, s.newerRecordsAuthenticated - advanced]).toEqual([1, 1]);
    s.feedDatagram(older, clock.t);
    expect([s.recordsAuthenticated - authenticated, s.newerRecordsAuthenticated - advanced]).toEqual([2, 1]);
    expect(s.error).toBeNull();
  });

  it('offers_an_empty_cid_by_default_and_a_server_without_cids_ignores_it', async () => {
    const { c } = await pair();
    expect(c.handshakeInfo?.connectionId).toBeNull();
  });
});

describe('close_notify', () => {
  it('closes_and_ignores_what_follows', async () => {
    const { c, s, n } = await pair();
    c.close();
    await n.run(() => false, 1000);
    expect(n.events[1].some((e) => e.type === 'peer_closed')).toBe(true);
    expect(() => c.send(enc('x'))).toThrow();
    s.send(enc('still readable'));
    await n.run(() => false, 1000);
    expect(dataOf(n.events[0])).toEqual(['still readable']);
  });
});

describe('close_notify ordering (RFC 9147 §5.10)', () => {
  it('still_delivers_a_record_numbered_before_the_close_notify_that_arrives_after_it', async () => {
    const { c, s, clock } = await pair();
    s.send(enc('last words'));
    const data = s.pullDatagram() as Uint8Array;
    s.close();
    const bye = s.pullDatagram() as Uint8Array;
    c.feedDatagram(bye, clock.t);
    c.feedDatagram(data, clock.t);
    const ev: DtlsEvent[] = [];
    for (let e = c.poll(); e; e = c.poll()) ev.push(e);
    expect(ev.map((e) => e.type)).toEqual(['peer_closed', 'application_data']);
  });
});

describe('canceling a handshake (RFC 9846 §6.1)', () => {
  /**
   * Client and server up to the client verifying the server's flight (its verifier is asynchronous);
   * `whileVerifying` runs then, before the verification settles.
   */
  async function midHandshake(whileVerifying: (c: DtlsClientConnection) => void = () => {}) {
    const clock = new Clock();
    const { client, server } = configs(clock);
    const c = new DtlsClientConnection(client);
    const s = new DtlsServerConnection(server);
    for (let d = c.pullDatagram(); d !== null; d = c.pullDatagram()) s.feedDatagram(d, clock.t);
    while (s.pending !== null) await s.pending;
    for (let d = s.pullDatagram(); d !== null; d = s.pullDatagram()) c.feedDatagram(d, clock.t);
    whileVerifying(c);
    return { c, s, clock };
  }
  const drain = (x: DtlsConnection): DtlsEvent[] => {
    const ev: DtlsEvent[] = [];
    for (let e = x.poll(); e !== null; e = x.poll()) ev.push(e);
    return ev;
  };

  it('cancel_sends_user_canceled_and_close_notify_under_handshake_keys_and_the_peer_fails_with_PEER_CANCELED', async () => {
    let waiting: unknown = null;
    const { c, s, clock } = await midHandshake((c) => {
      waiting = c.pending;
      c.cancel();
    });
    expect(waiting).not.toBeNull(); // canceled while verifying the server's certificate
    expect(c.error?.code).toBe('CANCELED');
    const bye: Uint8Array[] = [];
    for (let d = c.pullDatagram(); d !== null; d = c.pullDatagram()) bye.push(d);
    expect(bye.length).toBeGreaterThan(0);
    for (const d of bye) s.feedDatagram(d, clock.t);
    expect(s.error?.code).toBe('PEER_CANCELED');
    expect(s.error?.remote).toBe(true);
    expect(s.pullDatagram()).toBeNull(); // no alert in reply
    expect(s.nextTimeout()).toBeNull(); // and no more retransmissions
    await c.pending;
    expect(c.pullDatagram()).toBeNull(); // the verification finishing changes nothing
    expect(c.nextTimeout()).toBeNull();
  });

  it('a_close_notify_of_epoch_3_that_overtakes_the_clients_finished_lets_the_handshake_complete', async () => {
    const { c, s, clock } = await midHandshake();
    while (c.pending !== null) await c.pending;
    const finished: Uint8Array[] = [];
    for (let d = c.pullDatagram(); d !== null; d = c.pullDatagram()) finished.push(d);
    c.close();
    const bye = c.pullDatagram() as Uint8Array;
    s.feedDatagram(bye, clock.t);
    expect(s.error).toBeNull();
    for (const d of finished) s.feedDatagram(d, clock.t);
    expect(s.error).toBeNull();
    // Kept until the keys of epoch 3 are in use, it is read after the Finished.
    expect(drain(s).map((e) => e.type)).toEqual(['handshake_complete', 'peer_closed']);
  });

  it('cancel_after_the_handshake_is_close', async () => {
    const { c, n } = await pair();
    c.cancel();
    expect(c.error).toBeNull();
    await n.run(() => false, 1000);
    expect(n.events[1].map((e) => e.type)).toContain('peer_closed');
    expect(n.events[1].some((e) => e.type === 'error')).toBe(false);
  });
});

describe('retransmission timer (RFC 9147 §5.8.2)', () => {
  it('retransmits_the_client_hello_at_1_2_4_8_seconds_when_nothing_answers', () => {
    const clock = new Clock();
    const { client } = configs(clock);
    const c: DtlsConnection = new DtlsClientConnection(client);
    const t0 = clock.t;
    expect(c.pullDatagram()).not.toBeNull();
    const times: number[] = [];
    for (let i = 0; i < 5; i++) {
      const t = c.nextTimeout() as number;
      times.push(t - t0);
      c.onTimeout(t);
      expect(c.pullDatagram()).not.toBeNull();
    }
    expect(times).toEqual([1000, 3000, 7000, 15000, 31000]);
  });

  it('caps_the_timer_and_gives_up_after_max_retransmissions', () => {
    const clock = new Clock();
    const { client } = configs(clock, { client: { retransmitMax: 4000, maxRetransmissions: 4 } });
    const c = new DtlsClientConnection(client);
    const gaps: number[] = [];
    let last = clock.t;
    while (c.nextTimeout() !== null) {
      const t = c.nextTimeout() as number;
      gaps.push(t - last);
      last = t;
      c.onTimeout(t);
    }
    expect(gaps).toEqual([1000, 2000, 4000, 4000, 4000]);
    expect(c.error?.code).toBe('HANDSHAKE_TIMEOUT');
  });
});

describe('the last flight (RFC 9147 §5.8.1, §7)', () => {
  it('retransmits_the_client_finished_until_acked_and_the_server_acks_again', async () => {
    const clock = new Clock();
    const { client, server } = configs(clock);
    const c = new DtlsClientConnection(client);
    const s = new DtlsServerConnection(server);
    const n = new SimNet(c, s, clock);
    let dropAcks = 1;
    // Drop the server's first ACK of the client's final flight.
    n.tamper = (to, b) => (to === 0 && s.handshakeInfo !== null && dropAcks-- > 0 ? null : b);
    const t0 = clock.t;
    await n.run(() => completed(n));
    await n.run(() => false, 1000);
    expect(dropAcks).toBeLessThan(0);
    // The client resent its Finished one timer later and was acknowledged this time. Its ClientHello
    // was answered at once on this zero-delay network, so that timer is the RTT-based one's floor
    // (RFC 9147 §5.8.2: 1.5 × RTT, here MIN_RTT_TIMER = 100 ms) instead of the initial 1 s.
    expect(clock.t - t0).toBe(100);
    expect(c.nextTimeout()).toBeNull();
    expect(s.nextTimeout()).toBeNull();
    expect(n.sent[1].length).toBe(3);
    expect(n.sent[0].length).toBe(3);
  });

  it('reports_a_fatal_alert_from_the_peer', async () => {
    const { c, s, n } = await pair({ client: { alpnProtocols: ['a'] }, server: { alpnProtocols: ['a'] } });
    expect(c.handshakeInfo?.alpn).toBe('a');
    const clock = new Clock();
    const { client, server } = configs(clock, { client: { alpnProtocols: ['x'] }, server: { alpnProtocols: ['y'] } });
    const c2 = new DtlsClientConnection(client);
    const s2 = new DtlsServerConnection(server);
    const n2 = new SimNet(c2, s2, clock);
    await n2.run(() => c2.error !== null, 100);
    expect(s2.error?.alert).toBe('no_application_protocol');
    expect(c2.error?.code).toBe('PEER_ALERT');
    expect(c2.error?.alert).toBe('no_application_protocol');
    void s;
    void n;
  });

  it('exports_keying_material_that_both_sides_agree_on', async () => {
    const { c, s } = await pair();
    const ctx = new TextEncoder().encode('ctx');
    expect(c.exportKeyingMaterial('EXPORTER-test', ctx, 32)).toEqual(s.exportKeyingMaterial('EXPORTER-test', ctx, 32));
  });
});

describe('PMTU back-off (RFC 9147 §4.4)', () => {
  it('retransmits_in_smaller_datagrams_when_large_ones_vanish_and_completes', async () => {
    // A path whose real PMTU (400) is below the configured MTU (1200) and that sends no ICMP back:
    // every datagram above 400 bytes is lost.
    const key = testKey();
    const chain = [new Uint8Array(3000).fill(3), ...key.chain.slice(1)];
    const clock = new Clock();
    const { stubVerifier } = await import('./helpers/keys.js');
    const { client, server } = configs(clock, {
      client: { verifier: stubVerifier({ ...key, chain }) },
      server: { certificates: [{ chain, key: key.pkcs8 }], amplificationLimit: false },
    });
    const c = new DtlsClientConnection(client);
    const s = new DtlsServerConnection(server);
    const n = new SimNet(c, s, clock);
    n.tamper = (_to, bytes) => (bytes.length > 400 ? null : bytes);
    await n.run(() => completed(n) || c.error !== null || s.error !== null);
    expect(c.error).toBeNull();
    expect(s.error).toBeNull();
    expect(completed(n)).toBe(true);
    const sizes = n.sent[1].map((d) => d.bytes.length);
    // First transmission and the first two retransmissions at the configured MTU (all lost) ...
    expect(sizes.filter((x) => x > 600).length).toBeGreaterThan(0);
    // ... then 600-byte datagrams (still lost), then 300-byte ones (through).
    expect(sizes.some((x) => x > 300 && x <= 600)).toBe(true);
    expect(sizes.some((x) => x <= 300)).toBe(true);
    for (const d of n.sent[1].filter((x) => x.bytes.length <= 300)) expect(d.at - n.sent[1][0]!.at).toBeGreaterThanOrEqual(1000 + 2000 + 4000);
    // The server's flight was sent 4 times before the client's Finished arrived: 1 s + 2 s + 4 s + 8 s timers, no more.
    expect(clock.t - n.sent[1][0]!.at).toBeLessThan(1000 + 2000 + 4000 + 8000);
  });

  it('keeps_the_configured_size_for_the_first_two_retransmissions_and_never_goes_below_256', async () => {
    const { backedOffMtu } = await import('../src/flight.js');
    expect([0, 1, 2, 3, 4, 5, 9].map((r) => backedOffMtu(1200, r))).toEqual([1200, 1200, 600, 300, 256, 256, 256]);
    expect(backedOffMtu(256, 4)).toBe(256);
  });
});

describe('large flights (RFC 9147 §5.8.3)', () => {
  it('sends_at_most_10_records_per_transmission_and_the_rest_as_acks_come_in', async () => {
    const { parseDatagram } = await import('../src/record/records.js');
    const key = testKey();
    const chain = [new Uint8Array(8000).fill(5), ...key.chain.slice(1)];
    const clock = new Clock();
    const { stubVerifier } = await import('./helpers/keys.js');
    const { client, server } = configs(clock, {
      client: { verifier: stubVerifier({ ...key, chain }), mtu: 600 },
      server: { certificates: [{ chain, key: key.pkcs8 }], mtu: 600, amplificationLimit: false },
    });
    expect(server.datagram.maxRecordsPerTransmission).toBe(10);
    const c = new DtlsClientConnection(client);
    const s = new DtlsServerConnection(server);
    const n = new SimNet(c, s, clock, { mtu: 600, delay: [10, 10] });
    await n.run(() => completed(n));
    expect(c.error).toBeNull();
    expect(s.error).toBeNull();
    // Group the server's datagrams by the instant they were sent: one transmission each.
    const byTime = new Map<number, number>();
    for (const d of n.sent[1]) byTime.set(d.at, (byTime.get(d.at) ?? 0) + parseDatagram(d.bytes, 0).records.length);
    const counts = [...byTime.values()];
    // ~8 KB at 600 bytes a record is more than 10 records: several transmissions, none above 10.
    expect(counts.length).toBeGreaterThan(1);
    for (const k of counts) expect(k).toBeLessThanOrEqual(10);
    expect(counts[0]).toBe(10);
    // Nothing was lost, so nothing waited for a retransmission timer (1 s).
    expect(clock.t - n.sent[0][0]!.at).toBeLessThan(1000);
  });

  it('refuses_a_bad_maxRecordsPerTransmission', () => {
    const clock = new Clock();
    expect(() => configs(clock, { server: { maxRecordsPerTransmission: 0 } })).toThrow(RangeError);
    expect(() => configs(clock, { client: { maxRecordsPerTransmission: 2.5 } })).toThrow(/maxRecordsPerTransmission/);
  });
});

describe('RTT-based timer (RFC 9147 §5.8.2)', () => {
  it('uses_1_5_times_the_measured_rtt_once_a_flight_was_answered_without_retransmission', async () => {
    const clock = new Clock();
    const { client, server } = configs(clock);
    const c = new DtlsClientConnection(client);
    const s = new DtlsServerConnection(server);
    // 40 ms each way: an 80 ms round trip.
    const n = new SimNet(c, s, clock, { delay: [40, 40] });
    let drop = 1;
    // Lose the client's second flight (its Finished) once.
    n.tamper = (to, b) => (to === 1 && n.sent[0].length === 2 && drop-- > 0 ? null : b);
    await n.run(() => completed(n));
    expect(c.error).toBeNull();
    expect(drop).toBe(0);
    const sent = n.sent[0].map((d) => d.at);
    // ClientHello at 0, answered at 80 ms: the Finished flight's timer is 1.5 × 80 = 120 ms, not 1 s.
    expect(sent[2]! - sent[1]!).toBe(120);
  });

  it('keeps_the_timer_when_the_flight_had_to_be_retransmitted', async () => {
    const clock = new Clock();
    const { client, server } = configs(clock);
    const c = new DtlsClientConnection(client);
    const s = new DtlsServerConnection(server);
    const n = new SimNet(c, s, clock, { delay: [40, 40] });
    // Lose the first ClientHello: its answer measures no RTT (which transmission was answered?).
    let dropHello = 1;
    let dropFinished = 1;
    n.tamper = (to, b) => {
      if (to === 1 && n.sent[0].length === 1 && dropHello-- > 0) return null;
      if (to === 1 && n.sent[0].length === 3 && dropFinished-- > 0) return null;
      return b;
    };
    await n.run(() => completed(n));
    expect(c.error).toBeNull();
    const sent = n.sent[0].map((d) => d.at);
    // Hello at 0 (lost), again at 1000; Finished at 1080 (lost), again one retained timer later: the
    // new flight starts from the configured initial value, 1 s.
    expect(sent[1]! - sent[0]!).toBe(1000);
    expect(sent[3]! - sent[2]!).toBe(1000);
  });
});

describe('timer after idleness (RFC 9147 §5.8.2)', () => {
  /** After the handshake (RTT 80 ms: timer 120 ms), `idle` ms of quiet, then a KeyUpdate whose first copy is lost. */
  async function keyUpdateResendAfter(idle: number): Promise<number> {
    const { c, n, clock } = await pair({}, { delay: [40, 40] });
    await n.run(() => false, 1000); // let the last ACKs settle
    // Nothing is due: the connection hears of the time only from keyUpdate() (the config's clock).
    clock.t += idle;
    const asked = clock.t;
    const before = n.sent[0].length;
    let drop = 1;
    n.tamper = (to, b) => (to === 1 && n.sent[0].length === before + 1 && drop-- > 0 ? null : b);
    c.keyUpdate(false);
    await n.run(() => c.epoch === 4, 100_000);
    expect(drop).toBe(0);
    expect(c.epoch).toBe(4);
    const sent = n.sent[0].slice(before).map((d) => d.at);
    // Sent when asked; its timer runs from then, not from the last datagram before the pause (which
    // put the deadline in the past and resent it at once).
    expect(sent[0]).toBe(asked);
    return sent[1]! - sent[0]!;
  }

  it('keeps_the_measured_timer_after_a_short_pause', async () => {
    expect(await keyUpdateResendAfter(500)).toBe(120);
  });

  it('starts_again_from_the_initial_timer_after_ten_timers_of_idleness', async () => {
    expect(await keyUpdateResendAfter(5000)).toBe(1000);
  });
});

