/**
 * Feature cells of the interop matrix against real OpenSSL processes, both directions each:
 * HelloRetryRequest, ALPN, SNI with two certificates, client certificates (accepted and refused),
 * KeyUpdate (openssl's `k` / `K` commands and ours), resumption (`-sess_out` / `-sess_in`), 0-RTT
 * (`-early_data`), 16 MiB each way checked by SHA-256, and close_notify.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { connect, createServer, type ConnectOptions, type Server, type ServerOptions, type TLSSocket } from '../src/index.js';
import { killAll, openssl, sServer } from './helpers/openssl.js';
import { makePki } from './helpers/pki.js';
import { closeServer, digits, failure, listen, readAll, readUntil, reversed, secure, sha256 } from './helpers/sockets.js';

const pki = makePki();
const p256 = pki.servers.get('ec-p256')!;
const opened: Server[] = [];

afterAll(async () => {
  killAll();
  for (const s of opened) await closeServer(s);
  pki.cleanup();
});

/** A puretls server on a free port; `onSocket` handles each secure connection. */
async function puretlsServer(options: ServerOptions, onSocket: (s: TLSSocket) => void): Promise<{ server: Server; port: number; errors: Error[] }> {
  const errors: Error[] = [];
  const server = createServer({ cert: p256.cert, key: p256.key, ...options }, (s) => {
    s.on('error', (e) => errors.push(e));
    onSocket(s);
  });
  server.on('tlsClientError', (e: Error) => errors.push(e));
  opened.push(server);
  return { server, port: await listen(server), errors };
}

function reverseLines(s: TLSSocket): void {
  let buf = '';
  s.on('data', (d: Buffer) => {
    buf += d.toString('latin1');
    const nl = buf.indexOf('\n');
    if (nl >= 0) s.end(`${reversed(buf.slice(0, nl))}\n`);
  });
}

const sClient = (port: number, args: readonly string[]) =>
  openssl(['s_client', '-connect', `127.0.0.1:${port}`, '-CAfile', pki.caFile, '-verify_return_error', '-tls1_3', ...args]);

function client(port: number, extra: Partial<ConnectOptions> = {}): TLSSocket {
  return connect({ host: '127.0.0.1', port, servername: 'localhost', ca: pki.ca.cert, ...extra });
}

async function pingReverse(socket: TLSSocket, line: string): Promise<void> {
  const reply = readUntil(socket, '\n');
  socket.write(`${line}\n`);
  expect(await reply).toBe(`${reversed(line)}\n`);
}

describe.concurrent('HelloRetryRequest', () => {
  it('puretls client → openssl s_server: a key share the server does not take is retried', async () => {
    const s = await sServer(['-cert', p256.certFile, '-key', p256.keyFile, '-groups', 'P-256', '-rev', '-naccept', '1']);
    const socket = await secure(client(s.port, { groups: ['x25519', 'secp256r1'] }));
    expect(socket.getHandshakeInfo()?.helloRetry).toBe(true);
    expect(socket.getGroup()).toBe('secp256r1');
    await pingReverse(socket, 'after hrr');
    socket.end();
    expect(await s.exited).toBe(0);
  });

  it('openssl s_client → puretls server: HelloRetryRequest for P-256 after an X25519 share', async () => {
    let info: ReturnType<TLSSocket['getHandshakeInfo']> = null;
    const { port } = await puretlsServer({ groups: ['secp256r1'] }, (s) => {
      info = s.getHandshakeInfo();
      reverseLines(s);
    });
    const p = sClient(port, ['-groups', 'X25519:P-256', '-ign_eof']);
    p.proc.stdin.end('hrr\n');
    expect(await p.exited).toBe(0);
    expect(p.stdout()).toContain('rrh\n');
    expect(p.stdout()).toMatch(/Server Temp Key: ECDH, prime256v1/);
    expect(info).not.toBeNull();
    expect(info!.helloRetry).toBe(true);
    expect(info!.group).toBe('secp256r1');
  });
});

