/**
 * `puretls s_client` / `s_server` (in process through `main`) against peers that misbehave and
 * command lines that are wrong: a client that resets or sends a bad record after the handshake, a
 * second `-www` request and an endless one, an SMTP server that hangs up or never ends its reply,
 * a peer that never reads and a stdout that is never read (back-pressure), a closed stdout, DTLS
 * `-Verify` results attributed to the right client, and bad `-groups` / key files refused with 64
 * before any socket is opened.
 */
import { once } from 'node:events';
import { createServer as netServer, Socket } from 'node:net';
import { PassThrough, Writable } from 'node:stream';
import tls from 'node:tls';
import { afterAll, describe, expect, it } from 'vitest';
import { wwwRequest } from '../src/common.js';
import { main } from '../src/index.js';
import { makePki } from '../../node/test/helpers/pki.js';
import { closeServer, listen } from '../../node/test/helpers/sockets.js';
import { run, type Run } from './run-cli.js';

const pki = makePki();
const p256 = pki.servers.get('ec-p256')!;
afterAll(() => pki.cleanup());

async function tlsServer(args: string[]): Promise<{ run: Run; port: number }> {
  const r = run(['s_server', '-accept', '0', '-cert', p256.certFile, '-key', p256.keyFile, ...args]);
  await r.until(/ACCEPT 127\.0\.0\.1:\d+\n/);
  return { run: r, port: Number(/ACCEPT 127\.0\.0\.1:(\d+)/.exec(r.stdout())![1]) };
}

/** A node:tls client that completes the handshake, then runs `then` on it and its TCP socket. */
function nodeClient(port: number, then: (s: tls.TLSSocket, raw: Socket) => void): Promise<void> {
  return new Promise((resolve) => {
    const raw = new Socket();
    raw.connect(port, '127.0.0.1', () => {
      const s = tls.connect({ socket: raw, rejectUnauthorized: false }, () => then(s, raw));
      s.on('error', () => {});
      s.on('close', () => resolve());
      raw.on('close', () => resolve());
    });
    raw.on('error', () => {});
  });
}

/** A node:tls server whose connections `close()` destroys. */
async function nodeServer(onSecure: (s: tls.TLSSocket) => void): Promise<{ port: number; close(): Promise<void> }> {
  const socks = new Set<tls.TLSSocket>();
  const srv = tls.createServer({ cert: p256.cert, key: p256.key }, (s) => {
    socks.add(s);
    s.on('error', () => {});
    onSecure(s);
  });
  const port = await listen(srv);
  return {
    port,
    close: () => {
      for (const s of socks) s.destroy();
      return closeServer(srv);
    },
  };
}

describe.concurrent('s_server against clients that misbehave after the handshake', () => {
  it.each([[[]], [['-echo']], [['-www']], [['-msg']]])('%j: a reset and a bad record are reported, the server goes on (exit 1)', async (mode) => {
    const s = await tlsServer(['-naccept', '3', '-quiet', ...mode]);
    // A TCP reset right after the handshake.
    await nodeClient(s.port, (t, raw) => {
      t.write('abc\n');
      setTimeout(() => raw.resetAndDestroy(), 100);
    });
    await s.run.until('ECONNRESET', 'stderr');
    // A record that does not authenticate (type 23, 20 bytes of junk), once the server has our Finished.
    await nodeClient(s.port, (_t, raw) => {
      setTimeout(() => raw.write(Buffer.from([23, 3, 3, 0, 20, ...new Array<number>(20).fill(7)])), 100);
    });
    await s.run.until('BAD_RECORD_MAC', 'stderr');
    // The server still serves: a third, well-behaved client.
    await nodeClient(s.port, (t) => {
      t.resume();
      t.end('GET / HTTP/1.0\r\n\r\n');
    });
    expect(await s.run.status).toBe(1); // two connections failed
    expect(s.run.stderr()).toMatch(/puretls s_server: connection failed: read ECONNRESET/);
    expect(s.run.stderr()).toMatch(/puretls s_server: connection failed: .*\(alert bad_record_mac sent\) \[BAD_RECORD_MAC\]/);
  });

  it('-www answers the first request once; a second one in the same connection is ignored', async () => {
    const s = await tlsServer(['-www', '-naccept', '1', '-quiet']);
    let got = '';
    await nodeClient(s.port, (t) => {
      t.on('data', (d: Buffer) => (got += d.toString('latin1')));
      // Two records arriving together: two 'data' events before the answer has gone out.
      t.write('GET /one HTTP/1.0\r\n\r\n');
      t.write('GET /two HTTP/1.0\r\n\r\n');
    });
    expect(await s.run.status).toBe(0);
    expect(got.match(/HTTP\/1\.0 200 ok/g)).toHaveLength(1);
    expect(got).toContain('GET /one HTTP/1.0');
    expect(got).not.toContain('/two');
    expect(s.run.stderr()).not.toContain('failed');
  });

  it('-www refuses a request head over 16 KiB with 431 instead of buffering it', async () => {
    const s = await tlsServer(['-www', '-naccept', '1', '-quiet']);
    let got = '';
    await nodeClient(s.port, (t) => {
      t.on('data', (d: Buffer) => (got += d.toString('latin1')));
      const line = `X-Filler: ${'a'.repeat(1000)}\r\n`;
      t.write('GET / HTTP/1.0\r\n');
      for (let i = 0; i < 40; i++) t.write(line);
    });
    expect(got).toMatch(/^HTTP\/1\.0 431 /);
    expect(await s.run.status).toBe(0);
  });
});

