// Session resumption / PSK / 0-RTT findings of the security review: each test fails without its fix.
import { describe, expect, it } from 'vitest';
import { Writer } from '@puretls/wire';
import {
  ClientConnection, ServerConnection, createMemoryTicketStore, createStrikeRegister, createTicketKeys,
  type ClientTicket, type ClientTicketStore, type TlsEvent,
} from '../src/index.js';
import { decodeTicketState, encodeTicketState, type ServerTicketState } from '../src/tickets.js';
import { CipherSuite } from '../src/suites.js';
import { advanceClock, doHandshake, exchange, infoOf, makeConfigs, now, provider, stubVerifier, testKey, type PairOptions } from './helpers/pair.js';

const DAY = 86_400_000;
const ticketsOf = (ev: TlsEvent[]): ClientTicket[] => ev.filter((e) => e.type === 'session_ticket').map((e) => (e as { ticket: ClientTicket }).ticket);
const refusals = (ev: TlsEvent[]): (string | undefined)[] => ev.filter((e) => e.type === 'early_data_rejected').map((e) => (e as { reason?: string }).reason);
const earlyBytes = (ev: TlsEvent[]): number => ev.filter((e) => e.type === 'early_data').reduce((n, e) => n + (e as { data: Uint8Array }).data.length, 0);
function drain(c: ClientConnection | ServerConnection): TlsEvent[] {
  const out: TlsEvent[] = [];
  for (let e = c.poll(); e !== null; e = c.poll()) out.push(e);
  return out;
}
const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

async function firstTicket(o: PairOptions): Promise<{ client: ReturnType<typeof makeConfigs>['client']; server: ReturnType<typeof makeConfigs>['server']; ticket: ClientTicket }> {
  const { client, server } = makeConfigs(o);
  const ev = await doHandshake(new ClientConnection(client), new ServerConnection(server));
  return { client, server, ticket: ticketsOf(ev.client)[0] as ClientTicket };
}

/** Counts take() calls and gives up loudly instead of hanging. */
function counting(inner: ClientTicketStore, ignoreUsable = false): ClientTicketStore & { takes: number } {
  const s = {
    takes: 0,
    put: (n: string, t: ClientTicket) => inner.put(n, t),
    take: (n: string, at?: number, usable?: (t: ClientTicket) => boolean) => {
      if (++s.takes > 1000) throw new Error('take() called 1000 times: the search does not end');
      return ignoreUsable ? inner.take(n, at) : inner.take(n, at, usable);
    },
  };
  return s;
}

describe('client ticket store search (R1)', () => {
  it('ends_when_a_reusable_stored_ticket_has_a_suite_the_config_lacks', async () => {
    const store = counting(createMemoryTicketStore({ reuse: true }));
    const { ticket } = await firstTicket({ client: { ticketStore: store }, server: { ticketSealer: createTicketKeys(provider, { now }) } });
    expect(ticket.cipherSuite).toBe('TLS_AES_128_GCM_SHA256');
    const { client: chacha } = makeConfigs({ client: { ticketStore: store, cipherSuites: ['TLS_CHACHA20_POLY1305_SHA256'] } });
    const c = new ClientConnection(chacha);
    expect(hex(c.pull() as Uint8Array)).not.toContain(hex(ticket.ticket));
    expect(store.takes).toBeLessThan(10);
  });

  it('ends_with_a_store_that_ignores_usable_and_hands_the_same_ticket_out_forever', async () => {
    const store = counting(createMemoryTicketStore({ reuse: true }), true);
    await firstTicket({ client: { ticketStore: store }, server: { ticketSealer: createTicketKeys(provider, { now }) } });
    const { client: chacha } = makeConfigs({ client: { ticketStore: store, cipherSuites: ['TLS_CHACHA20_POLY1305_SHA256'] } });
    expect(() => new ClientConnection(chacha)).not.toThrow();
    expect(store.takes).toBeLessThan(10);
  });

  it('finds_an_older_usable_ticket_under_a_newer_unusable_one', async () => {
    const store = counting(createMemoryTicketStore({ reuse: true }));
    const sealer = createTicketKeys(provider, { now });
    const chachaPair = makeConfigs({ client: { ticketStore: store, cipherSuites: ['TLS_CHACHA20_POLY1305_SHA256'] }, server: { ticketSealer: sealer } });
    await doHandshake(new ClientConnection(chachaPair.client), new ServerConnection(chachaPair.server));
    const aesPair = makeConfigs({ client: { ticketStore: store, cipherSuites: ['TLS_AES_128_GCM_SHA256'] }, server: { ticketSealer: sealer } });
    await doHandshake(new ClientConnection(aesPair.client), new ServerConnection(aesPair.server)); // newest: AES
    const ev = await exchange(new ClientConnection(chachaPair.client), new ServerConnection(chachaPair.server));
    expect(infoOf(ev.client).resumed).toBe(true);
    expect(infoOf(ev.client).cipherSuite).toBe('TLS_CHACHA20_POLY1305_SHA256');
  });
});