describe.concurrent('ALPN', () => {
  it('puretls client → openssl s_server', async () => {
    const s = await sServer(['-cert', p256.certFile, '-key', p256.keyFile, '-alpn', 'h2,http/1.1', '-rev', '-naccept', '1']);
    const socket = await secure(client(s.port, { ALPNProtocols: ['http/1.1'] }));
    expect(socket.alpnProtocol).toBe('http/1.1');
    await pingReverse(socket, 'alpn');
    socket.end();
    expect(await s.exited).toBe(0);
  });

  it('openssl s_client → puretls server', async () => {
    let alpn: string | false | null = null;
    const { port } = await puretlsServer({ ALPNProtocols: ['h2', 'http/1.1'] }, (s) => {
      alpn = s.alpnProtocol;
      reverseLines(s);
    });
    const p = sClient(port, ['-alpn', 'http/1.1', '-ign_eof']);
    p.proc.stdin.end('alpn\n');
    expect(await p.exited).toBe(0);
    expect(p.stdout()).toContain('ALPN protocol: http/1.1');
    expect(alpn).toBe('http/1.1');
  });
});

describe.concurrent('SNI with two certificates', () => {
  it('puretls client → openssl s_server -cert2 / -servername', async () => {
    const s = await sServer(['-cert', p256.certFile, '-key', p256.keyFile, '-cert2', pki.other.certFile, '-key2', pki.other.keyFile, '-servername', 'other.test', '-rev', '-naccept', '2']);
    const a = await secure(client(s.port, { servername: 'other.test' }));
    expect(a.authorized).toBe(true);
    expect(a.getPeerCertificate()).toMatchObject({ subject: { CN: 'other.test' } });
    await pingReverse(a, 'other');
    a.end();
    const b = await secure(client(s.port, { servername: 'localhost' }));
    expect(b.getPeerCertificate()).toMatchObject({ subject: { CN: 'localhost' } });
    await pingReverse(b, 'default');
    b.end();
    expect(await s.exited).toBe(0);
  });

  it('openssl s_client → puretls server with addContext', async () => {
    const names: (string | false | null)[] = [];
    const { server, port } = await puretlsServer({}, (s) => {
      names.push(s.servername);
      reverseLines(s);
    });
    server.addContext('other.test', { cert: pki.other.cert, key: pki.other.key });
    for (const name of ['other.test', 'localhost']) {
      const p = sClient(port, ['-servername', name, '-verify_hostname', name, '-ign_eof']);
      p.proc.stdin.end('sni\n');
      expect(await p.exited).toBe(0);
      expect(p.stdout()).toContain(`subject=CN = ${name}`);
      expect(p.stdout()).toContain('Verify return code: 0 (ok)');
    }
    expect(names).toEqual(['other.test', 'localhost']);
  });
});