/** A plaintext SMTP server scripted by `mode`; `lines` records what the client sent. */
async function fakeSmtp(mode: 'hangup' | 'hangup-after-ehlo' | 'endless' | 'bare-code'): Promise<{ port: number; lines: string[]; close(): Promise<void> }> {
  const lines: string[] = [];
  const socks = new Set<Socket>();
  const srv = netServer((s) => {
    socks.add(s);
    s.on('error', () => {});
    if (mode === 'hangup') return void s.end();
    if (mode === 'endless') {
      // An 'A' flood without a newline: the client must give up, not buffer it.
      const chunk = Buffer.alloc(1 << 14, 0x41);
      const pump = (): void => {
        while (!s.destroyed && s.write(chunk));
      };
      s.on('drain', pump);
      pump();
      return;
    }
    s.write('220 fake ESMTP\r\n');
    s.on('data', (d: Buffer) => {
      const t = d.toString('latin1');
      lines.push(t);
      if (!t.startsWith('EHLO')) return void s.write('502 no\r\n');
      if (mode === 'hangup-after-ehlo') s.end('250-fake\r\n250 STARTTLS\r\n');
      // RFC 5321 §4.2: a last reply line may be the bare code.
      else s.write('250-fake\r\n250-STARTTLS\r\n250\r\n');
    });
  });
  const port = await listen(srv);
  return {
    port,
    lines,
    close: () => {
      for (const s of socks) s.destroy();
      return closeServer(srv);
    },
  };
}

describe.concurrent('s_client -starttls smtp against broken SMTP servers', () => {
  it.each([
    ['hangup', /SMTP greeting: the server closed the connection/],
    ['hangup-after-ehlo', /SMTP STARTTLS: the server closed the connection/],
    ['endless', /SMTP greeting: reply longer than 65536 bytes/],
  ] as const)('%s: fails with a message and status 1', async (mode, message) => {
    const f = await fakeSmtp(mode);
    try {
      const c = run(['s_client', '-connect', `127.0.0.1:${f.port}`, '-starttls', 'smtp', '-quiet']);
      expect(await c.status).toBe(1);
      expect(c.stderr()).toMatch(message);
    } finally {
      await f.close();
    }
  });

  it('EHLO names an IP address as an address literal (RFC 5321 §4.1.3); a bare final code ends a reply', async () => {
    const f = await fakeSmtp('bare-code');
    try {
      const c = run(['s_client', '-connect', `127.0.0.1:${f.port}`, '-starttls', 'smtp', '-quiet']);
      // The fake server answers STARTTLS with 502: the EHLO reply was complete without a text.
      expect(await c.status).toBe(1);
      expect(c.stderr()).toContain('SMTP STARTTLS: 502 no');
      expect(f.lines[0]).toBe('EHLO [127.0.0.1]\r\n');
    } finally {
      await f.close();
    }
  });
});

