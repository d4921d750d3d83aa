import { describe, expect, it } from 'vitest';
import { DtlsClientConnection, DtlsServerConnection } from '../src/index.js';
import { Clock, configs } from './helpers/keys.js';
import { completed, SimNet } from './helpers/simnet.js';

describe('DTLS 1.3 handshake', () => {
  it('completes_over_a_perfect_network_and_carries_data_both_ways', async () => {
    const clock = new Clock();
    const { client, server } = configs(clock);
    const c = new DtlsClientConnection(client);
    const s = new DtlsServerConnection(server);
    const net = new SimNet(c, s, clock, { mtu: 1200 });
    await net.run(() => completed(net));
    expect(c.error).toBeNull();
    expect(s.error).toBeNull();
    expect(completed(net)).toBe(true);
    const info = c.handshakeInfo;
    expect(info?.version).toBe('DTLSv1.3');
    c.send(new TextEncoder().encode('ping'));
    s.send(new TextEncoder().encode('pong'));
    await net.run(() => false, 1000);
    const got = (i: 0 | 1) => net.events[i].filter((e) => e.type === 'application_data').map((e) => new TextDecoder().decode((e as { data: Uint8Array }).data));
    expect(got(1)).toEqual(['ping']);
    expect(got(0)).toEqual(['pong']);
    expect(c.nextTimeout()).toBeNull();
    expect(s.nextTimeout()).toBeNull();
  });

  it('a_client_refusing_the_certificate_tells_the_server_in_epoch_2', async () => {
    // The server has handshake keys and ignores cleartext alerts (README reading 5), so the client's
    // fatal alert must be protected with its handshake keys for the server to fail at once.
    const clock = new Clock();
    const { client, server } = configs(clock, {
      client: { verifier: { verify: async () => ({ ok: false, code: 'NOPE', alert: 'unknown_ca', message: 'refused' }) } },
    });
    const c = new DtlsClientConnection(client);
    const s = new DtlsServerConnection(server);
    const net = new SimNet(c, s, clock, { mtu: 1200 });
    const start = clock.t;
    await net.run(() => c.error !== null && s.error !== null, 10_000);
    expect(c.error?.alert).toBe('unknown_ca');
    expect(s.error?.alert).toBe('unknown_ca');
    expect(s.error?.remote).toBe(true);
    // No retransmission timer had to run out: the alert arrived with the first exchange.
    expect(clock.t - start).toBeLessThan(1000);
    const alert = net.sent[0].at(-1)!.bytes;
    // A unified header (001xxxxx), not a cleartext DTLSPlaintext alert (content type 21).
    expect(alert[0]! & 0xe0).toBe(0x20);
  });
});

describe('a provider that cannot load what the first flight needs', () => {
  it('fails_the_client_with_provider_load_failed_and_sends_nothing', async () => {
    const clock = new Clock();
    const base = configs(clock).client.provider;
    const failing = { ...base, prepare: () => Promise.reject(new Error('chunk could not be fetched')) };
    const c = new DtlsClientConnection(configs(clock, { client: { provider: failing } }).client);
    await c.pending;
    expect([c.error?.code, c.error?.alert]).toEqual(['PROVIDER_LOAD_FAILED', 'internal_error']);
    // No ClientHello went out, so no alert either: the server has nothing to be told.
    expect(c.pullDatagram()).toBeNull();
  });
});
