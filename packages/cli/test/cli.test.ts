/**
 * `puretls s_client` / `s_server` (run in process through `main`, with piped stdin/stdout/stderr)
 * against real `openssl s_server` / `s_client` on 127.0.0.1: data both ways, `-brief`, `-accept 0`,
 * `-echo`, `-www`, `-naccept`, `-sess_out`/`-sess_in`, `-early_data`, `-starttls smtp`, `-verify` /
 * `-Verify`, `-keylogfile` (the same secrets as openssl's key log), `-msg`, and verification failure
 * aborting unless `-insecure`, with the exit statuses.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createSmtpServer } from '../../../examples/smtp-starttls-server.mjs';
import { killAll, openssl, sServer } from '../../node/test/helpers/openssl.js';
import { makePki } from '../../node/test/helpers/pki.js';
import { closeServer, listen } from '../../node/test/helpers/sockets.js';
import { run } from './run-cli.js';

const pki = makePki();
const p256 = pki.servers.get('ec-p256')!;
afterAll(() => {
  killAll();
  pki.cleanup();
});


describe.concurrent('puretls s_client', () => {
  it('talks to openssl s_server, -brief reports the negotiation, stdin EOF closes cleanly', async () => {
    const s = await sServer(['-cert', p256.certFile, '-key', p256.keyFile, '-rev', '-naccept', '1', '-alpn', 'h2']);
    const c = run(['s_client', '-connect', `127.0.0.1:${s.port}`, '-servername', 'localhost', '-CAfile', pki.caFile, '-brief', '-groups', 'P-384', '-ciphersuites', 'TLS_CHACHA20_POLY1305_SHA256', '-alpn', 'h2']);
    await c.until('Verification: OK', 'stderr');
    c.stdin.write('hello openssl\n');
    await c.until('lssnepo olleh\n');
    c.stdin.end();
    expect(await c.status).toBe(0);
    const err = c.stderr();
    expect(err).toContain('Protocol version: TLSv1.3');
    expect(err).toContain('Ciphersuite: TLS_CHACHA20_POLY1305_SHA256');
    expect(err).toContain('Group: P-384');
    expect(err).toContain('Peer signature scheme: ecdsa_secp256r1_sha256');
    expect(err).toContain('ALPN protocol: h2');
    expect(await s.exited).toBe(0);
  });

  it('aborts on a certificate that does not verify (exit 1, alert on stderr), goes on with -insecure', async () => {
    const s = await sServer(['-cert', pki.stranger.certFile, '-key', pki.stranger.keyFile, '-rev', '-naccept', '2']);
    const refused = run(['s_client', '-connect', `127.0.0.1:${s.port}`, '-servername', 'localhost', '-CAfile', pki.caFile]);
    expect(await refused.status).toBe(1);
    expect(refused.stderr()).toMatch(/handshake failed: .*\(alert unknown_ca sent\) \[UNABLE_TO_GET_ISSUER_CERT_LOCALLY\]/);
    const insecure = run(['s_client', '-connect', `127.0.0.1:${s.port}`, '-servername', 'localhost', '-CAfile', pki.caFile, '-insecure']);
    await insecure.until('Verification error: UNABLE_TO_GET_ISSUER_CERT_LOCALLY', 'stderr');
    insecure.stdin.write('abc\n');
    await insecure.until('cba\n');
    insecure.stdin.end();
    expect(await insecure.status).toBe(0);
    expect(await s.exited).toBe(0);
  });

  it('-sess_out then -sess_in resumes; -early_data is accepted by openssl s_server -early_data', async () => {
    const s = await sServer(['-cert', p256.certFile, '-key', p256.keyFile, '-early_data', '-naccept', '2']);
    const sess = join(pki.dir, 'cli-session.pem');
    const early = join(pki.dir, 'cli-early.txt');
    const { writeFileSync } = await import('node:fs');
    writeFileSync(early, 'zero round trip\n');
    const a = run(['s_client', '-connect', `127.0.0.1:${s.port}`, '-servername', 'localhost', '-CAfile', pki.caFile, '-sess_out', sess, '-brief']);
    await a.until('Verification: OK', 'stderr');
    await s.waitFor(/CIPHER is/);
    // openssl sends its tickets with its first flight after the handshake; give them a moment.
    const until = Date.now() + 5000;
    while (Date.now() < until && !readable(sess)) await new Promise((r) => setTimeout(r, 20));
    a.stdin.end();
    expect(await a.status).toBe(0);
    expect(readFileSync(sess, 'utf8')).toContain('BEGIN PURETLS SESSION');
    const b = run(['s_client', '-connect', `127.0.0.1:${s.port}`, '-servername', 'localhost', '-CAfile', pki.caFile, '-sess_in', sess, '-early_data', early, '-brief', '-msg']);
    await b.until('Early data was accepted', 'stderr');
    expect(b.stderr()).toContain('Session: resumed, early data accepted');
    // -msg opens the 0-RTT record with the early traffic secret and says so; EndOfEarlyData follows.
    expect(b.stderr()).toMatch(/>>> ApplicationData \[length 16\] \(0-RTT\)\n(.*\n)*>>> Handshake \[length 4\], EndOfEarlyData/);
    await s.waitFor(/zero round trip/);
    b.stdin.end();
    expect(await b.status).toBe(0);
    expect(await s.exited).toBe(0);
  });

  it('-keylogfile logs the same secrets as openssl s_server -keylogfile', async () => {
    const ours = join(pki.dir, 'cli-keys-ours.log');
    const theirs = join(pki.dir, 'cli-keys-openssl.log');
    const s = await sServer(['-cert', p256.certFile, '-key', p256.keyFile, '-rev', '-naccept', '1', '-keylogfile', theirs]);
    const c = run(['s_client', '-connect', `127.0.0.1:${s.port}`, '-servername', 'localhost', '-CAfile', pki.caFile, '-keylogfile', ours]);
    c.stdin.write('keys\n');
    await c.until('syek\n');
    c.stdin.end();
    expect(await c.status).toBe(0);
    await s.exited;
    const lines = (f: string): string[] => readFileSync(f, 'utf8').split('\n').filter((l) => l !== '' && !l.startsWith('#')).sort();
    const mine = lines(ours);
    expect(mine.map((l) => l.split(' ')[0])).toEqual(
      ['CLIENT_HANDSHAKE_TRAFFIC_SECRET', 'CLIENT_TRAFFIC_SECRET_0', 'EXPORTER_SECRET', 'SERVER_HANDSHAKE_TRAFFIC_SECRET', 'SERVER_TRAFFIC_SECRET_0'],
    );
    expect(mine).toEqual(lines(theirs));
  });

  it('-msg traces the records; -verify/-Verify client certificates; -starttls smtp', async () => {
    const s = await sServer(['-cert', p256.certFile, '-key', p256.keyFile, '-rev', '-naccept', '1', '-Verify', '1', '-CAfile', pki.caFile, '-verify_return_error']);
    const c = run(['s_client', '-connect', `127.0.0.1:${s.port}`, '-servername', 'localhost', '-CAfile', pki.caFile, '-cert', pki.client.certFile, '-key', pki.client.keyFile, '-msg']);
    c.stdin.write('mtls\n');
    await c.until('sltm\n');
    c.stdin.end();
    expect(await c.status).toBe(0);
    // Every handshake message, the encrypted ones opened with the logged traffic secrets.
    const messages = [...c.stderr().matchAll(/^(>>>|<<<) Handshake \[length \d+\], (\w+)/gm)].map((m) => `${m[1]} ${m[2]}`);
    expect(messages).toEqual([
      '>>> ClientHello', '<<< ServerHello', '<<< EncryptedExtensions', '<<< CertificateRequest', '<<< Certificate', '<<< CertificateVerify',
      '<<< Finished', '>>> Certificate', '>>> CertificateVerify', '>>> Finished', '<<< NewSessionTicket', '<<< NewSessionTicket',
    ]);
    expect(c.stderr()).toMatch(/^>>> ApplicationData \[length 5\]$/m);
    expect(c.stderr()).toMatch(/^<<< ApplicationData \[length 5\]$/m);
    expect(c.stderr()).toMatch(/^>>> Alert \[length 2\], warning close_notify$/m);
    expect(await s.exited).toBe(0);

    const smtp = createSmtpServer({ cert: p256.cert, key: p256.key });
    const port = await listen(smtp);
    const m = run(['s_client', '-connect', `127.0.0.1:${port}`, '-servername', 'localhost', '-CAfile', pki.caFile, '-starttls', 'smtp', '-brief']);
    await m.until('Verification: OK', 'stderr');
    m.stdin.write('EHLO cli\r\n');
    await m.until('250 SIZE');
    m.stdin.write('QUIT\r\n');
    await m.until('221 ');
    expect(await m.status).toBe(0);
    expect(m.stderr()).toContain('250 STARTTLS'); // the plaintext EHLO answer, before the upgrade
    await closeServer(smtp);
  });
});

describe.concurrent('puretls s_server', () => {
  it('-accept 0 prints ACCEPT host:port; -echo serves openssl s_client; -naccept 1 exits 0', async () => {
    const srv = run(['s_server', '-accept', '0', '-cert', p256.certFile, '-key', p256.keyFile, '-echo', '-naccept', '1', '-brief']);
    await srv.until(/ACCEPT 127\.0\.0\.1:\d+\n/);
    const port = Number(/ACCEPT 127\.0\.0\.1:(\d+)/.exec(srv.stdout())![1]);
    const p = openssl(['s_client', '-connect', `127.0.0.1:${port}`, '-CAfile', pki.caFile, '-verify_return_error', '-servername', 'localhost', '-alpn', 'x']);
    p.proc.stdin.write('echo me\n');
    await p.waitFor(/echo me\n[\s\S]*echo me\n|Verify return code: 0[\s\S]*echo me/);
    p.proc.stdin.end();
    await p.exited;
    expect(await srv.status).toBe(0);
    expect(srv.stderr()).toContain('CONNECTION ESTABLISHED');
    expect(srv.stderr()).toContain('Server name: localhost');
  });

  it('-www answers an HTTP request with a status page', async () => {
    const srv = run(['s_server', '-accept', '0', '-cert', p256.certFile, '-key', p256.keyFile, '-www', '-naccept', '1', '-quiet']);
    await srv.until(/ACCEPT 127\.0\.0\.1:\d+\n/);
    const port = Number(/ACCEPT 127\.0\.0\.1:(\d+)/.exec(srv.stdout())![1]);
    const p = openssl(['s_client', '-connect', `127.0.0.1:${port}`, '-CAfile', pki.caFile, '-verify_return_error', '-quiet', '-ciphersuites', 'TLS_AES_128_CCM_8_SHA256', '-groups', 'X448']);
    p.proc.stdin.end('GET / HTTP/1.0\r\n\r\n');
    expect(await p.exited).toBe(0);
    expect(p.stdout()).toContain('HTTP/1.0 200 ok');
    expect(p.stdout()).toContain('Ciphersuite: TLS_AES_128_CCM_8_SHA256');
    expect(p.stdout()).toContain('Group: X448');
    expect(await srv.status).toBe(0);
  });

  it('-Verify requires a client certificate; -verify asks; stdin goes to the client, its data to stdout', async () => {
    const srv = run(['s_server', '-accept', '0', '-cert', p256.certFile, '-key', p256.keyFile, '-CAfile', pki.caFile, '-Verify', '1', '-naccept', '2', '-brief']);
    await srv.until(/ACCEPT 127\.0\.0\.1:\d+\n/);
    const port = Number(/ACCEPT 127\.0\.0\.1:(\d+)/.exec(srv.stdout())![1]);
    const none = openssl(['s_client', '-connect', `127.0.0.1:${port}`, '-CAfile', pki.caFile, '-ign_eof']);
    none.proc.stdin.end('x\n');
    expect(await none.exited).not.toBe(0);
    await srv.until('CLIENT_CERTIFICATE_REQUIRED', 'stderr');
    const ok = openssl(['s_client', '-connect', `127.0.0.1:${port}`, '-CAfile', pki.caFile, '-cert', pki.client.certFile, '-key', pki.client.keyFile]);
    await srv.until('Client certificate: CN=puretls client', 'stderr');
    ok.proc.stdin.write('from openssl\n');
    await srv.until('from openssl\n');
    srv.stdin.write('from puretls\n');
    await ok.waitFor(/from puretls/);
    ok.proc.stdin.end();
    await ok.exited;
    expect(await srv.status).toBe(1); // one handshake failed
  });
});

describe('puretls s_server -msg', () => {
  it('traces both directions, KeyUpdate included', async () => {
    const srv = run(['s_server', '-accept', '0', '-cert', p256.certFile, '-key', p256.keyFile, '-naccept', '1', '-msg', '-quiet']);
    await srv.until(/ACCEPT 127\.0\.0\.1:\d+\n/);
    const port = Number(/ACCEPT 127\.0\.0\.1:(\d+)/.exec(srv.stdout())![1]);
    const p = openssl(['s_client', '-connect', `127.0.0.1:${port}`, '-CAfile', pki.caFile, '-verify_return_error']);
    await p.waitFor(/Verify return code: 0/);
    p.proc.stdin.write('K\n');
    await srv.until(/KeyUpdate \(update_requested\)/, 'stderr');
    p.proc.stdin.write('after update\n');
    await srv.until('after update\n');
    p.proc.stdin.end();
    await p.exited;
    expect(await srv.status).toBe(0);
    const messages = [...srv.stderr().matchAll(/^(>>>|<<<) Handshake \[length \d+\], (\w+)( \(update_\w+\))?/gm)].map((m) => `${m[1]} ${m[2]}${m[3] ?? ''}`);
    expect(messages).toEqual([
      // The ticket goes out with the first flight (no client certificate asked: RFC 8446 §4.6.1).
      '<<< ClientHello', '>>> ServerHello', '>>> EncryptedExtensions', '>>> Certificate', '>>> CertificateVerify', '>>> Finished',
      '>>> NewSessionTicket', '<<< Finished', '<<< KeyUpdate (update_requested)', '>>> KeyUpdate (update_not_requested)',
    ]);
    expect(srv.stderr()).not.toContain('not decrypted');
  });
});

describe('usage', () => {
  it('unknown options and commands are usage errors (64); -help prints usage', async () => {
    expect(await run(['s_client', '-connect', '127.0.0.1:1', '-bogus']).status).toBe(64);
    expect(await run(['frobnicate']).status).toBe(64);
    const h = run(['s_server', '-help']);
    expect(await h.status).toBe(0);
    expect(h.stdout()).toContain('-accept 0');
  });
});

function readable(file: string): boolean {
  try {
    return readFileSync(file, 'utf8').includes('BEGIN PURETLS SESSION');
  } catch {
    return false;
  }
}
