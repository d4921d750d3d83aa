/**
 * Resumption over DTLS 1.3: the server issues NewSessionTickets as post-handshake messages (RFC 9147
 * §5.8.4: each acknowledged, retransmitted until it is), the client turns them into sessions, and a
 * second handshake with one is a PSK (EC)DHE resumption (RFC 8446 §2.2) — also after a stateless
 * cookie HelloRetryRequest, also when the ticket's first transmission is lost. Unknown tickets fall
 * back to a full handshake.
 */
import { createMemorySessionStore, createMemoryTicketStore, createTicketSealer, type ClientTicket } from '@puretls/tls';
import { describe, expect, it } from 'vitest';
import { DtlsClientConnection, DtlsServerConnection, type DtlsEvent } from '../src/index.js';
import { Clock, configs, provider } from './helpers/keys.js';
import { completed, SimNet } from './helpers/simnet.js';

const tickets = (ev: DtlsEvent[]): ClientTicket[] => ev.filter((e) => e.type === 'session_ticket').map((e) => (e as { ticket: ClientTicket }).ticket);
const data = (ev: DtlsEvent[]): string[] => ev.filter((e) => e.type === 'application_data').map((e) => new TextDecoder().decode((e as { data: Uint8Array }).data));

describe('resumption over DTLS 1.3', () => {
  it('resumes_with_a_ticket_from_the_first_connection', async () => {
    const clock = new Clock();
    const sealer = createTicketSealer(provider, new Uint8Array(32).fill(9));
    const { client, server } = configs(clock, { server: { ticketSealer: sealer, ticketsPerHandshake: 2 } });
    const c1 = new DtlsClientConnection(client);
    const s1 = new DtlsServerConnection(server);
    const n1 = new SimNet(c1, s1, clock);
    await n1.run(() => completed(n1) && tickets(n1.events[0]).length === 2);
    const got = tickets(n1.events[0]);
    expect(got).toHaveLength(2);
    expect(got[0]!.cipherSuite).toBe(c1.handshakeInfo!.cipherSuite);
    expect(got[0]!.maxEarlyDataSize).toBe(0);
    // The tickets were acknowledged: nothing is left to retransmit.
    await n1.run(() => false, 100);
    expect(s1.nextTimeout()).toBeNull();

    const c2 = new DtlsClientConnection(client, { session: got[0]! });
    const s2 = new DtlsServerConnection(server);
    const n2 = new SimNet(c2, s2, clock);
    await n2.run(() => completed(n2));
    expect(c2.error).toBeNull();
    expect(s2.error).toBeNull();
    expect(c2.handshakeInfo!.resumed).toBe(true);
    expect(s2.handshakeInfo!.resumed).toBe(true);
    // No certificate in a resumed handshake.
    expect(c2.handshakeInfo!.peerCertificates).toHaveLength(0);
    expect(c2.handshakeInfo!.signatureScheme).toBeNull();
    c2.send(new TextEncoder().encode('resumed'));
    await n2.run(() => data(n2.events[1]).length > 0, 1000);
    expect(data(n2.events[1])).toEqual(['resumed']);
    // Both sides derived the same keys: exporters agree.
    const ctx = new Uint8Array(0);
    expect(Buffer.from(c2.exportKeyingMaterial('EXPERIMENTAL x', ctx, 32))).toEqual(Buffer.from(s2.exportKeyingMaterial('EXPERIMENTAL x', ctx, 32)));
  });

  it('does_not_offer_a_session_under_another_server_name_or_past_its_lifetime', async () => {
    // RFC 9846 §4.7.1: resume only under the SNI of the original session; never past the lifetime.
    const clock = new Clock();
    const sealer = createTicketSealer(provider, new Uint8Array(32).fill(9));
    const { client, server } = configs(clock, { server: { ticketSealer: sealer, ticketsPerHandshake: 1, maxEarlyDataSize: 100 } });
    const n1 = new SimNet(new DtlsClientConnection(client), new DtlsServerConnection(server), clock);
    await n1.run(() => completed(n1) && tickets(n1.events[0]).length === 1);
    const [ticket] = tickets(n1.events[0]);
    const attempt = async (c: DtlsClientConnection) => {
      const n = new SimNet(c, new DtlsServerConnection(server), clock);
      await n.run(() => completed(n));
      expect(c.error).toBeNull();
      return { resumed: c.handshakeInfo!.resumed, rejected: n.events[0].filter((e) => e.type === 'early_data_rejected') };
    };
    const early = [new TextEncoder().encode('0-RTT')];
    expect(await attempt(new DtlsClientConnection(client, { session: ticket!, serverName: 'other.test', earlyData: early }))).toEqual({
      resumed: false,
      rejected: [{ type: 'early_data_rejected', reason: 'session_unusable' }],
    });
    expect((await attempt(new DtlsClientConnection(client, { session: ticket!, serverName: 'EXAMPLE.test' }))).resumed).toBe(true);
    clock.t += (ticket!.lifetime + 1) * 1000;
    expect((await attempt(new DtlsClientConnection(client, { session: ticket! }))).resumed).toBe(false);
  });

  it('resumes_after_a_stateless_cookie_retry_and_with_a_server_session_store', async () => {
    const clock = new Clock();
    const store = createMemorySessionStore();
    const ticketStore = createMemoryTicketStore();
    const { client, server } = configs(clock, { client: { ticketStore }, server: { sessionStore: store, ticketsPerHandshake: 1, cookies: { secret: new Uint8Array(32).fill(1) } } });
    const n1 = new SimNet(new DtlsClientConnection(client), new DtlsServerConnection(server), clock);
    await n1.run(() => completed(n1) && tickets(n1.events[0]).length === 1);
    // The client's config store got it too (under the server name).
    const stored = ticketStore.take('example.test', clock.t);
    expect(stored).toBeDefined();
    const c2 = new DtlsClientConnection(client, { session: stored! });
    const s2 = new DtlsServerConnection(server);
    const n2 = new SimNet(c2, s2, clock);
    await n2.run(() => completed(n2));
    expect(c2.handshakeInfo!.helloRetry).toBe(true);
    expect(c2.handshakeInfo!.resumed).toBe(true);
    expect(s2.handshakeInfo!.resumed).toBe(true);
  });

  it('retransmits_a_lost_ticket_until_acknowledged', async () => {
    const clock = new Clock();
    const sealer = createTicketSealer(provider, new Uint8Array(32).fill(3));
    const { client, server } = configs(clock, { server: { ticketSealer: sealer, ticketsPerHandshake: 1 } });
    const c = new DtlsClientConnection(client);
    const s = new DtlsServerConnection(server);
    const n = new SimNet(c, s, clock);
    // Drop the first datagram the server sends after its handshake completed (the ticket, 
    // which may share it with the ACK of the client's Finished).
    let drop = 1;
    n.tamper = (to, b) => (to === 0 && s.handshakeInfo !== null && drop-- > 0 ? null : b);
    const t0 = clock.t;
    await n.run(() => tickets(n.events[0]).length === 1, 10_000);
    expect(drop).toBeLessThan(0);
    expect(tickets(n.events[0])).toHaveLength(1);
    expect(clock.t - t0).toBeGreaterThanOrEqual(100);
    await n.run(() => false, 100);
    expect(s.nextTimeout()).toBeNull();
    expect(c.nextTimeout()).toBeNull();
  });

  it('falls_back_to_a_full_handshake_when_the_server_does_not_know_the_ticket', async () => {
    const clock = new Clock();
    const a = configs(clock, { server: { ticketSealer: createTicketSealer(provider, new Uint8Array(32).fill(4)), ticketsPerHandshake: 1 } });
    const b = configs(clock, { server: { ticketSealer: createTicketSealer(provider, new Uint8Array(32).fill(5)), ticketsPerHandshake: 1 } });
    const n1 = new SimNet(new DtlsClientConnection(a.client), new DtlsServerConnection(a.server), clock);
    await n1.run(() => completed(n1) && tickets(n1.events[0]).length === 1);
    const c2 = new DtlsClientConnection(a.client, { session: tickets(n1.events[0])[0]! });
    const s2 = new DtlsServerConnection(b.server);
    const n2 = new SimNet(c2, s2, clock);
    await n2.run(() => completed(n2));
    expect(c2.error).toBeNull();
    expect(c2.handshakeInfo!.resumed).toBe(false);
    expect(c2.handshakeInfo!.peerCertificates.length).toBeGreaterThan(0);
  });

  it('sends_no_tickets_without_a_sealer_or_store_and_refuses_a_session_of_a_disabled_suite', async () => {
    const clock = new Clock();
    const { client, server } = configs(clock);
    const n = new SimNet(new DtlsClientConnection(client), new DtlsServerConnection(server), clock);
    await n.run(() => completed(n));
    await n.run(() => false, 100);
    expect(tickets(n.events[0])).toHaveLength(0);
    const only = configs(clock, { client: { cipherSuites: ['TLS_AES_128_GCM_SHA256'] } }).client;
    const foreign = { ticket: new Uint8Array(4), psk: new Uint8Array(48), cipherSuite: 'TLS_AES_256_GCM_SHA384', lifetime: 60, ageAdd: 0, receivedAt: clock.t, maxEarlyDataSize: 0, serverName: null, alpn: null } as const;
    expect(() => new DtlsClientConnection(only, { session: foreign })).toThrow(TypeError);
  });
});
