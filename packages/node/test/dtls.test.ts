/**
 * DTLS 1.3 over real UDP on 127.0.0.1 through `@puretls/node/dtls`: client and server, with and
 * without cookies and connection IDs, KeyUpdate, and a 2 MiB transfer (the application numbers and
 * acknowledges its datagrams: DTLS itself does not retransmit application data).
 */
import { createHash, randomBytes } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { afterEach, describe, expect, it } from 'vitest';
import { createTicketSealer, decodeSession, encodeSession, type CertificateVerifier } from '@puretls/tls';
import { connect, createServer, dtlsClientConfig, dtlsServerConfig, type ClientTicket, type DtlsServer, type DtlsSocket } from '../src/dtls/index.js';
import { chain, pkcs8, provider, verifier } from './helpers/dtls-identity.js';

const servers: DtlsServer[] = [];
const clients: DtlsSocket[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  await Promise.all(servers.splice(0).map((s) => new Promise<void>((r) => s.close(() => r()))));
});

interface Setup {
  cookies?: boolean;
  cid?: boolean;
}

async function start(o: Setup) {
  const serverConfig = dtlsServerConfig({
    provider,
    now: Date.now,
    certificates: [{ chain, key: pkcs8 }],
    cookies: o.cookies ? { secret: randomBytes(32) } : false,
    ...(o.cid ? { connectionIdLength: 8 } : {}),
    retransmitInitial: 200,
  });
  const accepted: DtlsSocket[] = [];
  const server = createServer({ config: serverConfig }, (s) => accepted.push(s));
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address();
  const clientConfig = dtlsClientConfig({ provider, now: Date.now, verifier, serverName: 'localhost', ...(o.cid ? { connectionIdLength: 4 } : {}), retransmitInitial: 200 });
  const client = connect({ host: '127.0.0.1', port, config: clientConfig });
  clients.push(client);
  await new Promise<void>((resolve, reject) => {
    client.once('secureConnect', () => resolve());
    client.once('error', reject);
  });
  await until(() => accepted.length === 1);
  return { server, client, peer: accepted[0] as DtlsSocket };
}

async function until(f: () => boolean, ms = 10000): Promise<void> {
  const end = Date.now() + ms;
  while (!f()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 5));
  }
}

async function echoOnce(client: DtlsSocket, peer: DtlsSocket, text: string): Promise<string> {
  const got = new Promise<string>((r) => client.once('message', (d: Uint8Array) => r(new TextDecoder().decode(d))));
  peer.once('message', (d: Uint8Array) => peer.send(Uint8Array.from([...new TextEncoder().encode('echo:'), ...d])));
  client.send(text);
  return got;
}

