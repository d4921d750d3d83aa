/**
 * Hostile datagrams (RFC 9147 §4.5.2): truncated headers, bad lengths, records from unknown epochs,
 * replays, forgeries, random bytes and inconsistent fragments are discarded (or fail the handshake
 * where the RFC says so) — never an exception, and buffers stay bounded.
 */
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { DtlsClientConnection, DtlsServerConnection, type DtlsEvent } from '../src/index.js';
import { encodeFragment } from '../src/handshake/framing.js';
import { encodePlaintext } from '../src/record/records.js';
import { Clock, configs } from './helpers/keys.js';
import { completed, SimNet } from './helpers/simnet.js';

const enc = (s: string) => new TextEncoder().encode(s);
const drain = (c: { poll(): DtlsEvent | null }) => {
  const out: DtlsEvent[] = [];
  for (let e = c.poll(); e; e = c.poll()) out.push(e);
  return out;
};
const appData = (ev: DtlsEvent[]) => ev.filter((e) => e.type === 'application_data').map((e) => new TextDecoder().decode((e as { data: Uint8Array }).data));

async function connected() {
  const clock = new Clock();
  const { client, server } = configs(clock);
  const c = new DtlsClientConnection(client);
  const s = new DtlsServerConnection(server);
  const net = new SimNet(c, s, clock);
  await net.run(() => completed(net));
  await net.run(() => false, 100);
  return { c, s, net, clock };
}

