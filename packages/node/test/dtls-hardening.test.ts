/**
 * DTLS over UDP in Node against hostile or broken peers and networks (found in review): a forged
 * source port 0, half-open handshakes, peers that vanish, CID migration onto an occupied address or
 * with a delayed older record, close_notify from a new address, transport errors, and option checks.
 */
import { randomBytes } from 'node:crypto';
import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';
import { afterEach, describe, expect, it } from 'vitest';
import { DtlsClientConnection } from '@puretls/dtls';
import { connect, createServer, dtlsClientConfig, dtlsServerConfig, DtlsSocket, type DtlsServer, type DtlsServerOptions } from '../src/dtls/index.js';
import { chain, pkcs8, provider, verifier } from './helpers/dtls-identity.js';

const serverConfig = (o: { cookies?: boolean; cid?: boolean } = {}) =>
  dtlsServerConfig({
    provider,
    now: Date.now,
    certificates: [{ chain, key: pkcs8 }],
    cookies: o.cookies === false ? false : { secret: randomBytes(32) },
    ...(o.cid ? { connectionIdLength: 8 } : {}),
    retransmitInitial: 200,
  });
const clientConfig = (o: { cid?: boolean } = {}) =>
  dtlsClientConfig({ provider, now: Date.now, verifier, serverName: 'localhost', ...(o.cid ? { connectionIdLength: 4 } : {}), retransmitInitial: 200 });

const cleanup: (() => void | Promise<void>)[] = [];
afterEach(async () => {
  for (const f of cleanup.splice(0).reverse()) await f();
});

async function listen(options: DtlsServerOptions) {
  const server = createServer(options);
  const accepted: DtlsSocket[] = [];
  const errors: { code?: string }[] = [];
  server.on('secureConnection', (s: DtlsSocket) => accepted.push(s));
  server.on('tlsClientError', (e: { code?: string }) => errors.push(e));
  let closed = false;
  cleanup.push(() => {
    if (!closed) return new Promise<void>((r) => server.close(() => r()));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const close = () => {
    closed = true;
    return new Promise<void>((r) => server.close(() => r()));
  };
  return { server, port: server.address().port, accepted, errors, close };
}

async function handshake(port: number, cid = false, ms = 5000) {
  const c = connect({ host: '127.0.0.1', port, config: clientConfig({ cid }) });
  c.on('error', () => undefined);
  cleanup.push(() => c.close());
  await new Promise<void>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error('handshake timed out')), ms);
    c.once('secureConnect', () => {
      clearTimeout(t);
      resolve();
    });
  });
  return c;
}

/** A handshake driven by hand over an existing UDP socket (to reuse its address). */
async function handshakeFrom(udp: Socket, port: number, ms = 5000): Promise<void> {
  const c = new DtlsClientConnection(clientConfig(), { now: Date.now() });
  const flush = () => {
    for (let d = c.pullDatagram(); d !== null; d = c.pullDatagram()) udp.send(d, port, '127.0.0.1');
  };
  let done = false;
  udp.on('message', (m) => {
    c.feedDatagram(new Uint8Array(m.buffer, m.byteOffset, m.length), Date.now());
    if (c.pending) void c.pending.then(flush);
    flush();
    for (let e = c.poll(); e !== null; e = c.poll()) if (e.type === 'handshake_complete') done = true;
  });
  flush();
  const timer = setInterval(() => {
    const t = c.nextTimeout();
    if (t !== null && t <= Date.now()) {
      c.onTimeout(Date.now());
      flush();
    }
  }, 20);
  try {
    await until(() => done || c.error !== null, ms);
  } finally {
    clearInterval(timer);
  }
  expect(c.error).toBeNull();
}

async function udpSocket(): Promise<Socket> {
  const s = createSocket('udp4');
  await new Promise<void>((r) => s.bind(0, '127.0.0.1', r));
  cleanup.push(() => {
    s.close();
  });
  return s;
}

async function until(f: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!f()) {
    if (Date.now() > end) throw new Error('timed out');
    await sleep(5);
  }
}
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const enc = (s: string) => new TextEncoder().encode(s);

/** Collects what escapes to the process while `f` runs (and `settle` ms after). */
async function escaped(f: () => Promise<void>, settle = 0): Promise<string[]> {
  const out: string[] = [];
  const h = (e: unknown) => out.push(`${(e as { code?: string }).code ?? ''} ${String(e)}`);
  process.on('uncaughtException', h);
  process.on('unhandledRejection', h);
  try {
    await f();
    await sleep(settle);
  } finally {
    process.off('uncaughtException', h);
    process.off('unhandledRejection', h);
  }
  return out;
}

