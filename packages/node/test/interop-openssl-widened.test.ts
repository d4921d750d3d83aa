/**
 * The feature cells of the OpenSSL matrix widened over their parameter: HelloRetryRequest towards
 * each group, resumption / 0-RTT / KeyUpdate under each suite, and client certificates of each key
 * type — both directions (puretls client → openssl s_server, openssl s_client → puretls server).
 */
import { join } from 'node:path';
import { writeFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import type { NamedGroupName } from '@puretls/crypto';
import type { CipherSuiteName } from '@puretls/tls';
import { connect, createServer, type ConnectOptions, type Server, type ServerOptions, type TLSSocket } from '../src/index.js';
import { killAll, openssl, sServer } from './helpers/openssl.js';
import { makePki, SERVER_KEY_TYPES } from './helpers/pki.js';
import { closeServer, listen, readUntil, reversed, secure } from './helpers/sockets.js';

const SUITES: readonly CipherSuiteName[] = ['TLS_AES_128_GCM_SHA256', 'TLS_AES_256_GCM_SHA384', 'TLS_CHACHA20_POLY1305_SHA256', 'TLS_AES_128_CCM_SHA256', 'TLS_AES_128_CCM_8_SHA256'];
const GROUPS: readonly NamedGroupName[] = ['x25519', 'x448', 'secp256r1', 'secp384r1', 'secp521r1'];
const OPENSSL_GROUP: Record<NamedGroupName, string> = { x25519: 'X25519', x448: 'X448', secp256r1: 'P-256', secp384r1: 'P-384', secp521r1: 'P-521' } as Record<NamedGroupName, string>;
const SCHEME: Record<string, string> = {
  'ec-p256': 'ecdsa_secp256r1_sha256', 'ec-p384': 'ecdsa_secp384r1_sha384', ed25519: 'ed25519', ed448: 'ed448', 'rsa-2048': 'rsa_pss_rsae_sha256', 'rsa-pss-2048': 'rsa_pss_pss_sha256',
};
/** A group to offer a key share for first, so that the server asks for `g` by HelloRetryRequest. */
const decoy = (g: NamedGroupName): NamedGroupName => (g === 'x25519' ? 'secp256r1' : 'x25519');

const pki = makePki();
const p256 = pki.servers.get('ec-p256')!;
const opened: Server[] = [];
afterAll(async () => {
  killAll();
  for (const s of opened) await closeServer(s);
  pki.cleanup();
});

async function puretlsServer(options: ServerOptions, onSocket: (s: TLSSocket) => void): Promise<number> {
  const server = createServer({ cert: p256.cert, key: p256.key, ...options }, (s) => {
    s.on('error', () => {});
    onSocket(s);
  });
  server.on('tlsClientError', () => {});
  opened.push(server);
  return listen(server);
}

function reverseLine(s: TLSSocket): void {
  let buf = '';
  s.on('data', (d: Buffer) => {
    buf += d.toString('latin1');
    const nl = buf.indexOf('\n');
    if (nl >= 0) s.end(`${reversed(buf.slice(0, nl))}\n`);
  });
}

const client = (port: number, extra: Partial<ConnectOptions> = {}): TLSSocket =>
  connect({ host: '127.0.0.1', port, servername: 'localhost', ca: pki.ca.cert, ...extra });

async function ping(socket: TLSSocket, line: string): Promise<void> {
  const reply = readUntil(socket, '\n');
  socket.write(`${line}\n`);
  expect(await reply).toBe(`${reversed(line)}\n`);
}

const sClient = (port: number, args: readonly string[]) =>
  openssl(['s_client', '-connect', `127.0.0.1:${port}`, '-servername', 'localhost', '-CAfile', pki.caFile, '-verify_return_error', '-tls1_3', ...args]);

describe.concurrent('HelloRetryRequest towards each group', () => {
  for (const g of GROUPS) {
    it(`puretls client → openssl s_server: share ${decoy(g)}, retried for ${g}`, async () => {
      const s = await sServer(['-cert', p256.certFile, '-key', p256.keyFile, '-groups', OPENSSL_GROUP[g], '-rev', '-naccept', '1']);
      const socket = await secure(client(s.port, { groups: [decoy(g), g] }));
      expect(socket.getHandshakeInfo()).toMatchObject({ helloRetry: true, group: g });
      await ping(socket, `hrr ${g}`);
      socket.end();
      expect(await s.exited).toBe(0);
    });

    it(`openssl s_client → puretls server: share ${decoy(g)}, retried for ${g}`, async () => {
      const infos: unknown[] = [];
      const port = await puretlsServer({ groups: [g] }, (s) => {
        infos.push(s.getHandshakeInfo());
        reverseLine(s);
      });
      const p = sClient(port, ['-groups', `${OPENSSL_GROUP[decoy(g)]}:${OPENSSL_GROUP[g]}`, '-ign_eof']);
      p.proc.stdin.end(`hrr ${g}\n`);
      expect(await p.exited).toBe(0);
      expect(p.stdout()).toContain(`${reversed(`hrr ${g}`)}\n`);
      expect(infos).toEqual([expect.objectContaining({ helloRetry: true, group: g })]);
    });
  }
});

describe.concurrent('resumption and 0-RTT under each suite', () => {
  for (const suite of SUITES) {
    it(`puretls client → openssl s_server: ${suite} resumed with 0-RTT`, async () => {
      const s = await sServer(['-cert', p256.certFile, '-key', p256.keyFile, '-ciphersuites', suite, '-early_data', '-naccept', '2']);
      const first = client(s.port, { cipherSuites: [suite] });
      const session = new Promise<Buffer>((r) => first.once('session', r));
      await secure(first);
      const ticket = await session;
      first.end();
      const second = await secure(client(s.port, { cipherSuites: [suite], session: ticket, earlyData: Buffer.from(`early ${suite}\n`) }));
      expect(second.getHandshakeInfo()).toMatchObject({ resumed: true, earlyDataAccepted: true, cipherSuite: suite });
      await s.waitFor(new RegExp(`early ${suite}`));
      second.end();
      expect(await s.exited).toBe(0);
    });

    it(`openssl s_client → puretls server: ${suite} -sess_out / -sess_in with -early_data`, async () => {
      const seen: { resumed: boolean; early: boolean; suite: string; data: string }[] = [];
      const port = await puretlsServer({ maxEarlyData: 4096 }, (s) => {
        const info = s.getHandshakeInfo()!;
        const entry = { resumed: info.resumed, early: info.earlyDataAccepted, suite: info.cipherSuite, data: '' };
        seen.push(entry);
        s.on('data', (d: Buffer) => {
          entry.data += d.toString('latin1');
          if (entry.data.endsWith('\n')) s.end('ok\n');
        });
      });
      const sess = join(pki.dir, `sess-${suite}.pem`);
      const earlyFile = join(pki.dir, `early-${suite}.txt`);
      writeFileSync(earlyFile, `early ${suite}\n`);
      const a = sClient(port, ['-ciphersuites', suite, '-sess_out', sess, '-ign_eof']);
      a.proc.stdin.end('first\n');
      expect(await a.exited).toBe(0);
      const b = sClient(port, ['-ciphersuites', suite, '-sess_in', sess, '-early_data', earlyFile, '-ign_eof']);
      b.proc.stdin.end();
      expect(await b.exited).toBe(0);
      expect(b.stdout()).toContain('Reused, TLSv1.3');
      expect(b.stdout()).toContain('Early data was accepted');
      expect(seen).toEqual([
        { resumed: false, early: false, suite, data: 'first\n' },
        { resumed: true, early: true, suite, data: `early ${suite}\n` },
      ]);
    });
  }
});

describe.concurrent('KeyUpdate under each suite', () => {
  for (const suite of SUITES) {
    it(`openssl s_server K ↔ puretls client: ${suite}`, async () => {
      const s = await sServer(['-cert', p256.certFile, '-key', p256.keyFile, '-ciphersuites', suite, '-naccept', '1']);
      const socket = await secure(client(s.port, { cipherSuites: [suite] }));
      const updates: string[] = [];
      const two = new Promise<void>((resolve) =>
        socket.on('keyUpdate', (d: string) => {
          updates.push(d);
          if (updates.length === 2) resolve();
        }),
      );
      await s.waitFor(/CIPHER is/);
      s.proc.stdin.write('K\n');
      await two;
      s.proc.stdin.write('after\n');
      await readUntil(socket, 'after\n');
      socket.keyUpdate(false);
      socket.write('ours after\n');
      await s.waitFor(/ours after/);
      expect(updates).toEqual(['read', 'write', 'write']);
      socket.end();
      expect(await s.exited).toBe(0);
    });
  }
});

describe.concurrent('client certificates of each key type', () => {
  for (const key of SERVER_KEY_TYPES) {
    it(`puretls client presents ${key} to openssl s_server -Verify`, async () => {
      const c = pki.clients.get(key)!;
      const s = await sServer(['-cert', p256.certFile, '-key', p256.keyFile, '-Verify', '1', '-CAfile', pki.caFile, '-verify_return_error', '-rev', '-naccept', '1']);
      const socket = await secure(client(s.port, { cert: c.cert, key: c.key }));
      await ping(socket, `client ${key}`);
      socket.end();
      expect(await s.exited).toBe(0);
    });

    it(`openssl s_client presents ${key} to a puretls server (requestCert)`, async () => {
      const c = pki.clients.get(key)!;
      const seen: unknown[] = [];
      const port = await puretlsServer({ requestCert: true, ca: pki.ca.cert }, (s) => {
        seen.push({ authorized: s.authorized, cn: (s.getPeerCertificate() as { subject?: { CN?: string } }).subject?.CN, scheme: s.getSignatureScheme() });
        reverseLine(s);
      });
      const p = sClient(port, ['-cert', c.certFile, '-key', c.keyFile, '-ign_eof']);
      p.proc.stdin.end('mtls\n');
      expect(await p.exited).toBe(0);
      expect(p.stdout()).toContain('sltm\n');
      expect(seen).toEqual([{ authorized: true, cn: `client ${key}`, scheme: SCHEME[key] }]);
    });
  }
});
