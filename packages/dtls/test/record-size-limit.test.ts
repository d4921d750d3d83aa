/**
 * RFC 8449 record_size_limit over DTLS: our protected records keep to the peer's limit (handshake
 * fragments, ACKs, application data), and once negotiated a protected record above ours is discarded
 * (RFC 8449 §4 lets a DTLS endpoint discard instead of alerting).
 */
import { describe, expect, it } from 'vitest';
import { DtlsClientConnection, DtlsServerConnection, type DtlsConnection, type DtlsTrace } from '../src/index.js';
import type { RecordLayer } from '../src/record/record-layer.js';
import { Clock, configs } from './helpers/keys.js';
import { completed, SimNet } from './helpers/simnet.js';

/** A pair whose sides record the inner plaintext size (content + type) of each protected record they send. */
async function pair(limits: { client?: number; server?: number }) {
  const clock = new Clock();
  const sent: { client: number[]; server: number[] } = { client: [], server: [] };
  const trace = (side: 'client' | 'server') => (t: DtlsTrace) => {
    if (t.kind === 'record' && t.direction === 'sent' && t.epoch >= 2) sent[side].push(t.contentLength + 1);
  };
  const { client, server } = configs(clock, {
    client: { recordSizeLimit: limits.client, trace: trace('client') },
    server: { recordSizeLimit: limits.server, trace: trace('server') },
  });
  const c = new DtlsClientConnection(client);
  const s = new DtlsServerConnection(server);
  const n = new SimNet(c, s, clock, { mtu: 1400 });
  await n.run(() => completed(n));
  expect([c.error, s.error]).toEqual([null, null]);
  return { c, s, n, sent };
}

const recordsOf = (x: DtlsConnection): RecordLayer => (x as unknown as { records: RecordLayer }).records;

describe('record_size_limit over DTLS (RFC 8449)', () => {
  it('keeps_every_protected_record_within_the_peers_limit_handshake_and_acks_included', async () => {
    const { c, s, n, sent } = await pair({ client: 128, server: 100 });
    // The server's certificate flight is cut to the client's 128 bytes; the client's records to 100.
    expect(Math.max(...sent.server)).toBeLessThanOrEqual(128);
    expect(Math.max(...sent.client)).toBeLessThanOrEqual(100);
    expect(sent.server.length).toBeGreaterThan(3);
    expect(c.maxDatagramPayload).toBe(99);
    expect(s.maxDatagramPayload).toBe(127);
    expect(() => c.send(new Uint8Array(100))).toThrow(RangeError);
    c.send(new Uint8Array(99).fill(7));
    s.send(new Uint8Array(127).fill(8));
    await n.run(() => false, 1000);
    const got = (i: 0 | 1) => n.events[i].filter((e) => e.type === 'application_data').map((e) => (e as { data: Uint8Array }).data.length);
    expect([got(0), got(1)]).toEqual([[127], [99]]);
  });

  it('the_server_keeps_to_the_clients_limit_even_without_one_of_its_own', async () => {
    const { sent } = await pair({ client: 64 });
    expect(sent.server.length).toBeGreaterThan(3);
    expect(Math.max(...sent.server)).toBeLessThanOrEqual(64);
  });

  it('discards_a_protected_record_above_our_negotiated_limit_without_failing', async () => {
    const { c, s, n } = await pair({ client: 256, server: 256 });
    // A client that ignores the server's limit (as a buggy peer would).
    recordsOf(c).peerRecordSizeLimit = null;
    c.send(new Uint8Array(600).fill(1));
    c.send(new Uint8Array(200).fill(2));
    await n.run(() => false, 1000);
    const data = n.events[1].filter((e) => e.type === 'application_data').map((e) => (e as { data: Uint8Array }).data.length);
    expect(data).toEqual([200]);
    expect(s.error).toBeNull();
  });

  it('fails_with_PEER_RECORD_SIZE_LIMIT_when_data_queued_before_the_handshake_exceeds_the_limit_learnt_since', async () => {
    const clock = new Clock();
    const { client, server } = configs(clock, { server: { recordSizeLimit: 128 }, client: { recordSizeLimit: 16385 } });
    const c = new DtlsClientConnection(client);
    const s = new DtlsServerConnection(server);
    c.send(new Uint8Array(500));
    const n = new SimNet(c, s, clock);
    await n.run(() => c.error !== null, 10000);
    expect(c.error?.code).toBe('PEER_RECORD_SIZE_LIMIT');
  });
});
