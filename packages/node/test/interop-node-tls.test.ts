/**
 * Interop against Node's own TLS (OpenSSL inside node:tls), in process: puretls client →
 * `tls.createServer` and `tls.connect` → puretls server, over every suite × group (ECDSA P-256) and
 * every server key type; plus ALPN, resumption, client certificates and the RFC 8446 §7.5 exporter
 * (both sides must derive the same keying material).
 */
import * as tls from 'node:tls';
import { afterAll, describe, expect, it } from 'vitest';
import type { NamedGroupName } from '@puretls/crypto';
import type { CipherSuiteName } from '@puretls/tls';
import { connect, createServer, type ServerOptions, type TestKeyType, type TLSSocket } from '../src/index.js';
import { makePki, SERVER_KEY_TYPES } from './helpers/pki.js';
import { closeServer, listen, readAll, readUntil, reversed, secure } from './helpers/sockets.js';

const SUITES: readonly CipherSuiteName[] = ['TLS_AES_128_GCM_SHA256', 'TLS_AES_256_GCM_SHA384', 'TLS_CHACHA20_POLY1305_SHA256', 'TLS_AES_128_CCM_SHA256', 'TLS_AES_128_CCM_8_SHA256'];
const GROUPS: readonly NamedGroupName[] = ['x25519', 'x448', 'secp256r1', 'secp384r1', 'secp521r1'];
const NODE_CURVE: Record<NamedGroupName, string> = { x25519: 'X25519', x448: 'X448', secp256r1: 'P-256', secp384r1: 'P-384', secp521r1: 'P-521' } as Record<NamedGroupName, string>;

const pki = makePki();
const closers: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const c of closers) await c();
  pki.cleanup();
});

/** The echo half both servers share: reverse the first line, then end. */
type EchoSocket = { on(event: 'data', f: (d: Buffer) => void): unknown; on(event: 'error', f: () => void): unknown; end(data: string): unknown };
interface ListeningServer {
  on(event: 'tlsClientError', f: () => void): unknown;
  on(event: 'connection', f: (c: import('node:net').Socket) => void): unknown;
}

async function echoServer<S extends EchoSocket, T extends ListeningServer & import('node:net').Server>(
  create: (onSocket: (s: S) => void) => T,
): Promise<{ port: number; sockets: S[] }> {
  const sockets: S[] = [];
  const server = create((s) => {
    sockets.push(s);
    let buf = '';
    s.on('data', (d: Buffer) => {
      buf += d.toString('latin1');
      const nl = buf.indexOf('\n');
      if (nl >= 0) s.end(`${reversed(buf.slice(0, nl))}\n`);
    });
    s.on('error', () => {});
  });
  server.on('tlsClientError', () => {});
  const raw = new Set<import('node:net').Socket>();
  server.on('connection', (c: import('node:net').Socket) => raw.add(c));
  closers.push(() => {
    for (const c of raw) c.destroy();
    return closeServer(server);
  });
  return { port: await listen(server), sockets };
}

/** node:tls server reversing the first line, then ending. */
const nodeServer = (options: tls.TlsOptions) => echoServer<tls.TLSSocket, tls.Server>((on) => tls.createServer(options, on));

/** puretls server doing the same. */
const puretlsServer = (options: ServerOptions) => echoServer<TLSSocket, ReturnType<typeof createServer>>((on) => createServer(options, on));

function nodeConnect(options: tls.ConnectionOptions): Promise<tls.TLSSocket> {
  return new Promise((resolve, reject) => {
    const s = tls.connect({ host: '127.0.0.1', servername: 'localhost', ca: pki.ca.cert, ...options }, () => resolve(s));
    s.once('error', reject);
  });
}

async function exchange(socket: tls.TLSSocket | TLSSocket, line: string): Promise<void> {
  const all = readAll(socket);
  socket.write(`${line}\n`);
  expect((await all).toString()).toBe(`${reversed(line)}\n`);
}

const p256 = pki.servers.get('ec-p256')!;

/** The server side announces its socket a little after the client's secureConnect. */
async function until(cond: () => boolean): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe.concurrent('puretls client → node:tls server', () => {
  for (const suite of SUITES) {
    for (const group of GROUPS) {
      it(`${suite} ${group}`, async () => {
        const { port } = await nodeServer({ cert: p256.cert, key: p256.key, ciphers: suite, ecdhCurve: NODE_CURVE[group], minVersion: 'TLSv1.3' });
        // node:tls option names, as code moving over from node:tls would pass them.
        const socket = await secure(connect({ host: '127.0.0.1', port, servername: 'localhost', ca: pki.ca.cert, ciphers: `${suite}:ECDHE-RSA-AES128-GCM-SHA256`, ecdhCurve: NODE_CURVE[group] }));
        expect(socket.authorized).toBe(true);
        expect(socket.getCipher()?.name).toBe(suite);
        expect(socket.getGroup()).toBe(group);
        await exchange(socket, `${suite} ${group}`);
        expect(socket.closeNotifyReceived).toBe(true);
      });
    }
  }
  for (const key of SERVER_KEY_TYPES) {
    it(`server key ${key}`, async () => {
      const c = pki.servers.get(key as TestKeyType)!;
      const { port } = await nodeServer({ cert: c.cert, key: c.key });
      const socket = await secure(connect({ host: '127.0.0.1', port, servername: 'localhost', ca: pki.ca.cert }));
      expect(socket.authorized).toBe(true);
      await exchange(socket, key);
    });
  }
});

