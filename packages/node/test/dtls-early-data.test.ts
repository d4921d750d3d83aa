/**
 * 0-RTT over DTLS 1.3 through `@puretls/node/dtls`, over real UDP on 127.0.0.1: `connect({ session,
 * earlyData })` sends early datagrams with a resumption (RFC 9147 §6.1); the server hands them to its
 * `earlyData` event before the handshake completes, or — without a listener — to the socket's
 * `message` event (flagged early) right after `secureConnection`; refused or impossible 0-RTT is sent
 * after the handshake as ordinary datagrams; with stateless cookies, accepted 0-RTT skips the cookie
 * exchange (RFC 9147 §5.1).
 */
import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { createTicketSealer, type CertificateVerifier, type TicketSealer } from '@puretls/tls';
import { connect, createServer, dtlsClientConfig, dtlsServerConfig, type ClientTicket, type DtlsServer, type DtlsSocket } from '../src/dtls/index.js';
import { chain, pkcs8, provider, verifier } from './helpers/dtls-identity.js';

const clientConfig = dtlsClientConfig({ provider, now: Date.now, verifier, serverName: 'localhost', retransmitInitial: 200 });
const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
const dec = (b: Uint8Array): string => new TextDecoder().decode(b);

const servers: DtlsServer[] = [];
const clients: DtlsSocket[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  await Promise.all(servers.splice(0).map((s) => new Promise<void>((r) => s.close(() => r()))));
});

async function listen(o: { sealer: TicketSealer; maxEarlyDataSize: number; cookies?: boolean }): Promise<{ server: DtlsServer; port: number; accepted: DtlsSocket[] }> {
  const config = dtlsServerConfig({
    provider,
    now: Date.now,
    certificates: [{ chain, key: pkcs8 }],
    cookies: o.cookies === true ? { secret: randomBytes(32) } : false,
    ticketSealer: o.sealer,
    ticketsPerHandshake: 1,
    maxEarlyDataSize: o.maxEarlyDataSize,
    retransmitInitial: 200,
  });
  const accepted: DtlsSocket[] = [];
  const server = createServer({ config }, (s) => accepted.push(s));
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { server, port: server.address().port, accepted };
}

