/**
 * Two node:tls behaviours checked against real peers on 127.0.0.1:
 * - `getFinished()` / `getPeerFinished()`: the verify_data of our and the peer's Finished (RFC 8446
 *   §4.4.4), byte-equal to what node:tls reports on the other end and to what `openssl -msg` prints;
 * - `authorized` after resumption: the verification outcome travels with the session, is restored on
 *   resumption (as node:tls restores it from the OpenSSL session), and a session whose server failed
 *   verification is not resumed when `rejectUnauthorized` is true; on the server, a resumed client keeps
 *   the certificate it authenticated with (`authorized`, `getPeerCertificate()`), as with node:tls.
 */
import * as tls from 'node:tls';
import { afterAll, describe, expect, it } from 'vitest';
import { connect, createServer, decodeSession, encodeSession, type ConnectOptions, type Server, type TLSSocket } from '../src/index.js';
import { killAll, sServer } from './helpers/openssl.js';
import { makePki } from './helpers/pki.js';
import { closeServer, failure, listen, readAll, secure } from './helpers/sockets.js';

const pki = makePki();
const p256 = pki.servers.get('ec-p256')!;
const closers: (() => Promise<void>)[] = [];
afterAll(async () => {
  killAll();
  for (const c of closers) await c();
  pki.cleanup();
});

function track(server: Server | tls.Server): void {
  const raw = new Set<import('node:net').Socket>();
  server.on('connection', (c: import('node:net').Socket) => raw.add(c));
  server.on('tlsClientError', () => {});
  closers.push(async () => {
    for (const c of raw) c.destroy();
    await closeServer(server);
  });
}

const hex = (b: Buffer | undefined): string => (b === undefined ? 'undefined' : b.toString('hex'));

describe('getFinished() / getPeerFinished()', () => {
  it('puretls client ↔ node:tls server: each side sent what the other received', async () => {
    const seen: { finished: string; peer: string }[] = [];
    const server = tls.createServer({ cert: p256.cert, key: p256.key, ciphers: 'TLS_AES_256_GCM_SHA384' }, (s) => {
      seen.push({ finished: hex(s.getFinished()), peer: hex(s.getPeerFinished()) });
      s.on('error', () => {});
      s.end('x');
    });
    track(server);
    const port = await listen(server);
    const c = connect({ host: '127.0.0.1', port, servername: 'localhost', ca: pki.ca.cert, cipherSuites: ['TLS_AES_256_GCM_SHA384'] });
    expect(c.getFinished()).toBeUndefined();
    await secure(c);
    await readAll(c);
    expect(seen).toHaveLength(1);
    // SHA-384 suite: 48-byte verify_data, as node returns it (not the 52-byte message).
    expect(c.getFinished()?.length).toBe(48);
    expect(hex(c.getFinished())).toBe(seen[0]?.peer);
    expect(hex(c.getPeerFinished())).toBe(seen[0]?.finished);
  });

  it('node:tls client ↔ puretls server: the same, the other way round', async () => {
    const seen: { finished: string; peer: string }[] = [];
    const server = createServer({ cert: p256.cert, key: p256.key }, (s: TLSSocket) => {
      seen.push({ finished: hex(s.getFinished()), peer: hex(s.getPeerFinished()) });
      s.end('x');
    });
    track(server);
    const port = await listen(server);
    const c = tls.connect({ host: '127.0.0.1', port, servername: 'localhost', ca: pki.ca.cert });
    await new Promise<void>((resolve, reject) => {
      c.once('secureConnect', () => resolve());
      c.once('error', reject);
    });
    const mine = { finished: hex(c.getFinished()), peer: hex(c.getPeerFinished()) };
    await readAll(c);
    expect(seen).toHaveLength(1);
    expect(mine.finished).toHaveLength(64);
    expect(seen[0]?.peer).toBe(mine.finished);
    expect(seen[0]?.finished).toBe(mine.peer);
  });

  it('puretls client ↔ openssl s_server -msg: the Finished messages it printed', async () => {
    const s = await sServer(['-cert', p256.certFile, '-key', p256.keyFile, '-tls1_3', '-msg', '-naccept', '1']);
    const c = await secure(connect({ host: '127.0.0.1', port: s.port, servername: 'localhost', ca: pki.ca.cert }));
    await s.waitFor(/<<< TLS 1.3, Handshake \[length 0024\], Finished\n(?:\s+(?:[0-9a-f]{2} ?)+\n){3}/);
    const sent = hex(c.getFinished());
    const received = hex(c.getPeerFinished());
    c.end();
    await s.exited;
    // openssl dumps each message as hex, header first: 14 00 00 20 then the 32-byte verify_data.
    const dump = (dir: '>>>' | '<<<'): string => {
      const m = new RegExp(`${dir} TLS 1.3, Handshake \\[length 0024\\], Finished\\n((?:\\s+(?:[0-9a-f]{2} ?)+\\n){3})`).exec(s.stdout() + s.stderr());
      return (m?.[1] ?? '').replace(/\s+/g, '');
    };
    expect(dump('<<<')).toBe(`14000020${sent}`);
    expect(dump('>>>')).toBe(`14000020${received}`);
  });
});