describe.concurrent('back-pressure and a closed stdout', () => {
  it('s_client stops reading stdin while the server does not read', async () => {
    const srv = await nodeServer((s) => s.pause());
    const stdin = new PassThrough();
    const stdout = new PassThrough();
    const stderr = new PassThrough();
    stderr.resume();
    stdout.resume();
    const status = main(['s_client', '-connect', `127.0.0.1:${srv.port}`, '-insecure', '-quiet'], { stdin, stdout, stderr });
    const chunk = Buffer.alloc(1 << 16);
    let written = 0;
    let held = false;
    // Up to 64 MiB: s_client must stop taking it long before (the socket buffers fill, stdin is paused).
    while (written < 64 << 20) {
      written += chunk.length;
      if (!stdin.write(chunk)) {
        const drained = await Promise.race([once(stdin, 'drain').then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), 1000))]);
        if (!drained) {
          held = true;
          break;
        }
      }
    }
    expect(held).toBe(true);
    expect(written).toBeLessThan(32 << 20);
    await srv.close();
    expect(await status).not.toBe(0); // the server dropped TCP without close_notify
  });

  it('s_client stops reading from the server while stdout is not read', async () => {
    const total = 8 << 20;
    const srv = await nodeServer((s) => {
      const chunk = Buffer.alloc(1 << 16, 0x62);
      let sent = 0;
      const pump = (): void => {
        while (sent < total) {
          sent += chunk.length;
          if (!s.write(chunk)) return;
        }
        s.end();
      };
      s.on('drain', pump);
      pump();
    });
    const stdin = new PassThrough();
    const stdout = new PassThrough(); // not read for now
    const stderr = new PassThrough();
    stderr.resume();
    const status = main(['s_client', '-connect', `127.0.0.1:${srv.port}`, '-insecure', '-quiet'], { stdin, stdout, stderr });
    await new Promise((r) => setTimeout(r, 1500));
    // Without back-pressure all 8 MiB would sit in stdout's buffers by now.
    expect(stdout.readableLength + stdout.writableLength).toBeLessThan(2 << 20);
    // Reading stdout lets the rest through.
    let got = 0;
    stdout.on('data', (d: Buffer) => (got += d.length));
    await status;
    expect(got).toBe(total);
    await srv.close();
  });

  it('s_client with a stdout that fails with EPIPE closes the connection and exits quietly (0)', async () => {
    const s = await tlsServer(['-echo', '-naccept', '1', '-quiet']);
    const stdin = new PassThrough();
    const stdout = new Writable({
      write(_chunk, _enc, cb) {
        cb(Object.assign(new Error('write EPIPE'), { code: 'EPIPE' }));
      },
    });
    const stderr = new PassThrough();
    let err = '';
    stderr.on('data', (d: Buffer) => (err += d.toString()));
    const status = main(['s_client', '-connect', `127.0.0.1:${s.port}`, '-insecure', '-quiet'], { stdin, stdout, stderr });
    stdin.write('echoed back into a closed pipe\n');
    expect(await status).toBe(0);
    expect(err).toBe('');
    expect(await s.run.status).toBe(0);
  });
});