describe('DTLS 1.3 over UDP on 127.0.0.1', () => {
  for (const o of [{}, { cookies: true }, { cid: true }, { cookies: true, cid: true }] as Setup[]) {
    it(`handshakes_and_echoes (cookies ${o.cookies ? 'on' : 'off'}, CIDs ${o.cid ? 'on' : 'off'})`, async () => {
      const { client, peer } = await start(o);
      expect(client.handshakeInfo?.version).toBe('DTLSv1.3');
      expect(client.handshakeInfo?.helloRetry).toBe(o.cookies === true);
      expect(client.handshakeInfo?.connectionId === null).toBe(o.cid !== true);
      expect(await echoOnce(client, peer, 'hello')).toBe('echo:hello');
    });
  }

  it('updates_keys_both_ways_and_keeps_talking', async () => {
    const { client, peer } = await start({ cookies: true, cid: true });
    const updates: string[] = [];
    client.on('keyUpdate', (d: string) => updates.push(`client:${d}`));
    peer.on('keyUpdate', (d: string) => updates.push(`server:${d}`));
    client.keyUpdate(true);
    await until(() => updates.length === 4);
    expect(updates.sort()).toEqual(['client:read', 'client:write', 'server:read', 'server:write']);
    expect(client.connection.epoch).toBe(4);
    expect(await echoOnce(client, peer, 'after update')).toBe('echo:after update');
  });

  it('follows_a_client_that_moves_to_a_new_port_by_its_connection_id', async () => {
    const { server, client, peer } = await start({ cid: true });
    // Re-send a protected record from another socket: the server finds the association by CID.
    const moved = createSocket('udp4');
    await new Promise<void>((r) => moved.bind(0, '127.0.0.1', r));
    const got = new Promise<string>((r) => peer.once('message', (d: Uint8Array) => r(new TextDecoder().decode(d))));
    client.connection.send(new TextEncoder().encode('from a new port'));
    const d = client.connection.pullDatagram() as Uint8Array;
    moved.send(d, server.address().port, '127.0.0.1');
    expect(await got).toBe('from a new port');
    await until(() => peer.remotePort === moved.address().port);
    moved.close();
  });

  it('starts_a_new_association_from_the_same_address_and_drops_the_old_one_only_once_it_completes', async () => {
    const { server, client, peer } = await start({ cookies: true });
    const udp = client.udp;
    udp.removeAllListeners('message');
    // The same host/port starts over (a reboot): epoch 0 ClientHello on a known address (RFC 9147 §5.11).
    const { DtlsClientConnection } = await import('@puretls/dtls');
    const fresh = new DtlsClientConnection(dtlsClientConfig({ provider, now: Date.now, verifier, serverName: 'localhost' }), { now: Date.now() });
    let oldClosed = false;
    peer.once('close', () => (oldClosed = true));
    const second = new Promise<DtlsSocket>((r) => server.once('secureConnection', r));
    const flush = () => {
      for (let d = fresh.pullDatagram(); d !== null; d = fresh.pullDatagram()) udp.send(d);
    };
    udp.on('message', (m) => {
      fresh.feedDatagram(new Uint8Array(m.buffer, m.byteOffset, m.length), Date.now());
      if (fresh.pending) void fresh.pending.then(flush);
      flush();
    });
    flush();
    const s2 = await second;
    expect(s2).not.toBe(peer);
    await until(() => oldClosed);
    expect(server.connections).toBe(1);
    expect(fresh.handshakeInfo?.helloRetry).toBe(true);
  });

  it('carries_2_MiB_intact', async () => {
    const { client, peer } = await start({ cookies: true, cid: true });
    const payload = randomBytes(2 << 20);
    const size = client.maxDatagramPayload - 4;
    const n = Math.ceil(payload.length / size);
    const got: (Buffer | undefined)[] = new Array(n);
    let received = 0;
    peer.on('message', (d: Uint8Array) => {
      const i = new DataView(d.buffer, d.byteOffset).getUint32(0);
      if (got[i] === undefined) {
        got[i] = Buffer.from(d.subarray(4));
        received++;
      }
      const a = new Uint8Array(4);
      new DataView(a.buffer).setUint32(0, i);
      peer.send(a);
    });
    const acked = new Uint8Array(n);
    let ackedCount = 0;
    client.on('message', (d: Uint8Array) => {
      const i = new DataView(d.buffer, d.byteOffset).getUint32(0);
      if (i < n && acked[i] === 0) {
        acked[i] = 1;
        ackedCount++;
      }
    });
    const chunk = (i: number) => {
      const body = payload.subarray(i * size, Math.min(payload.length, (i + 1) * size));
      const d = new Uint8Array(4 + body.length);
      new DataView(d.buffer).setUint32(0, i);
      d.set(body, 4);
      return d;
    };
    const sentAt = new Float64Array(n);
    let next = 0;
    const deadline = Date.now() + 60000;
    while (ackedCount < n) {
      if (Date.now() > deadline) throw new Error(`stalled at ${ackedCount}/${n}`);
      let inFlight = next - ackedCount;
      while (inFlight < 64 && next < n) {
        client.send(chunk(next));
        sentAt[next++] = Date.now();
        inFlight++;
      }
      // Resend what has waited too long (UDP may drop under load even on loopback).
      const now = Date.now();
      for (let i = 0; i < next; i++) {
        if (acked[i] === 0 && now - (sentAt[i] as number) > 300) {
          client.send(chunk(i));
          sentAt[i] = now;
        }
      }
      await new Promise((r) => setImmediate(r));
    }
    expect(received).toBe(n);
    const all = Buffer.concat(got as Buffer[]);
    expect(createHash('sha256').update(all).digest('hex')).toBe(createHash('sha256').update(payload).digest('hex'));
  });
});