describe('refused 0-RTT skipping budget (R2)', () => {
  for (const size of [16384, 100_000]) {
    it(`never_kills_a_client_that_sent_exactly_max_early_data_size_${size}_when_0rtt_is_refused`, async () => {
      const { client, server, ticket } = await firstTicket({ server: { ticketSealer: createTicketKeys(provider, { now }), maxEarlyDataSize: size, earlyDataAgeTolerance: 5000 } });
      expect(ticket.maxEarlyDataSize).toBe(size);
      // Refused as stale: the client believes the ticket is a minute older.
      const c = new ClientConnection(client, { session: { ...ticket, receivedAt: ticket.receivedAt - 60_000 }, earlyData: new Uint8Array(size) });
      const s = new ServerConnection(server);
      const ev = await exchange(c, s);
      expect(refusals(ev.server)).toEqual(['stale']);
      expect(s.error).toBeNull();
      expect(c.error).toBeNull();
      expect(infoOf(ev.client).resumed).toBe(true);
    });
  }

  it('never_kills_a_client_whose_0rtt_is_refused_as_a_replay', async () => {
    const never = { window: 20000, check: () => false };
    const { client, server, ticket } = await firstTicket({ server: { ticketSealer: createTicketKeys(provider, { now }), maxEarlyDataSize: 16384, antiReplay: never } });
    const c = new ClientConnection(client, { session: ticket, earlyData: new Uint8Array(16384) });
    const s = new ServerConnection(server);
    const ev = await exchange(c, s);
    expect(refusals(ev.server)).toEqual(['replay']);
    expect(s.error).toBeNull();
  });

  it('still_bounds_refused_0rtt_past_the_limit', async () => {
    const { client, server, ticket } = await firstTicket({ server: { ticketSealer: createTicketKeys(provider, { now }), maxEarlyDataSize: 1000, earlyDataAgeTolerance: 5000 } });
    const lying = { ...ticket, receivedAt: ticket.receivedAt - 60_000, maxEarlyDataSize: 1 << 20 };
    const s = new ServerConnection(server);
    await exchange(new ClientConnection(client, { session: lying, earlyData: new Uint8Array(200_000) }), s);
    expect(s.error?.code).toBe('TOO_MUCH_EARLY_DATA');
  });
});

describe('explicit session checks on the client (R3, R6)', () => {
  const sealed = (): PairOptions => ({ server: { ticketSealer: createTicketKeys(provider, { now }) } });

  it('does_not_resume_an_explicit_session_under_another_sni', async () => {
    const { client, server, ticket } = await firstTicket(sealed());
    expect(ticket.serverName).toBe('example.test');
    const v = stubVerifier(testKey('ed25519'));
    const c = new ClientConnection(client, { session: ticket, serverName: 'bank.other', verifier: v });
    expect(hex(c.pull() as Uint8Array)).not.toContain(hex(ticket.ticket));
    // The handshake is a full one: the server's certificate is verified for the new name.
    const c2 = new ClientConnection(client, { session: ticket, serverName: 'bank.other', verifier: v });
    const ev = await exchange(c2, new ServerConnection(server));
    expect(c2.error).toBeNull();
    expect(infoOf(ev.client).resumed).toBe(false);
    expect(v.requests.length).toBeGreaterThan(0);
  });

  it('resumes_under_the_same_sni_compared_as_a_dns_name', async () => {
    const { client, server, ticket } = await firstTicket(sealed());
    const ev = await exchange(new ClientConnection(client, { session: ticket, serverName: 'Example.TEST' }), new ServerConnection(server));
    expect(infoOf(ev.client).resumed).toBe(true);
  });

  it('offers_a_session_without_a_server_name_only_without_one', async () => {
    const { client, ticket } = await firstTicket(sealed());
    const nameless = { ...ticket, serverName: null };
    expect(hex(new ClientConnection(client, { session: nameless }).pull() as Uint8Array)).not.toContain(hex(ticket.ticket));
    expect(hex(new ClientConnection(client, { session: ticket }).pull() as Uint8Array)).toContain(hex(ticket.ticket));
  });

  it('drops_the_early_data_of_a_session_it_does_not_offer_without_an_error', async () => {
    const { client, ticket } = await firstTicket({ server: { ticketSealer: createTicketKeys(provider, { now }), maxEarlyDataSize: 100 } });
    const c = new ClientConnection(client, { session: ticket, serverName: 'bank.other', earlyData: Uint8Array.of(1, 2, 3) });
    expect(refusals(drain(c))).toEqual(['session_unusable']);
  });

  it('does_not_offer_an_explicit_session_older_than_7_days_or_its_lifetime', async () => {
    const { client, server, ticket } = await firstTicket(sealed());
    for (const old of [{ ...ticket, receivedAt: ticket.receivedAt - 8 * DAY }, { ...ticket, lifetime: 60, receivedAt: ticket.receivedAt - 61_000 }]) {
      const c = new ClientConnection(client, { session: old });
      const ev = await exchange(c, new ServerConnection(server));
      expect(c.error).toBeNull();
      expect(infoOf(ev.client).resumed).toBe(false);
    }
  });
});