describe('hostile datagrams', () => {
  it('ignores_every_truncation_of_a_client_hello_and_still_answers_the_whole_one', () => {
    const clock = new Clock();
    const { client, server } = configs(clock);
    const ch = new DtlsClientConnection(client).pullDatagram() as Uint8Array;
    const s = new DtlsServerConnection(server);
    for (let n = 0; n < ch.length; n++) s.feedDatagram(ch.subarray(0, n), clock.t);
    expect(s.error).toBeNull();
    expect(s.pullDatagram()).toBeNull();
    s.feedDatagram(ch, clock.t);
    expect(s.error).toBeNull();
    expect(s.pullDatagram()).not.toBeNull();
  });

  it('survives_truncated_and_length_mangled_protected_records', async () => {
    const { c, s, net, clock } = await connected();
    const at = net.sent[0].length;
    c.send(enc('real'));
    const d = c.pullDatagram() as Uint8Array;
    void at;
    for (let n = 0; n < d.length; n++) s.feedDatagram(d.subarray(0, n), clock.t);
    for (let i = 0; i < 64; i++) {
      const x = d.slice();
      // Length field of the unified header (flags, 2-byte sequence number, then the length).
      x[3] = i;
      x[4] = (i * 37) & 0xff;
      s.feedDatagram(x, clock.t);
    }
    expect(s.error).toBeNull();
    expect(appData(drain(s))).toEqual([]);
    s.feedDatagram(d, clock.t);
    expect(appData(drain(s))).toEqual(['real']);
  });

  it('delivers_a_replayed_record_once', async () => {
    const { c, s, clock } = await connected();
    c.send(enc('once'));
    const d = c.pullDatagram() as Uint8Array;
    for (let i = 0; i < 5; i++) s.feedDatagram(d, clock.t);
    expect(appData(drain(s))).toEqual(['once']);
    expect(s.error).toBeNull();
  });

  it('drops_forgeries_silently_without_alerting', async () => {
    const { c, s, clock } = await connected();
    c.send(enc('genuine'));
    const d = c.pullDatagram() as Uint8Array;
    for (let i = 5; i < d.length; i++) {
      const x = d.slice();
      x[i] = (x[i] as number) ^ 0x40;
      s.feedDatagram(x, clock.t);
    }
    expect(s.error).toBeNull();
    expect(s.pullDatagram()).toBeNull();
    s.feedDatagram(d, clock.t);
    expect(appData(drain(s))).toEqual(['genuine']);
  });

  it('closes_after_too_many_forgeries_when_a_limit_is_set', async () => {
    const clock = new Clock();
    const { client, server } = configs(clock, { server: { maxForgeryAttempts: 3 } });
    const c = new DtlsClientConnection(client);
    const s = new DtlsServerConnection(server);
    const net = new SimNet(c, s, clock);
    await net.run(() => completed(net));
    c.send(enc('x'));
    const d = c.pullDatagram() as Uint8Array;
    for (let i = 0; i < 4; i++) {
      const x = d.slice();
      x[x.length - 1] = (x[x.length - 1] as number) ^ (i + 1);
      s.feedDatagram(x, clock.t);
    }
    expect(s.error?.code).toBe('TOO_MANY_FORGERIES');
  });

  it('keeps_records_of_unknown_epochs_bounded_and_never_fails_on_them', async () => {
    const { s, clock } = await connected();
    for (let i = 0; i < 1000; i++) {
      // Epoch bits 1 (no such epoch: 0-RTT is not used), 16-bit sequence number, length.
      const body = randomBytes(40);
      s.feedDatagram(Uint8Array.from([0x2d, i >> 8, i & 0xff, 0, 40, ...body]), clock.t);
    }
    expect(s.error).toBeNull();
  });

  it('ignores_random_datagrams_in_every_state', async () => {
    const clock = new Clock();
    const { client, server } = configs(clock);
    const fresh = new DtlsServerConnection(server);
    const { c, s } = await connected();
    for (let i = 0; i < 3000; i++) {
      const b = new Uint8Array(randomBytes(1 + (i % 300)));
      // Bias towards the interesting first bytes: plaintext types and unified headers.
      if (i % 3 === 0) b[0] = [21, 22, 26, 0x2f, 0x3f, 0x23][i % 6] as number;
      for (const x of [fresh, c, s]) {
        expect(() => x.feedDatagram(b, clock.t)).not.toThrow();
      }
    }
    expect(c.error).toBeNull();
    expect(s.error).toBeNull();
  });

  it('never_lets_a_spoofed_cleartext_hello_disturb_an_established_association', async () => {
    const { c, s, clock } = await connected();
    for (let seq = 0; seq < 20; seq++) {
      const frag = encodeFragment(2, 40, seq, 0, new Uint8Array(40).fill(seq));
      c.feedDatagram(encodePlaintext(22, 0, seq, frag), clock.t);
      s.feedDatagram(encodePlaintext(22, 0, seq, encodeFragment(1, 40, seq, 0, new Uint8Array(40))), clock.t);
    }
    expect(c.error).toBeNull();
    expect(s.error).toBeNull();
    c.send(enc('fine'));
    s.feedDatagram(c.pullDatagram() as Uint8Array, clock.t);
    expect(appData(drain(s))).toEqual(['fine']);
  });

  it('fails_the_handshake_with_illegal_parameter_on_inconsistent_overlapping_fragments', () => {
    const clock = new Clock();
    const { client, server } = configs(clock);
    const ch = new DtlsClientConnection(client).pullDatagram() as Uint8Array;
    // The ClientHello's body, re-fragmented: [0, 60) then [40, len) with one changed byte in the overlap.
    const body = ch.subarray(13 + 12);
    const len = body.length;
    const a = encodeFragment(1, len, 0, 0, body.subarray(0, 60));
    const tail = body.slice(40);
    tail[5] = (tail[5] as number) ^ 0xff;
    const b = encodeFragment(1, len, 0, 40, tail);
    const s = new DtlsServerConnection(server);
    s.feedDatagram(encodePlaintext(22, 0, 0, a), clock.t);
    expect(s.error).toBeNull();
    s.feedDatagram(encodePlaintext(22, 0, 1, b), clock.t);
    expect(s.error?.code).toBe('INCONSISTENT_FRAGMENT');
    expect(s.error?.alert).toBe('illegal_parameter');
    // The fatal alert went out in the clear (no keys yet).
    const alert = s.pullDatagram() as Uint8Array;
    expect(Array.from(alert.subarray(0, 1))).toEqual([21]);
    expect(Array.from(alert.subarray(13))).toEqual([2, 47]);
  });

  it('fails_a_handshake_message_announcing_more_than_the_limit', () => {
    const clock = new Clock();
    const { server } = configs(clock);
    const s = new DtlsServerConnection(server);
    s.feedDatagram(encodePlaintext(22, 0, 0, encodeFragment(1, 10_000_000, 0, 0, new Uint8Array(10))), clock.t);
    expect(s.error?.code).toBe('HANDSHAKE_MESSAGE_TOO_LARGE');
  });

  it('refuses_a_non_empty_legacy_cookie_with_illegal_parameter', () => {
    const clock = new Clock();
    const { client, server } = configs(clock);
    const ch = new DtlsClientConnection(client).pullDatagram() as Uint8Array;
    const body = ch.subarray(25);
    // legacy_version(2) random(32) session_id(1 + 0) then legacy_cookie<0..255>.
    const at = 2 + 32 + 1;
    const mutated = Uint8Array.from([...body.subarray(0, at), 1, 0x42, ...body.subarray(at + 1)]);
    const s = new DtlsServerConnection(server);
    s.feedDatagram(encodePlaintext(22, 0, 0, encodeFragment(1, mutated.length, 0, 0, mutated)), clock.t);
    expect(s.error?.code).toBe('BAD_LEGACY_COOKIE');
    expect(s.error?.alert).toBe('illegal_parameter');
  });

  it('refuses_a_tls_1_3_version_in_a_dtls_server_hello', async () => {
    const clock = new Clock();
    const { client } = configs(clock);
    const c = new DtlsClientConnection(client);
    c.pullDatagram();
    // A ServerHello that selects TLS 1.3 (0x0304) instead of DTLS 1.3 (0xfefc).
    const sh = Uint8Array.from([
      0xfe, 0xfd, ...new Uint8Array(32).fill(1), 0, 0x13, 0x01, 0,
      0, 6, 0, 43, 0, 2, 0x03, 0x04,
    ]);
    c.feedDatagram(encodePlaintext(22, 0, 0, encodeFragment(2, sh.length, 0, 0, sh)), clock.t);
    expect(c.error?.code).toBe('BAD_SELECTED_VERSION');
  });
});