describe('DTLS server against forged and hostile datagrams', () => {
  for (const cookies of [true, false]) {
    it(`ignores_a_datagram_from_source_port_0 (cookies ${cookies ? 'on' : 'off'})`, async () => {
      // A forged source port 0 (raw sockets need privileges): fed to the server's handler as dgram would.
      const { server, errors } = await listen({ config: serverConfig({ cookies }) });
      const ch = new DtlsClientConnection(clientConfig(), { now: Date.now() }).pullDatagram() as Uint8Array;
      const rinfo: RemoteInfo = { address: '127.0.0.1', family: 'IPv4', port: 0, size: ch.length };
      const out = await escaped(async () => {
        expect(() => server.udp.emit('message', Buffer.from(ch), rinfo)).not.toThrow();
      }, 500);
      expect(out).toEqual([]);
      expect(server.connections).toBe(0);
      expect(errors).toEqual([]);
    });
  }

  it('fails_an_association_whose_sender_throws_with_TRANSPORT_ERROR_once_instead_of_throwing', () => {
    const conn = new DtlsClientConnection(clientConfig(), { now: Date.now() });
    const sock = new DtlsSocket(conn, () => {
      throw Object.assign(new Error('bad port'), { code: 'ERR_SOCKET_BAD_PORT' });
    }, { address: '127.0.0.1', port: 0 });
    const errors: { code?: string; cause?: { code?: string } }[] = [];
    let closes = 0;
    sock.on('error', (e) => errors.push(e));
    sock.on('close', () => closes++);
    expect(() => sock.pump()).not.toThrow();
    sock.pump();
    sock.close();
    expect(errors.map((e) => [e.code, e.cause?.code])).toEqual([['TRANSPORT_ERROR', 'ERR_SOCKET_BAD_PORT']]);
    expect(closes).toBe(1);
    expect(sock.closed).toBe(true);
  });

  it('ends_a_handshake_that_outlives_handshakeTimeout_and_frees_its_slot', async () => {
    // A peer at a real address that sends its ClientHello and then nothing: without a deadline the
    // engine retransmits for minutes (and waits forever once its flight is acknowledged).
    const { server, port, errors } = await listen({ config: serverConfig({ cookies: false }), maxHandshakes: 1, handshakeTimeout: 400 });
    const silent = await udpSocket();
    silent.send(new DtlsClientConnection(clientConfig(), { now: Date.now() }).pullDatagram() as Uint8Array, port, '127.0.0.1');
    await until(() => server.connections === 1);
    await until(() => server.connections === 0, 2000);
    expect(errors.map((e) => e.code)).toEqual(['HANDSHAKE_TIMEOUT']);
    await handshake(port);
  });

  it('closes_an_established_association_idle_for_idleTimeout_and_keeps_one_that_talks', async () => {
    const { server, port, accepted } = await listen({ config: serverConfig(), maxConnections: 2, idleTimeout: 300 });
    const talking = await handshake(port);
    const gone = await handshake(port);
    await until(() => accepted.length === 2);
    const [, silentPeer] = accepted as [DtlsSocket, DtlsSocket];
    let timedOut = false;
    silentPeer.on('timeout', () => (timedOut = true));
    gone.removeAllListeners('message');
    gone.udp.close(); // vanished without close_notify
    const end = Date.now() + 900;
    while (Date.now() < end) {
      talking.send('still here');
      await sleep(80);
    }
    expect(timedOut).toBe(true);
    expect(silentPeer.closed).toBe(true);
    expect((accepted[0] as DtlsSocket).closed).toBe(false);
    expect(server.connections).toBe(1);
    // Its slot is free again (maxConnections 2).
    await handshake(port);
  });

  it('ends_an_association_displaced_by_a_cid_peer_moving_onto_its_address', async () => {
    const { server, port, accepted, close } = await listen({ config: serverConfig({ cid: true }) });
    const a = await handshake(port, true);
    const b = await handshake(port);
    await until(() => accepted.length === 2);
    const [peerA, peerB] = accepted as [DtlsSocket, DtlsSocket];
    let bClosed = false;
    peerB.on('close', () => (bClosed = true));
    // A record of A's arrives from B's address: A's peer now has that address (its NAT binding), B is gone.
    const got = new Promise((r) => peerA.once('message', r));
    a.connection.send(enc('moved'));
    b.udp.send(a.connection.pullDatagram() as Uint8Array);
    await got;
    await until(() => bClosed);
    expect(peerA.remotePort).toBe(b.udp.address().port);
    expect(server.connections).toBe(1);
    const out = await escaped(close, 1000);
    expect(out).toEqual([]);
    expect(peerA.closed).toBe(true);
  });

  it('forgets_an_association_closed_by_a_close_notify_from_a_new_address', async () => {
    const { server, port, accepted } = await listen({ config: serverConfig({ cid: true }), maxConnections: 1 });
    const a = await handshake(port, true);
    await until(() => accepted.length === 1);
    const moved = await udpSocket();
    a.connection.close();
    moved.send(a.connection.pullDatagram() as Uint8Array, port, '127.0.0.1');
    await until(() => (accepted[0] as DtlsSocket).closed);
    await sleep(50);
    expect(server.connections).toBe(0);
    // The address it closed from is free for a new association (no closed one left in the address map).
    await handshakeFrom(moved, port);
  });

  it('does_not_move_back_for_a_delayed_older_record_from_the_previous_address', async () => {
    const { port, accepted } = await listen({ config: serverConfig({ cid: true }) });
    const a = await handshake(port, true);
    await until(() => accepted.length === 1);
    const peer = accepted[0] as DtlsSocket;
    const moved = await udpSocket();
    const got: string[] = [];
    peer.on('message', (d: Uint8Array) => got.push(new TextDecoder().decode(d)));
    a.connection.send(enc('one'));
    const older = a.connection.pullDatagram() as Uint8Array;
    a.connection.send(enc('two'));
    const newer = a.connection.pullDatagram() as Uint8Array;
    moved.send(newer, port, '127.0.0.1');
    await until(() => peer.remotePort === moved.address().port);
    a.udp.send(older);
    await until(() => got.length === 2);
    expect(got).toEqual(['two', 'one']);
    expect(peer.remotePort).toBe(moved.address().port);
  });

  it('validates_its_options', () => {
    const config = serverConfig();
    const bad: [Record<string, unknown>, typeof TypeError | typeof RangeError, RegExp][] = [
      [{ maxConnections: 'x' }, TypeError, /options\.maxConnections/],
      [{ maxConnections: Number.NaN }, RangeError, /options\.maxConnections/],
      [{ maxConnections: 0 }, RangeError, /options\.maxConnections/],
      [{ maxHandshakes: 1.5 }, RangeError, /options\.maxHandshakes/],
      [{ handshakeTimeout: -1 }, RangeError, /options\.handshakeTimeout/],
      [{ handshakeTimeout: '100' }, TypeError, /options\.handshakeTimeout/],
      [{ idleTimeout: 2 ** 31 }, RangeError, /options\.idleTimeout/],
      [{ idleTimeout: Number.POSITIVE_INFINITY }, RangeError, /options\.idleTimeout/],
      [{ type: 'tcp' }, TypeError, /options\.type/],
    ];
    for (const [extra, type, message] of bad) {
      const make = () => createServer({ config, ...extra } as DtlsServerOptions);
      expect(make, JSON.stringify(extra)).toThrow(type);
      expect(make, JSON.stringify(extra)).toThrow(message);
    }
    expect(() => connect({ host: '127.0.0.1', port: 9, config: clientConfig(), handshakeTimeout: -5 })).toThrow(/options\.handshakeTimeout/);
  });
});