describe('resumed client authentication (R4, R7)', () => {
  const clientKey = testKey('P-256');
  const withClientAuth = (): PairOptions => ({
    client: { clientCertificate: { chain: clientKey.chain, key: clientKey.pkcs8 } },
    server: { clientAuth: 'required', clientVerifier: stubVerifier(clientKey), ticketSealer: createTicketKeys(provider, { now }), ticketLifetime: 604800 },
  });

  it('does_not_resume_a_client_chain_this_connections_verifier_rejects', async () => {
    const { client, server, ticket } = await firstTicket(withClientAuth());
    const strict = stubVerifier(); // knows no chain
    const s = new ServerConnection(server, { clientVerifier: strict });
    const c = new ClientConnection(client, { session: ticket });
    await exchange(c, s);
    // Not resumed: a full handshake, whose certificate the strict verifier refuses in turn.
    expect(s.handshakeInfo).toBeNull();
    expect(s.error?.code).toBe('UNKNOWN_CERTIFICATE');
    expect(strict.requests.length).toBe(2);
  });

  it('resumes_after_this_connections_verifier_accepts_the_stored_chain_asynchronously', async () => {
    const { client, server, ticket } = await firstTicket(withClientAuth());
    const v = stubVerifier(clientKey);
    const s = new ServerConnection(server, { clientVerifier: v });
    const c = new ClientConnection(client, { session: ticket });
    s.feed(c.pull() as Uint8Array);
    expect(s.state).toBe('Waiting:CertificateVerifier');
    const ev = await exchange(c, s);
    expect(infoOf(ev.server).resumed).toBe(true);
    expect(infoOf(ev.server).peerCertificates.length).toBe(clientKey.chain.length);
    expect(v.requests).toEqual([{ usage: 'clientAuth' }]);
  });

  it('ends_chained_resumptions_7_days_after_the_original_authentication', async () => {
    const { client, server, ticket } = await firstTicket(withClientAuth());
    let moved = 0;
    try {
      advanceClock(6 * DAY); moved += 6 * DAY;
      const ev = await exchange(new ClientConnection(client, { session: ticket }), new ServerConnection(server));
      expect(infoOf(ev.server).resumed).toBe(true);
      const next = ticketsOf(ev.client)[0] as ClientTicket;
      // Its lifetime ends 7 days after the full handshake, not 7 days after this resumption.
      expect(next.lifetime).toBeLessThanOrEqual(DAY / 1000);
      advanceClock(DAY + 1000); moved += DAY + 1000;
      // Offered anyway (a client whose clock lags): the server refuses it, a full handshake follows.
      const late = { ...next, receivedAt: now() - 1000 };
      const ev2 = await exchange(new ClientConnection(client, { session: late }), new ServerConnection(server));
      expect(infoOf(ev2.server).resumed).toBe(false);
    } finally {
      advanceClock(-moved);
    }
  });

  it('keeps_old_ticket_states_decodable_with_their_issue_time_as_the_authentication_time', () => {
    const state: ServerTicketState = {
      psk: new Uint8Array(32).fill(1), cipherSuite: 'TLS_AES_128_GCM_SHA256', issuedAt: 1000, lifetime: 7200, ageAdd: 5,
      maxEarlyDataSize: 0, alpn: null, serverName: 'example.test', peerCertificates: [Uint8Array.of(1, 2, 3)],
    };
    // Version 2, as sealed before the authentication time was kept.
    const w = new Writer();
    w.u8(2).vec8(state.psk).u16(CipherSuite.TLS_AES_128_GCM_SHA256.code).u64(1000n).u32(7200).u32(5).u32(0);
    w.u8(0).vec8(new Uint8Array(0)).u8(1).vec16(new TextEncoder().encode('example.test'));
    w.vector24((l) => l.vec24(Uint8Array.of(1, 2, 3)));
    const old = decodeTicketState(w.finish());
    expect(old?.authenticatedAt).toBe(1000);
    expect(old?.peerCertificates?.length).toBe(1);
    const v3 = decodeTicketState(encodeTicketState({ ...state, authenticatedAt: 500 }));
    expect(v3?.authenticatedAt).toBe(500);
    expect(decodeTicketState(encodeTicketState({ ...state, peerCertificates: [] }))?.peerCertificates).toBeUndefined();
  });
});