describe.concurrent('node:tls client → puretls server', () => {
  for (const suite of SUITES) {
    for (const group of GROUPS) {
      it(`${suite} ${group}`, async () => {
        const { port, sockets } = await puretlsServer({ cert: p256.cert, key: p256.key });
        const socket = await nodeConnect({ port, ciphers: suite, ecdhCurve: NODE_CURVE[group], minVersion: 'TLSv1.3' });
        expect(socket.authorized).toBe(true);
        expect(socket.getCipher().name).toBe(suite);
        expect(socket.getEphemeralKeyInfo()).toMatchObject({ name: NODE_CURVE[group] === 'P-256' ? 'prime256v1' : NODE_CURVE[group] === 'P-384' ? 'secp384r1' : NODE_CURVE[group] === 'P-521' ? 'secp521r1' : NODE_CURVE[group] });
        await exchange(socket, `${suite} ${group}`);
        expect(sockets[0]?.getGroup()).toBe(group);
      });
    }
  }
  for (const key of SERVER_KEY_TYPES) {
    it(`server key ${key}`, async () => {
      const c = pki.servers.get(key as TestKeyType)!;
      const { port } = await puretlsServer({ cert: c.cert, key: c.key });
      const socket = await nodeConnect({ port });
      expect(socket.authorized).toBe(true);
      await exchange(socket, key);
    });
  }
});

describe.concurrent('node:tls features', () => {
  it('ALPN and the exporter agree both ways', async () => {
    const a = await nodeServer({ cert: p256.cert, key: p256.key, ALPNProtocols: ['h2', 'http/1.1'] });
    const c1 = await secure(connect({ host: '127.0.0.1', port: a.port, servername: 'localhost', ca: pki.ca.cert, ALPNProtocols: ['http/1.1'] }));
    expect(c1.alpnProtocol).toBe('http/1.1');
    const ctx = Buffer.from('context');
    await until(() => a.sockets.length > 0);
    expect(a.sockets[0]?.exportKeyingMaterial(32, 'EXPORTER-puretls', ctx).toString('hex')).toBe(c1.exportKeyingMaterial(32, 'EXPORTER-puretls', ctx).toString('hex'));
    await exchange(c1, 'alpn');

    const b = await puretlsServer({ cert: p256.cert, key: p256.key, ALPNProtocols: ['h2', 'http/1.1'] });
    const c2 = await nodeConnect({ port: b.port, ALPNProtocols: ['h2'] });
    expect(c2.alpnProtocol).toBe('h2');
    await until(() => b.sockets.length > 0);
    expect(b.sockets[0]?.alpnProtocol).toBe('h2');
    expect(b.sockets[0]?.exportKeyingMaterial(48, 'EXPORTER-x', ctx).toString('hex')).toBe(c2.exportKeyingMaterial(48, 'EXPORTER-x', ctx).toString('hex'));
    await exchange(c2, 'alpn');
  });

  it('resumption both ways', async () => {
    const a = await nodeServer({ cert: p256.cert, key: p256.key });
    const first = connect({ host: '127.0.0.1', port: a.port, servername: 'localhost', ca: pki.ca.cert });
    const session = new Promise<Buffer>((r) => first.once('session', r));
    await secure(first);
    await exchange(first, 'one');
    const resumed = await secure(connect({ host: '127.0.0.1', port: a.port, servername: 'localhost', ca: pki.ca.cert, session: await session }));
    expect(resumed.isSessionReused()).toBe(true);
    await exchange(resumed, 'two');

    const b = await puretlsServer({ cert: p256.cert, key: p256.key });
    const n1 = tls.connect({ host: '127.0.0.1', port: b.port, servername: 'localhost', ca: pki.ca.cert });
    const nodeSession = new Promise<Buffer>((r) => n1.once('session', r));
    await new Promise((r) => n1.once('secureConnect', r));
    await exchange(n1, 'one');
    const n2 = await nodeConnect({ port: b.port, session: await nodeSession });
    expect(n2.isSessionReused()).toBe(true);
    await exchange(n2, 'two');
    expect(b.sockets.map((s) => s.isSessionReused())).toEqual([false, true]);
  });

  it('client certificates both ways', async () => {
    const a = await nodeServer({ cert: p256.cert, key: p256.key, requestCert: true, rejectUnauthorized: true, ca: pki.ca.cert });
    const c1 = await secure(connect({ host: '127.0.0.1', port: a.port, servername: 'localhost', ca: pki.ca.cert, cert: pki.client.cert, key: pki.client.key }));
    await exchange(c1, 'mtls');
    expect(a.sockets[0]?.authorized).toBe(true);
    expect(a.sockets[0]?.getPeerCertificate().subject.CN).toBe('puretls client');

    const b = await puretlsServer({ cert: p256.cert, key: p256.key, requestCert: true, ca: pki.ca.cert });
    const c2 = await nodeConnect({ port: b.port, cert: pki.client.cert, key: pki.client.key });
    await exchange(c2, 'mtls');
    expect(b.sockets[0]?.authorized).toBe(true);
    expect(b.sockets[0]?.getPeerCertificate()).toMatchObject({ subject: { CN: 'puretls client' } });
  });

  it('rejectUnauthorized: false connects to an untrusted server and reports why', async () => {
    const a = await nodeServer({ cert: pki.stranger.cert, key: pki.stranger.key });
    const socket = await secure(connect({ host: '127.0.0.1', port: a.port, servername: 'localhost', ca: pki.ca.cert, rejectUnauthorized: false }));
    expect(socket.authorized).toBe(false);
    expect(socket.authorizationError).toBe('UNABLE_TO_GET_ISSUER_CERT_LOCALLY');
    const reply = readUntil(socket, '\n');
    socket.write('x\n');
    expect(await reply).toBe('x\n');
  });
});