describe.concurrent('client certificates', () => {
  it('puretls client presents a certificate to openssl s_server -Verify', async () => {
    const s = await sServer(['-cert', p256.certFile, '-key', p256.keyFile, '-Verify', '1', '-CAfile', pki.caFile, '-verify_return_error', '-rev', '-naccept', '1']);
    const socket = await secure(client(s.port, { cert: pki.client.cert, key: pki.client.key }));
    await pingReverse(socket, 'client cert');
    socket.end();
    expect(await s.exited).toBe(0);
  });

  it('openssl s_server -Verify refuses a puretls client without a certificate', async () => {
    const s = await sServer(['-cert', p256.certFile, '-key', p256.keyFile, '-Verify', '1', '-CAfile', pki.caFile, '-verify_return_error', '-rev', '-naccept', '1']);
    const socket = client(s.port);
    // TLS 1.3: the client completes first; the server's alert arrives after.
    socket.on('secureConnect', () => socket.write('x\n'));
    const err = await new Promise<Error>((resolve) => socket.once('error', resolve));
    expect(err).toMatchObject({ code: 'PEER_ALERT', alert: 'certificate_required' });
    await s.exited;
  });

  it('openssl s_client presents a certificate to a puretls server (requestCert)', async () => {
    const seen: { authorized: boolean; cn: unknown }[] = [];
    const { port } = await puretlsServer({ requestCert: true, ca: pki.ca.cert }, (s) => {
      seen.push({ authorized: s.authorized, cn: (s.getPeerCertificate() as { subject?: { CN?: string } }).subject?.CN });
      reverseLines(s);
    });
    const p = sClient(port, ['-cert', pki.client.certFile, '-key', pki.client.keyFile, '-ign_eof']);
    p.proc.stdin.end('mtls\n');
    expect(await p.exited).toBe(0);
    expect(p.stdout()).toContain('sltm\n');
    expect(seen).toEqual([{ authorized: true, cn: 'puretls client' }]);
  });

  it('a puretls server refuses openssl s_client without a certificate, or with an untrusted one', async () => {
    const { port, errors } = await puretlsServer({ requestCert: true, ca: pki.ca.cert }, reverseLines);
    const none = sClient(port, ['-ign_eof']);
    none.proc.stdin.end('x\n');
    expect(await none.exited).not.toBe(0);
    expect(none.stdout() + none.stderr()).toMatch(/certificate required/);
    const stranger = sClient(port, ['-cert', pki.stranger.certFile, '-key', pki.stranger.keyFile, '-ign_eof']);
    stranger.proc.stdin.end('x\n');
    expect(await stranger.exited).not.toBe(0);
    expect(stranger.stdout() + stranger.stderr()).toMatch(/unknown ca/);
    expect(errors.map((e) => (e as { code?: string }).code)).toEqual(['CLIENT_CERTIFICATE_REQUIRED', 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY']);
  });
});

describe.concurrent('KeyUpdate', () => {
  it("openssl s_server's K and k reach the puretls client, which answers an update request", async () => {
    const s = await sServer(['-cert', p256.certFile, '-key', p256.keyFile, '-naccept', '1']);
    const socket = await secure(client(s.port));
    const updates: string[] = [];
    socket.on('keyUpdate', (d: string) => updates.push(d));
    await s.waitFor(/CIPHER is/);
    // One command per read: s_server drops what follows a command letter in the same read.
    const waitUpdates = (n: number): Promise<void> =>
      new Promise((resolve) => {
        const check = (): void => (updates.length >= n ? resolve() : void socket.once('keyUpdate', () => setImmediate(check)));
        check();
      });
    s.proc.stdin.write('K\n');
    await waitUpdates(2);
    s.proc.stdin.write('after K\n');
    await readUntil(socket, 'after K\n');
    expect(updates).toEqual(['read', 'write']);
    socket.write('client after K\n');
    await s.waitFor(/client after K/);
    s.proc.stdin.write('k\n');
    await waitUpdates(3);
    s.proc.stdin.write('after k\n');
    await readUntil(socket, 'after k\n');
    expect(updates).toEqual(['read', 'write', 'read']);
    socket.write('client after k\n');
    await s.waitFor(/client after k/);
    socket.end();
    expect(await s.exited).toBe(0);
  });

  it('the puretls client updates its keys and asks openssl s_server to update too', async () => {
    const s = await sServer(['-cert', p256.certFile, '-key', p256.keyFile, '-naccept', '1']);
    const socket = await secure(client(s.port));
    const updates: string[] = [];
    socket.on('keyUpdate', (d: string) => updates.push(d));
    await s.waitFor(/CIPHER is/);
    socket.keyUpdate(true);
    socket.write('after our update\n');
    await s.waitFor(/after our update/);
    s.proc.stdin.write('server data\n');
    await readUntil(socket, 'server data\n');
    expect(updates).toEqual(['write', 'read']);
    socket.end();
    expect(await s.exited).toBe(0);
  });

  it("openssl s_client's K reaches the puretls server; the server's own update reaches s_client", async () => {
    const updates: string[] = [];
    let sawRead: () => void = () => {};
    const firstRead = new Promise<void>((resolve) => (sawRead = resolve));
    let sawAgain: () => void = () => {};
    const again = new Promise<void>((resolve) => (sawAgain = resolve));
    const ended = new Promise<void>((resolve) => {
      void puretlsServer({}, (s) => {
        s.on('keyUpdate', (d: string) => {
          updates.push(d);
          if (d === 'read') sawRead();
        });
        let text = '';
        s.on('data', (d: Buffer) => {
          text += d.toString('latin1');
          if (text.includes('after K\n') && !text.includes('#1')) {
            text += '#1';
            s.keyUpdate(true);
            s.write('server after update\n');
          }
          if (text.includes('client again\n')) sawAgain();
        });
        s.on('end', () => resolve());
        s.resume();
      }).then(({ port }) => {
        // Command letters work only without -ign_eof; stdin stays open until the end.
        const p = sClient(port, []);
        void (async () => {
          await p.waitFor(/Verify return code: 0/);
          p.proc.stdin.write('K\n');
          await firstRead;
          p.proc.stdin.write('after K\n');
          await p.waitFor(/server after update/);
          // OpenSSL answers an update request with its next write.
          p.proc.stdin.write('client again\n');
          await again;
          p.proc.stdin.end();
          expect(await p.exited).toBe(0);
        })().catch((e: unknown) => {
          p.kill();
          throw e;
        });
      });
    });
    await ended;
    // s_client's K: our read key moves and we answer (write); then our requested update (write) and its answer (read).
    expect(updates).toEqual(['read', 'write', 'write', 'read']);
  });
});

describe.concurrent('resumption', () => {
  it('puretls client resumes with openssl s_server', async () => {
    const s = await sServer(['-cert', p256.certFile, '-key', p256.keyFile, '-rev', '-naccept', '2']);
    const first = client(s.port);
    const session = new Promise<Buffer>((resolve) => first.once('session', resolve));
    await secure(first);
    await pingReverse(first, 'first');
    const ticket = await session;
    first.end();
    const second = await secure(client(s.port, { session: ticket }));
    expect(second.isSessionReused()).toBe(true);
    expect(second.authorized).toBe(true);
    await pingReverse(second, 'second');
    second.end();
    expect(await s.exited).toBe(0);
  });

  it('openssl s_client resumes with a puretls server (-sess_out / -sess_in)', async () => {
    const resumed: boolean[] = [];
    const { port } = await puretlsServer({}, (s) => {
      resumed.push(s.isSessionReused());
      reverseLines(s);
    });
    const sess = join(pki.dir, 'openssl-session.pem');
    const a = sClient(port, ['-servername', 'localhost', '-sess_out', sess, '-ign_eof']);
    a.proc.stdin.end('one\n');
    expect(await a.exited).toBe(0);
    expect(a.stdout()).toContain('New, TLSv1.3');
    expect(readFileSync(sess, 'utf8')).toContain('BEGIN SSL SESSION PARAMETERS');
    const b = sClient(port, ['-servername', 'localhost', '-sess_in', sess, '-ign_eof']);
    b.proc.stdin.end('two\n');
    expect(await b.exited).toBe(0);
    expect(b.stdout()).toContain('Reused, TLSv1.3');
    expect(b.stdout()).toContain('owt\n');
    expect(resumed).toEqual([false, true]);
  });
});

describe.concurrent('0-RTT', () => {
  it('puretls client sends early data accepted by openssl s_server -early_data', async () => {
    const s = await sServer(['-cert', p256.certFile, '-key', p256.keyFile, '-early_data', '-naccept', '2']);
    const first = client(s.port);
    const session = new Promise<Buffer>((resolve) => first.once('session', resolve));
    await secure(first);
    const ticket = await session;
    first.end();
    const second = client(s.port, { session: ticket, earlyData: Buffer.from('early hello\n') });
    await secure(second);
    expect(second.isSessionReused()).toBe(true);
    expect(second.earlyDataAccepted).toBe(true);
    await s.waitFor(/early hello/);
    expect(s.stdout() + s.stderr()).toMatch(/\nEarly data received/);
    second.end();
    expect(await s.exited).toBe(0);
  });

  it('openssl s_client -early_data is accepted by a puretls server', async () => {
    const got: { early: boolean | null; data: string }[] = [];
    const { port } = await puretlsServer({ maxEarlyData: 16384 }, (s) => {
      const entry = { early: s.getHandshakeInfo()?.earlyDataAccepted ?? null, data: '' };
      got.push(entry);
      s.on('data', (d: Buffer) => {
        entry.data += d.toString('latin1');
        if (entry.data.endsWith('\n')) s.end('ok\n');
      });
    });
    const sess = join(pki.dir, 'openssl-early.pem');
    const earlyFile = join(pki.dir, 'early.txt');
    const { writeFileSync } = await import('node:fs');
    writeFileSync(earlyFile, 'zero rtt from openssl\n');
    const a = sClient(port, ['-servername', 'localhost', '-sess_out', sess, '-ign_eof']);
    a.proc.stdin.end('first\n');
    expect(await a.exited).toBe(0);
    const b = sClient(port, ['-servername', 'localhost', '-sess_in', sess, '-early_data', earlyFile, '-ign_eof']);
    b.proc.stdin.end();
    expect(await b.exited).toBe(0);
    expect(b.stdout()).toContain('Early data was accepted');
    expect(b.stdout()).toContain('ok\n');
    expect(got).toEqual([
      { early: false, data: 'first\n' },
      { early: true, data: 'zero rtt from openssl\n' },
    ]);
  });
});

const BIG = 16 * 1024 * 1024;

describe.concurrent('16 MiB each way', () => {
  it('puretls client ↔ openssl s_server', async () => {
    const up = digits(BIG);
    const down = digits(BIG);
    // Not -quiet (it hides ACCEPT); digits contain no command letter.
    const s = await sServer(['-cert', p256.certFile, '-key', p256.keyFile, '-naccept', '1']);
    const socket = await secure(client(s.port));
    const head = up.subarray(0, 64).toString('latin1');
    const received: Buffer[] = [];
    let n = 0;
    const allDown = new Promise<void>((resolve) =>
      socket.on('data', (d: Buffer) => {
        received.push(d);
        n += d.length;
        if (n >= BIG) resolve();
      }),
    );
    socket.write(up);
    s.proc.stdin.write(down);
    await allDown;
    const deadline = Date.now() + 60_000;
    const start = (): number => s.stdout().indexOf(head);
    while ((start() < 0 || s.stdout().length < start() + BIG) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(sha256(Buffer.concat(received))).toBe(sha256(down));
    expect(start()).toBeGreaterThanOrEqual(0);
    expect(sha256(Buffer.from(s.stdout().slice(start(), start() + BIG), 'latin1'))).toBe(sha256(up));
    socket.end();
    s.proc.stdin.end();
    expect(await s.exited).toBe(0);
  }, 120_000);

  it('openssl s_client ↔ puretls server', async () => {
    const up = digits(BIG);
    const down = digits(BIG);
    let upHash = '';
    const { port } = await puretlsServer({}, (s) => {
      const parts: Buffer[] = [];
      let n = 0;
      s.on('data', (d: Buffer) => {
        parts.push(d);
        n += d.length;
        if (n === BIG) {
          upHash = sha256(Buffer.concat(parts));
          s.end(down);
        }
      });
    });
    const p = openssl(['s_client', '-connect', `127.0.0.1:${port}`, '-CAfile', pki.caFile, '-verify_return_error', '-quiet', '-nocommands']);
    const chunks: Buffer[] = [];
    p.proc.stdout.on('data', (d: Buffer) => chunks.push(d));
    p.proc.stdin.end(up);
    expect(await p.exited).toBe(0);
    expect(upHash).toBe(sha256(up));
    expect(sha256(Buffer.concat(chunks))).toBe(sha256(down));
  }, 120_000);
});

describe.concurrent('close_notify', () => {
  it("openssl s_server answers the puretls client's close_notify with its own", async () => {
    const s = await sServer(['-cert', p256.certFile, '-key', p256.keyFile, '-naccept', '1']);
    const socket = await secure(client(s.port));
    await s.waitFor(/CIPHER is/);
    const all = readAll(socket);
    socket.end();
    await all;
    expect(socket.closeNotifyReceived).toBe(true);
    expect(await s.exited).toBe(0);
  });

  it('openssl s_server Q drops TCP without close_notify: the puretls client sees an unclean end', async () => {
    const s = await sServer(['-cert', p256.certFile, '-key', p256.keyFile, '-naccept', '1']);
    const socket = await secure(client(s.port));
    await s.waitFor(/CIPHER is/);
    const all = readAll(socket);
    s.proc.stdin.write('Q\n');
    await all;
    expect(socket.closeNotifyReceived).toBe(false);
    await s.exited;
  });

  it('a puretls server end() is a clean close for openssl s_client', async () => {
    const { port } = await puretlsServer({}, (s) => s.end('bye\n'));
    const p = sClient(port, ['-ign_eof']);
    expect(await p.exited).toBe(0);
    expect(p.stdout()).toContain('bye\n');
    expect(p.stdout()).toMatch(/^closed$/m);
  });

  it('a failed handshake is not a clean close: an untrusted server is refused with unknown_ca', async () => {
    const s = await sServer(['-cert', pki.stranger.certFile, '-key', pki.stranger.keyFile, '-naccept', '1']);
    const err = await failure(client(s.port));
    expect(err).toMatchObject({ code: 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY', alert: 'unknown_ca' });
    await s.exited;
    expect(s.stdout() + s.stderr()).toMatch(/unknown ca/);
  });
});
