/**
 * The binding's own behaviour, puretls against puretls over real TCP on 127.0.0.1: back-pressure both
 * ways, key logging (`'keylog'`, SSLKEYLOGFILE), `SNICallback`, `checkServerIdentity`,
 * `rejectUnauthorized`, the node:tls-shaped accessors, errors for caller mistakes, and the
 * ClientHello SNI peek that SNICallback relies on.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Duplex } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { connect, createSecureContext, createServer, peekServerName, type ConnectOptions, type Server, type ServerOptions, type TLSSocket } from '../src/index.js';
import { makePki } from './helpers/pki.js';
import { closeServer, failure, listen, readAll, secure, sha256 } from './helpers/sockets.js';

const pki = makePki();
const p256 = pki.servers.get('ec-p256')!;
const servers: Server[] = [];
const connections = new Set<import('node:net').Socket>();
afterAll(async () => {
  for (const c of connections) c.destroy();
  for (const s of servers) await closeServer(s);
  pki.cleanup();
});

async function serve(options: ServerOptions, onSocket: (s: TLSSocket) => void): Promise<number> {
  const server = createServer({ cert: p256.cert, key: p256.key, ...options }, onSocket);
  server.on('tlsClientError', () => {});
  server.on('connection', (c: import('node:net').Socket) => connections.add(c));
  servers.push(server);
  return listen(server);
}

function client(port: number, extra: Partial<ConnectOptions> = {}): TLSSocket {
  return connect({ host: '127.0.0.1', port, servername: 'localhost', ca: pki.ca.cert, ...extra });
}

describe('back-pressure', () => {
  it('a reader that does not read pauses the transport; writes wait for the transport to drain', async () => {
    // More than the loopback socket buffers can hold, so the sender has to wait.
    const big = randomBytes(24 * 1024 * 1024);
    let serverSide: TLSSocket | null = null;
    let firstWriteReturned: boolean | null = null;
    const port = await serve({}, (s) => {
      serverSide = s;
      firstWriteReturned = s.write(big);
      s.end();
    });
    const c = await secure(client(port));
    c.pause();
    const deadline = Date.now() + 15_000;
    while (!c.transport.isPaused() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    await new Promise((r) => setTimeout(r, 100));
    // Our readable side is full: the TCP socket under it stopped being read.
    expect(c.readableLength).toBeGreaterThan(0);
    expect(c.readableLength).toBeLessThan(big.length);
    expect(c.transport.isPaused()).toBe(true);
    expect(firstWriteReturned).toBe(false);
    // The server's write is not complete until its TCP socket drained: it is still counted as buffered.
    expect(serverSide!.writableLength).toBe(big.length);
    const all = await readAll(c.resume());
    expect(sha256(all)).toBe(sha256(big));
    expect(c.closeNotifyReceived).toBe(true);
  });
});

describe('key logging', () => {
  it("emits 'keylog' lines (NSS format) and appends them to SSLKEYLOGFILE", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'puretls-keylog-'));
    const file = join(dir, 'keys.log');
    const before = process.env['SSLKEYLOGFILE'];
    process.env['SSLKEYLOGFILE'] = file;
    try {
      const port = await serve({}, (s) => {
        s.end('x');
      });
      const c = client(port);
      const clientLines: string[] = [];
      c.on('keylog', (line: Buffer) => clientLines.push(line.toString()));
      await secure(c);
      await readAll(c);
      expect(clientLines.map((l) => l.split(' ')[0]).sort()).toEqual([
        'CLIENT_HANDSHAKE_TRAFFIC_SECRET', 'CLIENT_TRAFFIC_SECRET_0', 'EXPORTER_SECRET', 'SERVER_HANDSHAKE_TRAFFIC_SECRET', 'SERVER_TRAFFIC_SECRET_0',
      ]);
      for (const l of clientLines) expect(l).toMatch(/^[A-Z_0-9]+ [0-9a-f]{64} [0-9a-f]{64}\n$/);
      const logged = readFileSync(file, 'utf8');
      // Both ends of the connection wrote to the same file: every client line is there, twice.
      for (const l of clientLines) expect(logged.split(l).length - 1).toBe(2);
    } finally {
      if (before === undefined) delete process.env['SSLKEYLOGFILE'];
      else process.env['SSLKEYLOGFILE'] = before;
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('identity and trust', () => {
  it('SNICallback chooses the certificate by the name in the ClientHello', async () => {
    const other = createSecureContext({ cert: pki.other.cert, key: pki.other.key });
    const asked: string[] = [];
    const port = await serve(
      {
        SNICallback: (name, cb) => {
          asked.push(name);
          setTimeout(() => cb(null, name === 'other.test' ? other : undefined), 5);
        },
      },
      (s) => s.end(String(s.servername)),
    );
    const a = await secure(client(port, { servername: 'other.test' }));
    expect(a.getPeerCertificate()).toMatchObject({ subject: { CN: 'other.test' } });
    expect((await readAll(a)).toString()).toBe('other.test');
    const b = await secure(client(port, { servername: 'localhost' }));
    expect(b.getPeerCertificate()).toMatchObject({ subject: { CN: 'localhost' } });
    expect((await readAll(b)).toString()).toBe('localhost');
    expect(asked).toEqual(['other.test', 'localhost']);
  });

  it('the name is checked: a certificate for another host is refused, or accepted by a custom checkServerIdentity', async () => {
    const port = await serve({}, (s) => s.end('ok'));
    const err = await failure(client(port, { servername: 'wrong.test' }));
    expect(err).toMatchObject({ alert: 'bad_certificate' });
    const seen: string[] = [];
    const c = await secure(
      client(port, {
        servername: 'wrong.test',
        checkServerIdentity: (host, cert) => {
          seen.push(`${host} ${String(cert.subject['CN'])}`);
          return undefined;
        },
      }),
    );
    expect(c.authorized).toBe(true);
    expect(seen).toEqual(['wrong.test localhost']);
    const refused = await failure(client(port, { checkServerIdentity: () => Object.assign(new Error('nope'), { code: 'ERR_CUSTOM' }) }));
    expect(refused).toMatchObject({ code: 'ERR_CUSTOM' });
  });

  it('rejectUnauthorized: false goes on and reports why; the default trust is the Mozilla roots', async () => {
    const port = await serve({}, (s) => s.end('ok'));
    const c = await secure(connect({ host: '127.0.0.1', port, servername: 'localhost', rejectUnauthorized: false }));
    expect(c.authorized).toBe(false);
    expect(c.authorizationError).toBe('UNABLE_TO_GET_ISSUER_CERT_LOCALLY');
    expect((await readAll(c)).toString()).toBe('ok');
    const err = await failure(connect({ host: '127.0.0.1', port, servername: 'localhost' }));
    expect(err).toMatchObject({ code: 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY', alert: 'unknown_ca' });
  });
});

describe('accessors', () => {
  it('reports what node:tls reports, and our extras', async () => {
    const port = await serve({ ALPNProtocols: ['h2'], requestCert: true, ca: pki.ca.cert }, (s) => s.end(s.getPeerCertificate().subject ? 'cert' : 'none'));
    const c = client(port, { ALPNProtocols: ['h2'], cert: pki.client.cert, key: pki.client.key });
    expect(c.getProtocol()).toBeNull();
    expect(() => c.exportKeyingMaterial(16, 'x')).toThrow(/before the handshake/);
    await secure(c);
    expect(c.getProtocol()).toBe('TLSv1.3');
    expect(c.getCipher()).toEqual({ name: 'TLS_AES_128_GCM_SHA256', standardName: 'TLS_AES_128_GCM_SHA256', version: 'TLSv1.3' });
    expect(c.alpnProtocol).toBe('h2');
    expect(c.servername).toBe('localhost');
    expect(c.encrypted).toBe(true);
    const cert = c.getPeerCertificate(true) as { subject: Record<string, string>; issuer: Record<string, string>; subjectaltname: string; fingerprint256: string; raw: Buffer; issuerCertificate?: unknown; valid_to: string };
    expect(cert.subject['CN']).toBe('localhost');
    expect(cert.issuer['CN']).toBe('puretls interop CA');
    expect(cert.subjectaltname).toBe('DNS:localhost, IP Address:127.0.0.1');
    expect(cert.raw.equals(Buffer.from(p256.certDer))).toBe(true);
    expect(cert.fingerprint256).toMatch(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
    expect(cert.valid_to).toMatch(/^[A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d \d{4} GMT$/);
    expect(c.exportKeyingMaterial(32, 'EXPORTER-test')).toHaveLength(32);
    expect(c.remotePort).toBe(port);
    expect((await readAll(c)).toString()).toBe('cert');
  });
});

describe('caller mistakes', () => {
  it('are TypeError / RangeError naming the option', () => {
    expect(() => connect({ host: '127.0.0.1' })).toThrow(/options\.port/);
    expect(() => connect({ port: 70000 })).toThrow(RangeError);
    expect(() => connect({ port: 1, maxVersion: 'TLSv1.2' })).toThrow(/maxVersion/);
    expect(() => connect({ port: 1, groups: 'X25519:brainpool' })).toThrow(/options\.groups: unknown group brainpool/);
    expect(() => connect({ port: 1, cipherSuites: 'TLS_RSA_WITH_RC4' })).toThrow(/options\.cipherSuites/);
    expect(() => createServer({})).toThrow(/options\.cert and options\.key/);
    expect(() => createServer({ cert: p256.cert })).toThrow(/go together/);
  });
});

describe('peekServerName', () => {
  it('reads SNI from a ClientHello in any split, and says when it needs more', async () => {
    // Capture a real ClientHello from the binding.
    const hello = await new Promise<Buffer>((resolve) => {
      const chunks: Buffer[] = [];
      const fake = new Duplex({
        read() {},
        write(chunk: Buffer, _e, cb) {
          chunks.push(chunk);
          resolve(Buffer.concat(chunks));
          cb();
        },
      });
      connect({ socket: fake, servername: 'peek.example', ca: pki.ca.cert }).on('error', () => {});
    });
    expect(peekServerName(hello)).toBe('peek.example');
    for (let i = 0; i < hello.length; i += 7) expect(peekServerName(hello.subarray(0, i))).toBeUndefined();
    expect(peekServerName(Buffer.from('GET / HTTP/1.1\r\n\r\n'))).toBeNull();
  });
});

describe('0-RTT refused', () => {
  it('early data the server refuses is sent again after the handshake, once', async () => {
    const ticketKeys = randomBytes(32);
    const got: string[] = [];
    const onSocket = (s: TLSSocket): void => {
      let text = '';
      s.on('data', (d: Buffer) => {
        text += d.toString();
        if (text.endsWith('\n')) {
          got.push(text);
          s.end('ok');
        }
      });
    };
    const withEarly = await serve({ ticketKeys, maxEarlyData: 1024 }, onSocket);
    const withoutEarly = await serve({ ticketKeys }, onSocket);
    const first = client(withEarly);
    const session = new Promise<Buffer>((r) => first.once('session', r));
    await secure(first);
    first.end('first\n');
    await readAll(first);
    const second = client(withoutEarly, { session: await session, earlyData: Buffer.from('early\n') });
    await secure(second);
    expect(second.isSessionReused()).toBe(true);
    expect(second.earlyDataAccepted).toBe(false);
    expect((await readAll(second)).toString()).toBe('ok');
    expect(got).toEqual(['first\n', 'early\n']);
  });
});

describe('peers that go away', () => {
  it('a TCP close during the handshake is an ECONNRESET error, not a silent end', async () => {
    const { createServer: createNetServer } = await import('node:net');
    const rude = createNetServer((c) => c.once('data', () => c.destroy()));
    const port = await listen(rude);
    const err = await failure(client(port));
    expect(err).toMatchObject({ code: 'ECONNRESET' });
    await closeServer(rude);
  });

  it('a client that never finishes its handshake is dropped after handshakeTimeout', async () => {
    const server = createServer({ cert: p256.cert, key: p256.key, handshakeTimeout: 200 });
    servers.push(server);
    const errors = new Promise<Error>((resolve) => server.once('tlsClientError', resolve));
    const port = await listen(server);
    const { connect: netConnect } = await import('node:net');
    const silent = netConnect({ host: '127.0.0.1', port });
    const closed = new Promise((r) => silent.once('close', r));
    expect(await errors).toMatchObject({ code: 'ERR_TLS_HANDSHAKE_TIMEOUT' });
    await closed;
  });
});

describe('writes before the handshake', () => {
  it('end(data) right after connect() sends the data once secure, then close_notify', async () => {
    const got = new Promise<{ data: string; clean: boolean }>((resolve) => {
      void serve({}, (s) => {
        void readAll(s).then((d) => resolve({ data: d.toString(), clean: s.closeNotifyReceived }));
      }).then((port) => {
        const c = client(port);
        c.end('early writer\n');
        c.on('error', () => {});
        c.resume();
      });
    });
    expect(await got).toEqual({ data: 'early writer\n', clean: true });
  });
});