describe('0-RTT limits and anti-replay (R5, R8)', () => {
  it('refuses_a_replay_at_exactly_twice_the_age_tolerance', async () => {
    const antiReplay = createStrikeRegister({ window: 20000 });
    const { client, server, ticket } = await firstTicket({ server: { ticketSealer: createTicketKeys(provider, { now }), maxEarlyDataSize: 1000, antiReplay, earlyDataAgeTolerance: 10000 } });
    // The client's age is 10 s ahead: the hello stays fresh for 20 s.
    const flight = new ClientConnection(client, { session: { ...ticket, receivedAt: ticket.receivedAt - 10000 }, earlyData: Uint8Array.of(1) }).pull() as Uint8Array;
    const a = new ServerConnection(server);
    a.feed(flight);
    expect(drain(a).some((e) => e.type === 'early_data')).toBe(true);
    advanceClock(20000);
    try {
      const b = new ServerConnection(server);
      b.feed(flight);
      const ev = drain(b);
      expect(ev.some((e) => e.type === 'early_data')).toBe(false);
      expect(refusals(ev)).toEqual(['replay']);
    } finally {
      advanceClock(-20000);
    }
  });

  it('narrows_the_age_tolerance_to_half_a_shorter_strike_register_window', async () => {
    const antiReplay = createStrikeRegister({ window: 10000 });
    const { client, server, ticket } = await firstTicket({ server: { ticketSealer: createTicketKeys(provider, { now }), maxEarlyDataSize: 1000, antiReplay, earlyDataAgeTolerance: 10000 } });
    const c = new ClientConnection(client, { session: { ...ticket, receivedAt: ticket.receivedAt - 8000 }, earlyData: Uint8Array.of(1) });
    const s = new ServerConnection(server);
    const ev = await exchange(c, s);
    expect(refusals(ev.server)).toEqual(['stale']);
  });

  it('accepts_0rtt_up_to_the_tickets_max_early_data_size_not_the_current_config', async () => {
    const sealer = createTicketKeys(provider, { now });
    const { client, ticket } = await firstTicket({ server: { ticketSealer: sealer, maxEarlyDataSize: 1000 } });
    const { server: lowered } = makeConfigs({ server: { ticketSealer: sealer, maxEarlyDataSize: 100 } });
    const s = new ServerConnection(lowered);
    const ev = await exchange(new ClientConnection(client, { session: ticket, earlyData: new Uint8Array(1000) }), s);
    expect(s.error).toBeNull();
    expect(earlyBytes(ev.server)).toBe(1000);
  });

  it('refuses_0rtt_past_the_tickets_max_early_data_size_even_under_a_larger_config', async () => {
    const sealer = createTicketKeys(provider, { now });
    const { client, ticket } = await firstTicket({ server: { ticketSealer: sealer, maxEarlyDataSize: 100 } });
    const { server: raised } = makeConfigs({ server: { ticketSealer: sealer, maxEarlyDataSize: 100_000 } });
    const s = new ServerConnection(raised);
    await exchange(new ClientConnection(client, { session: { ...ticket, maxEarlyDataSize: 100_000 }, earlyData: new Uint8Array(500) }), s);
    expect(s.error?.code).toBe('TOO_MUCH_EARLY_DATA');
  });
});