describe('connection ID messages without CIDs (RFC 9147 §9)', () => {
  it('fails_with_unexpected_message_on_a_NewConnectionId_when_no_cid_was_negotiated', async () => {
    const { CipherSuite } = await import('@puretls/tls');
    const { epochKeys } = await import('../src/record/epoch.js');
    const { sealRecord } = await import('../src/record/records.js');
    const { provider } = await import('./helpers/keys.js');
    const clock = new Clock();
    const secrets = new Map<string, Uint8Array>();
    const { client, server } = configs(clock, { client: { cipherSuites: ['TLS_AES_128_GCM_SHA256'], keyLog: (l, _r, x) => secrets.set(l, x) } });
    const c = new DtlsClientConnection(client);
    const s = new DtlsServerConnection(server);
    const net = new SimNet(c, s, clock);
    await net.run(() => completed(net));
    await net.run(() => false, 100);
    const suite = CipherSuite.TLS_AES_128_GCM_SHA256;
    const ks = { provider, hash: suite.hash, hashLength: suite.hashLength, labelPrefix: new TextEncoder().encode('dtls13') };
    const keys = epochKeys(provider, ks, suite, secrets.get('CLIENT_TRAFFIC_SECRET_0') as Uint8Array, 3);
    // The client's next message_seq is 2 (ClientHello 0, Finished 1); record 100 is well ahead of it.
    const ncid = Uint8Array.of(0, 5, 4, 1, 2, 3, 4, 1);
    const rec = sealRecord(keys, 100, 22, encodeFragment(10, ncid.length, 2, 0, ncid), new Uint8Array(0));
    s.feedDatagram(rec, clock.t);
    expect(s.error?.code).toBe('UNEXPECTED_MESSAGE');
    expect(s.error?.alert).toBe('unexpected_message');
  });
});