describe('DTLS client transport failures', () => {
  it('fails_once_with_TRANSPORT_ERROR_and_closes_when_nothing_listens', async () => {
    const probe = createSocket('udp4');
    await new Promise<void>((r) => probe.bind(0, '127.0.0.1', r));
    const port = probe.address().port;
    await new Promise<void>((r) => probe.close(() => r()));
    const c = connect({ host: '127.0.0.1', port, config: clientConfig() });
    let closed = false;
    c.on('close', () => (closed = true));
    let first: { code?: string; cause?: { code?: string } } | undefined;
    // once('error'), as with node sockets: a second error would escape.
    const out = await escaped(async () => {
      first = await new Promise((r) => c.once('error', r));
    }, 1200); // several retransmissions (200 ms initial) after the first ECONNREFUSED
    expect(out).toEqual([]);
    expect([first?.code, first?.cause?.code]).toEqual(['TRANSPORT_ERROR', 'ECONNREFUSED']);
    expect(closed).toBe(true);
    expect(c.closed).toBe(true);
  });

  it('fails_with_HANDSHAKE_TIMEOUT_when_the_server_never_finishes_the_handshake', async () => {
    const mute = await udpSocket();
    mute.on('message', () => undefined);
    const c = connect({ host: '127.0.0.1', port: mute.address().port, config: clientConfig(), handshakeTimeout: 300 });
    const err = await new Promise<{ code?: string }>((r) => c.once('error', r));
    expect(err.code).toBe('HANDSHAKE_TIMEOUT');
    expect(c.closed).toBe(true);
  });
});