describe('authorized after resumption', () => {
  async function ticketServer(cert: { cert: string; key: string }): Promise<{ port: number; resumed: boolean[] }> {
    const resumed: boolean[] = [];
    const server = createServer({ cert: cert.cert, key: cert.key }, (s: TLSSocket) => {
      resumed.push(s.isSessionReused());
      s.end('ok');
    });
    track(server);
    return { port: await listen(server), resumed };
  }

  async function firstSession(port: number, extra: Partial<ConnectOptions> = {}): Promise<{ socket: TLSSocket; session: Buffer }> {
    const c = connect({ host: '127.0.0.1', port, servername: 'localhost', ca: pki.ca.cert, ...extra });
    const session = new Promise<Buffer>((r) => c.once('session', r));
    await secure(c);
    await readAll(c);
    return { socket: c, session: await session };
  }

  it('a session from a connection whose verification failed resumes unauthorized, with the same error', async () => {
    const { port, resumed } = await ticketServer(pki.stranger);
    const first = await firstSession(port, { rejectUnauthorized: false });
    expect(first.socket.authorized).toBe(false);
    const why = first.socket.authorizationError;
    expect(why).toBe('UNABLE_TO_GET_ISSUER_CERT_LOCALLY');
    const socket = connect({ host: '127.0.0.1', port, servername: 'localhost', ca: pki.ca.cert, rejectUnauthorized: false, session: first.session });
    // Our server sends its ticket with its first flight: it can arrive with the handshake's end.
    const again = new Promise<Buffer>((r) => socket.once('session', r));
    const second = await secure(socket);
    await readAll(second);
    expect(second.isSessionReused()).toBe(true);
    expect(second.authorized).toBe(false);
    expect(second.authorizationError).toBe(why);
    // A ticket received on the resumed connection carries the outcome on.
    expect(decodeSession(await again)).toMatchObject({ authorized: false, authorizationError: why });
    expect(resumed).toEqual([false, true]);
  });

  it('with rejectUnauthorized such a session is not offered: the full handshake fails verification again', async () => {
    const { port, resumed } = await ticketServer(pki.stranger);
    const first = await firstSession(port, { rejectUnauthorized: false });
    const err = await failure(connect({ host: '127.0.0.1', port, servername: 'localhost', ca: pki.ca.cert, session: first.session }));
    // Node resumes and then fails with the recorded error; here the same error comes from verifying again.
    expect(err).toMatchObject({ code: 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY' });
    expect(resumed).toEqual([false]);
  });

  it('a session from a verified connection resumes authorized, with or without rejectUnauthorized', async () => {
    const { port, resumed } = await ticketServer(p256);
    const first = await firstSession(port);
    expect(first.socket.authorized).toBe(true);
    const second = await secure(connect({ host: '127.0.0.1', port, servername: 'localhost', ca: pki.ca.cert, session: first.session }));
    await readAll(second);
    expect(second.isSessionReused()).toBe(true);
    expect(second.authorized).toBe(true);
    expect(second.authorizationError).toBeUndefined();
    expect(resumed).toEqual([false, true]);
  });

  it('a session is offered only for the server name it came from (RFC 8446 §4.2.11)', async () => {
    const { port, resumed } = await ticketServer(p256);
    const first = await firstSession(port);
    const other = await secure(
      connect({ host: '127.0.0.1', port, servername: 'other.test', ca: pki.ca.cert, checkServerIdentity: () => undefined, session: first.session }),
    );
    await readAll(other);
    expect(other.isSessionReused()).toBe(false);
    expect(resumed).toEqual([false, false]);
  });

  it('the session bytes carry the outcome; anything else is not a session', async () => {
    const { port } = await ticketServer(p256);
    const { session } = await firstSession(port);
    const decoded = decodeSession(session);
    expect(decoded).toMatchObject({ authorized: true, authorizationError: undefined });
    const ticket = decoded!.ticket;
    const failed = encodeSession(ticket, { authorized: false, authorizationError: 'CERT_HAS_EXPIRED' });
    expect(decodeSession(failed)).toMatchObject({ authorized: false, authorizationError: 'CERT_HAS_EXPIRED' });
    // The engine's bare encoding (no recorded outcome), a truncated or contradictory one: refused.
    const { encodeSession: engineEncode } = await import('@puretls/tls');
    expect(decodeSession(engineEncode(ticket))).toBeNull();
    expect(decodeSession(session.subarray(0, session.length - 1))).toBeNull();
    const contradictory = Buffer.from(session);
    contradictory[4] = 0; // "not authorized" but no error recorded
    expect(decodeSession(contradictory)).toBeNull();
    expect(decodeSession(new Uint8Array(0))).toBeNull();
  });
});

describe('a server resuming a client that authenticated with a certificate', () => {
  async function mtlsServer(extra: Record<string, unknown>): Promise<{ port: number; seen: { reused: boolean; authorized: boolean; error: string | undefined; subject: string | undefined }[] }> {
    const seen: { reused: boolean; authorized: boolean; error: string | undefined; subject: string | undefined }[] = [];
    const server = createServer({ cert: p256.cert, key: p256.key, requestCert: true, ca: pki.ca.cert, ...extra }, (s: TLSSocket) => {
      const cert = s.getPeerCertificate() as { subject?: { CN?: string } };
      seen.push({ reused: s.isSessionReused(), authorized: s.authorized, error: s.authorizationError, subject: cert.subject?.CN });
      s.end('ok');
    });
    track(server);
    return { port: await listen(server), seen };
  }

  async function twice(port: number, client: { cert: string; key: string }, extra: Partial<ConnectOptions> = {}): Promise<void> {
    const first = await firstSessionWith(port, { cert: client.cert, key: client.key, ...extra });
    const second = await secure(connect({ host: '127.0.0.1', port, servername: 'localhost', ca: pki.ca.cert, cert: client.cert, key: client.key, session: first, ...extra }));
    await readAll(second);
    expect(second.isSessionReused()).toBe(true);
  }

  async function firstSessionWith(port: number, extra: Partial<ConnectOptions>): Promise<Buffer> {
    const c = connect({ host: '127.0.0.1', port, servername: 'localhost', ca: pki.ca.cert, ...extra });
    const session = new Promise<Buffer>((r) => c.once('session', r));
    await secure(c);
    await readAll(c);
    return session;
  }

  it('rejectUnauthorized (default): the resumed socket is authorized and reports the same certificate', async () => {
    const { port, seen } = await mtlsServer({});
    await twice(port, pki.client);
    expect(seen).toEqual([
      { reused: false, authorized: true, error: undefined, subject: 'puretls client' },
      { reused: true, authorized: true, error: undefined, subject: 'puretls client' },
    ]);
  });

  it('rejectUnauthorized: false with an untrusted client certificate: resumed unauthorized, with the same error', async () => {
    const { port, seen } = await mtlsServer({ rejectUnauthorized: false });
    await twice(port, pki.stranger);
    expect(seen).toHaveLength(2);
    expect(seen[0]).toMatchObject({ reused: false, authorized: false });
    expect(seen[0]?.error).toMatch(/^[A-Z_]+$/);
    expect(seen[1]).toEqual({ ...seen[0], reused: true });
  });

  it('node:tls as the client: the same on the server', async () => {
    const { port, seen } = await mtlsServer({});
    const opts = { host: '127.0.0.1', port, servername: 'localhost', ca: pki.ca.cert, cert: pki.client.cert, key: pki.client.key, minVersion: 'TLSv1.3' as const };
    const c1 = tls.connect(opts);
    const session = await new Promise<Buffer>((resolve, reject) => {
      c1.once('session', resolve);
      c1.once('error', reject);
    });
    c1.on('data', () => {});
    await new Promise((r) => c1.on('close', r));
    const c2 = tls.connect({ ...opts, session });
    await new Promise<void>((resolve, reject) => {
      c2.once('secureConnect', () => resolve());
      c2.once('error', reject);
    });
    expect(c2.isSessionReused()).toBe(true);
    c2.on('data', () => {});
    await new Promise((r) => c2.on('close', r));
    expect(seen.map((x) => [x.reused, x.authorized, x.subject])).toEqual([
      [false, true, 'puretls client'],
      [true, true, 'puretls client'],
    ]);
  });
});
