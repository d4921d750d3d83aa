/**
 * The interop matrix against OpenSSL: real `openssl s_server` / `s_client` processes on 127.0.0.1.
 *
 * Basic cells, both directions (puretls client → openssl s_server, openssl s_client → puretls
 * server): every TLS 1.3 suite OpenSSL 3.0 offers (CCM ones enabled by name) × X25519, X448, P-256,
 * P-384, P-521 × server keys ECDSA P-256, P-384, Ed25519, Ed448, RSA-2048 (rsaEncryption, PSS signatures) and
 * RSA-PSS-2048 (id-RSASSA-PSS). Each cell checks what
 * both sides say was negotiated, verifies the chain against the test CA, moves data both ways and
 * closes with close_notify. The feature cells are in interop-openssl-features.test.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NamedGroupName } from '@puretls/crypto';
import type { CipherSuiteName } from '@puretls/tls';
import { connect, createServer, type Server, type TLSSocket } from '../src/index.js';
import type { TestKeyType } from '../src/index.js';
import { killAll, openssl, sServer } from './helpers/openssl.js';
import { makePki, SERVER_KEY_TYPES } from './helpers/pki.js';

export const SUITES: readonly CipherSuiteName[] = [
  'TLS_AES_128_GCM_SHA256',
  'TLS_AES_256_GCM_SHA384',
  'TLS_CHACHA20_POLY1305_SHA256',
  'TLS_AES_128_CCM_SHA256',
  'TLS_AES_128_CCM_8_SHA256',
];
export const GROUPS: readonly NamedGroupName[] = ['x25519', 'x448', 'secp256r1', 'secp384r1', 'secp521r1'];
const OPENSSL_GROUP: Record<NamedGroupName, string> = { x25519: 'X25519', x448: 'X448', secp256r1: 'P-256', secp384r1: 'P-384', secp521r1: 'P-521' } as Record<NamedGroupName, string>;
/** How `openssl s_client` names the group on its "Server Temp Key" line. */
const TEMP_KEY: Record<NamedGroupName, RegExp> = {
  x25519: /Server Temp Key: X25519/,
  x448: /Server Temp Key: X448/,
  secp256r1: /Server Temp Key: ECDH, prime256v1/,
  secp384r1: /Server Temp Key: ECDH, secp384r1/,
  secp521r1: /Server Temp Key: ECDH, secp521r1/,
} as Record<NamedGroupName, RegExp>;
const SCHEME: Record<TestKeyType, string> = {
  'ec-p256': 'ecdsa_secp256r1_sha256',
  'ec-p384': 'ecdsa_secp384r1_sha384',
  'ec-p521': 'ecdsa_secp521r1_sha512',
  ed25519: 'ed25519',
  ed448: 'ed448',
  'rsa-2048': 'rsa_pss_rsae_sha256',
  'rsa-pss-2048': 'rsa_pss_pss_sha256',
};

const pki = makePki();
const servers = new Map<TestKeyType, { server: Server; port: number }>();

function listen(server: Server): Promise<number> {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as { port: number }).port)));
}

/** A puretls server answering each line with the line reversed, then closing (close_notify). */
function reverser(socket: TLSSocket): void {
  let buf = '';
  socket.on('data', (d: Buffer) => {
    buf += d.toString('latin1');
    const nl = buf.indexOf('\n');
    if (nl >= 0) socket.end(`${[...buf.slice(0, nl)].reverse().join('')}\n`);
  });
  socket.on('error', () => {});
}

beforeAll(async () => {
  for (const t of SERVER_KEY_TYPES) {
    const c = pki.servers.get(t)!;
    const server = createServer({ cert: c.cert, key: c.key, ticketsPerHandshake: 0 }, reverser);
    servers.set(t, { server, port: await listen(server) });
  }
});

afterAll(async () => {
  killAll();
  for (const { server } of servers.values()) await new Promise((r) => server.close(r));
  pki.cleanup();
});

function secure(socket: TLSSocket): Promise<void> {
  return new Promise((resolve, reject) => {
    socket.once('secureConnect', resolve);
    socket.once('error', reject);
  });
}

const cells: { suite: CipherSuiteName; group: NamedGroupName; key: TestKeyType }[] = [];
for (const key of SERVER_KEY_TYPES) for (const suite of SUITES) for (const group of GROUPS) cells.push({ suite, group, key });

describe.concurrent('puretls client → openssl s_server', () => {
  for (const { suite, group, key } of cells) {
    it(`${suite} ${group} ${key}`, async () => {
      const c = pki.servers.get(key)!;
      const s = await sServer(['-cert', c.certFile, '-key', c.keyFile, '-tls1_3', '-ciphersuites', suite, '-groups', OPENSSL_GROUP[group], '-rev', '-naccept', '1']);
      try {
        const socket = connect({ host: '127.0.0.1', port: s.port, servername: 'localhost', ca: pki.ca.cert, cipherSuites: [suite], groups: [group] });
        await secure(socket);
        expect(socket.authorized).toBe(true);
        expect(socket.getProtocol()).toBe('TLSv1.3');
        expect(socket.getCipher()?.name).toBe(suite);
        expect(socket.getGroup()).toBe(group);
        expect(socket.getSignatureScheme()).toBe(SCHEME[key]);
        expect(socket.getHandshakeInfo()?.helloRetry).toBe(false);
        const line = `ping ${suite} ${group} ${key}`;
        const reply = new Promise<string>((resolve) => socket.once('data', (d: Buffer) => resolve(d.toString())));
        socket.write(`${line}\n`);
        expect(await reply).toBe(`${[...line].reverse().join('')}\n`);
        socket.end(); // close_notify; s_server -naccept 1 then exits cleanly
        expect(await s.exited).toBe(0);
        expect(s.stdout()).toContain('1 server accepts that finished');
      } finally {
        s.kill();
      }
    });
  }
});

describe.concurrent('openssl s_client → puretls server', () => {
  for (const { suite, group, key } of cells) {
    it(`${suite} ${group} ${key}`, async () => {
      const { port } = servers.get(key)!;
      const p = openssl(['s_client', '-connect', `127.0.0.1:${port}`, '-servername', 'localhost', '-CAfile', pki.caFile, '-verify_return_error', '-verify_hostname', 'localhost', '-tls1_3', '-ciphersuites', suite, '-groups', OPENSSL_GROUP[group], '-ign_eof']);
      try {
        const line = `pong ${suite} ${group} ${key}`;
        p.proc.stdin.end(`${line}\n`);
        expect(await p.exited).toBe(0);
        const out = p.stdout();
        expect(out).toContain(`${[...line].reverse().join('')}\n`);
        expect(out).toContain(`Cipher is ${suite}`);
        expect(out).toMatch(TEMP_KEY[group]);
        expect(out).toContain('Verify return code: 0 (ok)');
        expect(out).toContain('closed'); // our close_notify, read as a clean close
      } finally {
        p.kill();
      }
    });
  }
});