async function until(f: () => boolean, ms = 10000): Promise<void> {
  const end = Date.now() + ms;
  while (!f()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** A full handshake that ends with a ticket from the `session` event. */
async function ticketFrom(port: number): Promise<ClientTicket> {
  const first = connect({ host: '127.0.0.1', port, config: clientConfig });
  clients.push(first);
  const ticket = await new Promise<ClientTicket>((resolve, reject) => {
    first.once('session', resolve);
    first.once('error', reject);
  });
  first.close();
  return ticket;
}

function secure(sock: DtlsSocket): Promise<void> {
  return new Promise((resolve, reject) => {
    sock.once('secureConnect', () => resolve());
    sock.once('error', reject);
  });
}

describe('0-RTT over DTLS 1.3 through @puretls/node/dtls', () => {
  it('hands_early_datagrams_to_the_server_earlyData_event_before_secureConnection', async () => {
    const { server, port, accepted } = await listen({ sealer: createTicketSealer(provider, randomBytes(32)), maxEarlyDataSize: 4096 });
    const ticket = await ticketFrom(port);
    expect(ticket.maxEarlyDataSize).toBe(4096);
    const log: string[] = [];
    server.on('earlyData', (d: Uint8Array, sock: DtlsSocket) => log.push(`early ${dec(d)} secure=${sock.secure}`));
    server.on('secureConnection', () => log.push('secureConnection'));
    const client = connect({ host: '127.0.0.1', port, config: clientConfig, session: ticket, earlyData: [enc('GET /a'), enc('GET /b')] });
    clients.push(client);
    await secure(client);
    expect(client.earlyDataAccepted).toBe(true);
    expect(client.handshakeInfo!.resumed).toBe(true);
    await until(() => accepted.length === 2 && log.includes('secureConnection'));
    // Both datagrams on loopback, delivered once each, before the handshake completed on the server.
    await until(() => log.length >= 3);
    expect(log).toEqual(['early GET /a secure=false', 'early GET /b secure=false', 'secureConnection']);
    const peer = accepted[1]!;
    expect(peer.earlyDataAccepted).toBe(true);
    // The association goes on with ordinary datagrams.
    const got = new Promise<string>((r) => peer.once('message', (d: Uint8Array) => r(dec(d))));
    client.send('after');
    expect(await got).toBe('after');
  });

  it('delivers_early_datagrams_as_messages_right_after_secureConnection_without_a_listener_and_skips_the_cookie_exchange', async () => {
    const { server, port, accepted } = await listen({ sealer: createTicketSealer(provider, randomBytes(32)), maxEarlyDataSize: 4096, cookies: true });
    const ticket = await ticketFrom(port);
    const messages: [string, boolean][] = [];
    server.on('secureConnection', (sock: DtlsSocket) => sock.on('message', (d: Uint8Array, flags?: { early: boolean }) => messages.push([dec(d), flags?.early === true])));
    const client = connect({ host: '127.0.0.1', port, config: clientConfig, session: ticket, earlyData: enc('zero rtt') });
    clients.push(client);
    await secure(client);
    expect(client.earlyDataAccepted).toBe(true);
    // RFC 9147 §5.1: no cookie exchange for a PSK handshake whose 0-RTT is accepted.
    expect(client.handshakeInfo!.helloRetry).toBe(false);
    await until(() => messages.length === 1);
    client.send('one rtt');
    await until(() => messages.length === 2);
    expect(messages).toEqual([['zero rtt', true], ['one rtt', false]]);
    expect(accepted).toHaveLength(2);
  });

  it('sends_refused_early_data_after_the_handshake_and_reports_the_refusal', async () => {
    const sealer = createTicketSealer(provider, randomBytes(32));
    const allowing = await listen({ sealer, maxEarlyDataSize: 4096 });
    const ticket = await ticketFrom(allowing.port);
    // A server with the same ticket key that takes no 0-RTT, with cookies: the client must retry.
    const { server, port } = await listen({ sealer, maxEarlyDataSize: 0, cookies: true });
    const early: Uint8Array[] = [];
    const messages: [string, boolean][] = [];
    server.on('earlyData', (d: Uint8Array) => early.push(d));
    server.on('secureConnection', (sock: DtlsSocket) => sock.on('message', (d: Uint8Array, flags?: { early: boolean }) => messages.push([dec(d), flags?.early === true])));
    const client = connect({ host: '127.0.0.1', port, config: clientConfig, session: ticket, earlyData: [enc('one'), enc('two')] });
    clients.push(client);
    const rejected = new Promise<void>((r) => client.once('earlyDataRejected', () => r()));
    await secure(client);
    await rejected;
    expect(client.earlyDataAccepted).toBe(false);
    expect(client.handshakeInfo!.resumed).toBe(true);
    expect(client.handshakeInfo!.helloRetry).toBe(true);
    await until(() => messages.length === 2);
    expect(messages).toEqual([['one', false], ['two', false]]);
    expect(early).toHaveLength(0);
  });

  it('sends_early_data_after_the_handshake_when_the_session_does_not_allow_it', async () => {
    const { server, port } = await listen({ sealer: createTicketSealer(provider, randomBytes(32)), maxEarlyDataSize: 0 });
    const ticket = await ticketFrom(port);
    expect(ticket.maxEarlyDataSize).toBe(0);
    const messages: string[] = [];
    server.on('secureConnection', (sock: DtlsSocket) => sock.on('message', (d: Uint8Array) => messages.push(dec(d))));
    const client = connect({ host: '127.0.0.1', port, config: clientConfig, session: ticket, earlyData: enc('later') });
    clients.push(client);
    await secure(client);
    expect(client.earlyDataAccepted).toBe(false);
    await until(() => messages.length === 1);
    expect(messages).toEqual(['later']);
    expect(() => connect({ host: '127.0.0.1', port, config: clientConfig, earlyData: 'text' as unknown as Uint8Array })).toThrow(TypeError);
    // Datagram semantics: an early message must fit one datagram, as 0-RTT or after the handshake.
    expect(() => connect({ host: '127.0.0.1', port, config: clientConfig, session: ticket, earlyData: new Uint8Array(5000) })).toThrow(RangeError);
  });
});