describe.concurrent('command-line mistakes are usage errors (64) before any socket opens', () => {
  it.each([
    [['-groups', 'bogus'], '-groups bogus: unknown group bogus'],
    [['-curves', ','], '-curves: the list is empty'],
    [['-ciphersuites', 'TLS_RSA_WITH_RC4'], '-ciphersuites TLS_RSA_WITH_RC4: unknown TLS 1.3 cipher suite'],
    [['-sigalgs', 'md5'], '-sigalgs md5: unknown signature scheme md5'],
    [['-pass', 'secret'], '-pass secret: use pass:secret, env:VAR or file:path'],
  ])('s_server and s_client, TLS and DTLS: %j', async (flags, message) => {
    // s_client: nothing may connect to this listener.
    let connections = 0;
    const probe = netServer((s) => {
      connections++;
      s.destroy();
    });
    const port = await listen(probe);
    try {
      for (const argv of [
        ['s_server', '-accept', '0', ...flags],
        ['s_server', '-dtls1_3', '-accept', '0', ...flags],
        ['s_client', '-connect', `127.0.0.1:${port}`, ...flags],
        ['s_client', '-dtls1_3', '-connect', `127.0.0.1:${port}`, ...flags],
      ]) {
        const r = run(argv);
        expect(await r.status, argv.join(' ')).toBe(64);
        expect(r.stderr()).toContain(`puretls: ${message}`);
        expect(r.stdout()).not.toContain('ACCEPT');
        expect(r.stderr()).not.toContain('CONNECTED');
      }
      expect(connections).toBe(0);
    } finally {
      await closeServer(probe);
    }
  });

  it.each([
    [['-cert', pki.caFile], '-cert'],
    [['-cert', p256.certFile, '-key', pki.client.keyFile], 'the key does not belong to the -cert certificate'],
    [['-cert', p256.certFile], 'holds no private key (give -key)'],
    [['-key', p256.keyFile], '-key needs -cert'],
    [['-naccept', '0'], '-naccept needs a count'],
  ])('s_server %j', async (flags, message) => {
    for (const dtls of [[], ['-dtls1_3']]) {
      const r = run(['s_server', ...dtls, '-accept', '0', ...flags]);
      expect(await r.status).toBe(64);
      expect(r.stderr()).toContain(message);
      expect(r.stdout()).toBe('');
    }
  });
});

describe('s_server -dtls1_3 -Verify', () => {
  it('reports each client its own verification result, not the one of a handshake that failed before', async () => {
    const r = run(['s_server', '-dtls1_3', '-accept', '0', '-cert', p256.certFile, '-key', p256.keyFile, '-CAfile', pki.caFile, '-Verify', '1', '-naccept', '1', '-brief']);
    await r.until(/ACCEPT 127\.0\.0\.1:\d+/);
    const port = Number(/ACCEPT 127\.0\.0\.1:(\d+)/.exec(r.stdout())![1]);
    const trust = ['-servername', 'localhost', '-CAfile', pki.caFile];
    // A client certificate from another CA: refused (and its verification outcome must stay its own).
    const bad = run(['s_client', '-dtls1_3', '-connect', `127.0.0.1:${port}`, ...trust, '-cert', pki.stranger.certFile, '-key', pki.stranger.keyFile]);
    expect(await bad.status).not.toBe(0); // 1 or 2: the client may have finished its side before the alert
    await r.until('puretls s_server:', 'stderr');
    const good = run(['s_client', '-dtls1_3', '-connect', `127.0.0.1:${port}`, ...trust, '-cert', pki.client.certFile, '-key', pki.client.keyFile, '-brief']);
    await good.until('Verification: OK', 'stderr');
    await r.until('Client certificate: CN=puretls client', 'stderr');
    good.stdin.end();
    expect(await good.status).toBe(0);
    expect(await r.status).toBe(1); // the refused handshake
    const after = r.stderr().slice(r.stderr().indexOf('CONNECTION ESTABLISHED'));
    expect(after).toContain('Client certificate: CN=puretls client\nVerification: OK\n');
  });
});

describe('the -www request reader (TLS and DTLS)', () => {
  it('finds the blank line split across chunks, answers once, refuses a head over 16 KiB', () => {
    const heads: string[] = [];
    let refused = 0;
    const feed = wwwRequest((h) => heads.push(h), () => refused++);
    for (const part of ['GET / HTTP/1.0\r', '\n', '\r', '\nGET /again HTTP/1.0\r\n\r\n']) feed(Buffer.from(part));
    expect(heads).toEqual(['GET / HTTP/1.0']);
    const big = wwwRequest((h) => heads.push(h), () => refused++);
    for (let i = 0; i < 20; i++) big(Buffer.alloc(1024, 0x61));
    big(Buffer.from('\r\n\r\n'));
    expect(refused).toBe(1);
    expect(heads).toHaveLength(1);
  });
});