describe('DTLS 1.3 resumption over UDP on 127.0.0.1', () => {
  it('resumes_with_a_session_from_the_session_event', async () => {
    const serverConfig = dtlsServerConfig({
      provider,
      now: Date.now,
      certificates: [{ chain, key: pkcs8 }],
      cookies: { secret: randomBytes(32) },
      ticketSealer: createTicketSealer(provider, new Uint8Array(randomBytes(32))),
      retransmitInitial: 200,
    });
    const accepted: DtlsSocket[] = [];
    const server = createServer({ config: serverConfig }, (s) => accepted.push(s));
    servers.push(server);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const { port } = server.address();
    let verifications = 0;
    const countingVerifier: CertificateVerifier = {
      async verify(req) {
        verifications++;
        return verifier.verify(req);
      },
    } as CertificateVerifier;
    const clientConfig = dtlsClientConfig({ provider, now: Date.now, verifier: countingVerifier, serverName: 'localhost', retransmitInitial: 200 });

    const open = async (session?: ClientTicket) => {
      const c = connect({ host: '127.0.0.1', port, config: clientConfig, ...(session === undefined ? {} : { session }) });
      clients.push(c);
      const tickets: ClientTicket[] = [];
      c.on('session', (t: ClientTicket) => tickets.push(t));
      await new Promise<void>((resolve, reject) => {
        c.once('secureConnect', () => resolve());
        c.once('error', reject);
      });
      return { c, tickets };
    };

    const first = await open();
    expect(first.c.handshakeInfo?.resumed).toBe(false);
    // The ticket is a post-handshake message: it arrives after secureConnect.
    await until(() => first.tickets.length > 0);
    expect(verifications).toBe(1);
    // The ticket survives the engine's session encoding (what the CLI writes with -sess_out).
    const stored = decodeSession(encodeSession(first.tickets[0] as ClientTicket));
    first.c.close();

    const second = await open(stored);
    expect(second.c.handshakeInfo?.resumed).toBe(true);
    expect(verifications).toBe(1);
    await until(() => accepted.length === 2);
    const peer = accepted[1] as DtlsSocket;
    expect(peer.handshakeInfo?.resumed).toBe(true);
    expect(await echoOnce(second.c, peer, 'again')).toBe('echo:again');
  });
});

describe('DTLS client socket closed while its first flight waits for the provider', () => {
  it('abandons_the_handshake_without_sending_on_the_closed_udp_socket', async () => {
    const sink = createSocket('udp4');
    const got: Buffer[] = [];
    sink.on('message', (m) => got.push(m));
    await new Promise<void>((resolve) => sink.bind(0, '127.0.0.1', () => resolve()));
    // A provider still loading (the lazy noble provider's first connection) for 50 ms.
    const slow = { ...provider, prepare: () => new Promise<void>((resolve) => setTimeout(resolve, 50)) };
    const config = dtlsClientConfig({ provider: slow, now: Date.now, verifier, serverName: 'localhost' });
    const escaped: unknown[] = [];
    const onEscape = (e: unknown): void => void escaped.push(e);
    process.on('unhandledRejection', onEscape);
    try {
      const sock = connect({ host: '127.0.0.1', port: sink.address().port, config });
      const closed = new Promise<void>((resolve) => sock.once('close', () => resolve()));
      sock.on('error', (e) => escaped.push(e));
      await new Promise((resolve) => setTimeout(resolve, 15));
      expect(sock.connection.state).toBe('Waiting:Provider');
      sock.close();
      await closed;
      // The wait ends after the UDP socket closed: its flight must not be sent (it threw before).
      await new Promise((resolve) => setTimeout(resolve, 80));
    } finally {
      process.off('unhandledRejection', onEscape);
      sink.close();
    }
    expect(escaped).toEqual([]);
    expect(got).toEqual([]);
  });
});
