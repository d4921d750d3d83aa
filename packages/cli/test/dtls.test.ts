/**
 * `puretls s_client -dtls1_3` against `puretls s_server -dtls1_3` (both run in process through
 * `main`, with piped stdin/stdout/stderr) over real UDP on 127.0.0.1: data both ways, `-brief`, a
 * clean close with exit status 0 on both sides, `-listen` (stateless cookie HelloRetryRequest),
 * `-mtu` (every datagram seen by a UDP relay in between fits it), `-echo`, verification failure
 * aborting unless `-insecure`, `-keylogfile`, `-sess_out` / `-sess_in` resumption, `-early_data`
 * (0-RTT with `-sess_in`, accepted by `s_server -early_data`, sent after the handshake otherwise),
 * `-msg` (every record and handshake message both ways, headers only), and the argument errors (exit 64).
 */
import { createSocket, type RemoteInfo } from 'node:dgram';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { makePki } from '../../node/test/helpers/pki.js';
import { run, type Run } from './run-cli.js';

const pki = makePki();
const p256 = pki.servers.get('ec-p256')!;
afterAll(() => pki.cleanup());


async function server(args: string[]): Promise<{ run: Run; port: number }> {
  const r = run(['s_server', '-dtls1_3', '-accept', '0', ...args]);
  await r.until(/ACCEPT 127\.0\.0\.1:\d+/);
  return { run: r, port: Number(/ACCEPT 127\.0\.0\.1:(\d+)/.exec(r.stdout())![1]) };
}

const TRUST = ['-servername', 'localhost', '-CAfile', pki.caFile];

/** A UDP relay between one client and the server that records every datagram's size. */
/**
 * A first `s_client -dtls1_3 -brief -sess_out file` to `port`, ended once the ticket is written (a
 * post-handshake message, RFC 9147 §5.8.4); resolves to its run after it exits with 0.
 */
async function storeSession(port: number, file: string): Promise<Run> {
  const first = run(['s_client', '-dtls1_3', '-connect', `127.0.0.1:${port}`, ...TRUST, '-brief', '-sess_out', file]);
  const end = Date.now() + 10000;
  while (!existsSync(file)) {
    if (Date.now() > end) throw new Error('no -sess_out file');
    await new Promise((r) => setTimeout(r, 10));
  }
  first.stdin.end();
  expect(await first.status).toBe(0);
  return first;
}

async function relay(serverPort: number): Promise<{ port: number; sizes: number[]; close(): void }> {
  const sock = createSocket('udp4');
  const sizes: number[] = [];
  let client: RemoteInfo | null = null;
  sock.on('message', (m, r) => {
    sizes.push(m.length);
    if (r.port === serverPort) {
      if (client !== null) sock.send(m, client.port, client.address);
    } else {
      client = r;
      sock.send(m, serverPort, '127.0.0.1');
    }
  });
  await new Promise<void>((resolve) => sock.bind(0, '127.0.0.1', resolve));
  return { port: sock.address().port, sizes, close: () => sock.close() };
}

describe.concurrent('puretls s_client / s_server -dtls1_3', () => {
  it('carry stdin to the peer both ways, report -brief, and close cleanly (exit 0 both)', async () => {
    const s = await server(['-cert', p256.certFile, '-key', p256.keyFile, '-naccept', '1', '-brief', '-alpn', 'coap']);
    const c = run(['s_client', '-dtls1_3', '-connect', `127.0.0.1:${s.port}`, ...TRUST, '-brief', '-groups', 'P-384', '-ciphersuites', 'TLS_CHACHA20_POLY1305_SHA256', '-alpn', 'coap']);
    await c.until('Verification: OK', 'stderr');
    await s.run.until('CONNECTION ESTABLISHED', 'stderr');
    c.stdin.write('hello from the client\n');
    await s.run.until('hello from the client\n');
    s.run.stdin.write('hello from the server\n');
    await c.until('hello from the server\n');
    c.stdin.end();
    expect(await c.status).toBe(0);
    expect(await s.run.status).toBe(0);
    const err = c.stderr();
    expect(err).toContain(`CONNECTED(UDP 127.0.0.1:${s.port})`);
    expect(err).toContain('Protocol version: DTLSv1.3');
    expect(err).toContain('Ciphersuite: TLS_CHACHA20_POLY1305_SHA256');
    expect(err).toContain('Group: P-384');
    expect(err).toContain('Peer signature scheme: ecdsa_secp256r1_sha256');
    expect(err).toContain('ALPN protocol: coap');
    expect(err).toContain('Session: full handshake\n');
    expect(err).toContain('Peer certificate: CN=localhost');
    expect(err).toContain('MTU: 1200');
    const serr = s.run.stderr();
    expect(serr).toContain('Protocol version: DTLSv1.3');
    expect(serr).toContain('Server name: localhost');
    // The client's close_notify reached the server.
    expect(serr).toContain('closed');
    expect(s.run.stdout()).toBe(`ACCEPT 127.0.0.1:${s.port}\nhello from the client\n`);
  });

  it('-listen: the server answers with a stateless cookie HelloRetryRequest first; the server closing is clean too', async () => {
    const s = await server(['-cert', p256.certFile, '-key', p256.keyFile, '-naccept', '1', '-listen', '-brief']);
    const c = run(['s_client', '-dtls1_3', '-connect', `127.0.0.1:${s.port}`, ...TRUST, '-brief']);
    await c.until('Verification: OK', 'stderr');
    expect(c.stderr()).toContain('Session: full handshake, after HelloRetryRequest');
    await s.run.until('after HelloRetryRequest', 'stderr');
    c.stdin.write('after a cookie\n');
    await s.run.until('after a cookie\n');
    // `Q` on the server's stdin sends close_notify: the client sees the peer close and exits 0.
    s.run.stdin.write('Q\n');
    expect(await c.status).toBe(0);
    expect(c.stderr()).toContain('closed');
    expect(await s.run.status).toBe(0);
  });

  it('-mtu: every datagram both ways fits, the handshake spans several, and a large stdin chunk arrives whole', async () => {
    const s = await server(['-cert', p256.certFile, '-key', p256.keyFile, '-naccept', '1', '-mtu', '300', '-brief']);
    const r = await relay(s.port);
    try {
      const c = run(['s_client', '-dtls1_3', '-connect', `127.0.0.1:${r.port}`, ...TRUST, '-mtu', '300', '-brief']);
      await c.until('Verification: OK', 'stderr');
      expect(c.stderr()).toContain('MTU: 300');
      const handshakeDatagrams = r.sizes.length;
      const big = `${'0123456789abcdef'.repeat(250)}\n`; // 4001 bytes: cut into datagram-sized messages
      c.stdin.write(big);
      await s.run.until(big);
      c.stdin.end();
      expect(await c.status).toBe(0);
      expect(await s.run.status).toBe(0);
      expect(Math.max(...r.sizes)).toBeLessThanOrEqual(300);
      // A ~1 KB certificate flight cannot fit one 300-byte datagram; 4001 bytes need at least 15.
      expect(handshakeDatagrams).toBeGreaterThanOrEqual(6);
      expect(r.sizes.length - handshakeDatagrams).toBeGreaterThanOrEqual(15);
      expect(s.run.stdout()).toBe(`ACCEPT 127.0.0.1:${s.port}\n${big}`);
    } finally {
      r.close();
    }
  });

  it('-echo echoes each datagram; -keylogfile writes the DTLS traffic secrets', async () => {
    const keys = join(pki.dir, 'dtls-keys.log');
    const s = await server(['-cert', p256.certFile, '-key', p256.keyFile, '-naccept', '1', '-echo', '-quiet']);
    const c = run(['s_client', '-dtls1_3', '-connect', `127.0.0.1:${s.port}`, ...TRUST, '-keylogfile', keys, '-nocommands']);
    c.stdin.write('ping\n');
    await c.until('ping\n');
    c.stdin.write('pong\n');
    await c.until('ping\npong\n');
    c.stdin.end();
    expect(await c.status).toBe(0);
    expect(await s.run.status).toBe(0);
    const labels = readFileSync(keys, 'utf8').trim().split('\n').map((l) => l.split(' ')[0]);
    expect(labels).toEqual(expect.arrayContaining(['CLIENT_HANDSHAKE_TRAFFIC_SECRET', 'SERVER_HANDSHAKE_TRAFFIC_SECRET', 'CLIENT_TRAFFIC_SECRET_0', 'SERVER_TRAFFIC_SECRET_0']));
  });

  it('-sess_out stores the ticket; a second run with -sess_in resumes (-brief shows it, verification carried over)', async () => {
    const file = join(pki.dir, 'dtls-session.pem');
    const s = await server(['-cert', p256.certFile, '-key', p256.keyFile, '-naccept', '2', '-brief']);
    const first = await storeSession(s.port, file);
    expect(first.stderr()).toContain('Verification: OK');
    expect(first.stderr()).toContain('Session: full handshake\n');
    expect(readFileSync(file, 'utf8')).toMatch(/^-----BEGIN PURETLS SESSION-----\n/);

    const second = run(['s_client', '-dtls1_3', '-connect', `127.0.0.1:${s.port}`, ...TRUST, '-brief', '-sess_in', file]);
    await second.until('Verification: OK', 'stderr');
    second.stdin.write('resumed\n');
    await s.run.until('resumed\n');
    second.stdin.end();
    expect(await second.status).toBe(0);
    expect(await s.run.status).toBe(0);
    const err = second.stderr();
    expect(err).toContain('Session: resumed\n');
    // No certificate in a resumption: the verification outcome comes from the session file.
    expect(err).not.toContain('Peer certificate:');
    expect(s.run.stderr()).toContain('Session: resumed\n');
  });

  it('-msg prints every record and handshake message both ways, with epochs and message_seq, and no secrets', async () => {
    const s = await server(['-cert', p256.certFile, '-key', p256.keyFile, '-naccept', '1', '-msg', '-quiet']);
    const c = run(['s_client', '-dtls1_3', '-connect', `127.0.0.1:${s.port}`, ...TRUST, '-msg', '-brief']);
    await c.until('Verification: OK', 'stderr');
    c.stdin.write('hello\n');
    await s.run.until('hello\n');
    // The ticket (epoch 3) and the ACK of the client's Finished come after the handshake.
    await c.until(/<<< {3}Handshake \[length \d+\], NewSessionTicket, message_seq \d+/, 'stderr');
    c.stdin.end();
    expect(await c.status).toBe(0);
    expect(await s.run.status).toBe(0);
    const err = c.stderr();
    expect(err).toMatch(/>>> DTLS record \[length \d+\], epoch 0, seq 0 \(cleartext\)\n>>> {3}Handshake \[length \d+\], ClientHello, message_seq 0\n/);
    expect(err).toMatch(/<<< {3}Handshake \[length \d+\], ServerHello, message_seq 0\n/);
    expect(err).toMatch(/<<< DTLS record \[length \d+\], epoch 2, seq 0\n<<< {3}Handshake \[length \d+\], EncryptedExtensions, message_seq 1\n/);
    for (const m of ['Certificate', 'CertificateVerify', 'Finished']) expect(err).toMatch(new RegExp(`<<< {3}Handshake \\[length \\d+\\], ${m}, message_seq \\d`));
    expect(err).toMatch(/>>> {3}Handshake \[length 32\], Finished, message_seq 1\n/);
    expect(err).toMatch(/<<< {3}ACK \[2\/\d+/);
    expect(err).toMatch(/>>> DTLS record \[length \d+\], epoch 3, seq \d+\n>>> {3}ApplicationData \[length 6\]\n/);
    expect(err).not.toContain('EndOfEarlyData');
    // Headers only: no secret or payload bytes in hex.
    expect(err).not.toMatch(/[0-9a-f]{32}/);
    const serr = s.run.stderr();
    expect(serr).toMatch(/<<< {3}Handshake \[length \d+\], ClientHello, message_seq 0\n/);
    expect(serr).toMatch(/>>> {3}Handshake \[length \d+\], ServerHello, message_seq 0\n/);
    expect(serr).toMatch(/<<< {3}ApplicationData \[length 6\]\n/);
  });

  it('-early_data file with -sess_in: 0-RTT accepted by s_server -early_data, delivered first; sent after the handshake otherwise', async () => {
    const file = join(pki.dir, 'dtls-early-session.pem');
    const early = join(pki.dir, 'dtls-early.txt');
    writeFileSync(early, 'GET /zero-rtt\n');
    const s = await server(['-cert', p256.certFile, '-key', p256.keyFile, '-naccept', '2', '-brief', '-early_data']);
    await storeSession(s.port, file);

    const second = run(['s_client', '-dtls1_3', '-connect', `127.0.0.1:${s.port}`, ...TRUST, '-brief', '-msg', '-sess_in', file, '-early_data', early]);
    await second.until('Early data was accepted', 'stderr');
    await s.run.until('GET /zero-rtt\n');
    second.stdin.write('then 1-RTT\n');
    await s.run.until('then 1-RTT\n');
    second.stdin.end();
    expect(await second.status).toBe(0);
    expect(await s.run.status).toBe(0);
    const err = second.stderr();
    expect(err).toContain('Session: resumed, 0-RTT accepted\n');
    // RFC 9147 §6.1: the early datagram is a record of epoch 1 right after the ClientHello.
    expect(err).toMatch(/>>> {3}Handshake \[length \d+\], ClientHello, message_seq 0\n>>> DTLS record \[length \d+\], epoch 1, seq 0\n>>> {3}ApplicationData \[length 14\] \(0-RTT\)\n/);
    expect(s.run.stderr()).toContain('Session: resumed, 0-RTT accepted\n');
    expect(s.run.stdout()).toBe(`ACCEPT 127.0.0.1:${s.port}\nGET /zero-rtt\nthen 1-RTT\n`);

    // A server without -early_data issues tickets without it: the file goes after the handshake.
    const plain = await server(['-cert', p256.certFile, '-key', p256.keyFile, '-naccept', '2', '-quiet']);
    const file2 = join(pki.dir, 'dtls-plain-session.pem');
    await storeSession(plain.port, file2);
    const b = run(['s_client', '-dtls1_3', '-connect', `127.0.0.1:${plain.port}`, ...TRUST, '-brief', '-sess_in', file2, '-early_data', early]);
    await b.until('Early data was rejected (sent after the handshake)', 'stderr');
    await plain.run.until('GET /zero-rtt\n');
    b.stdin.end();
    expect(await b.status).toBe(0);
    expect(await plain.run.status).toBe(0);
    expect(b.stderr()).toContain('Session: resumed\n');
  });

  it('aborts on a certificate that does not verify (exit 1), goes on with -insecure', async () => {
    const s = await server(['-cert', pki.stranger.certFile, '-key', pki.stranger.keyFile, '-naccept', '1']);
    const refused = run(['s_client', '-dtls1_3', '-connect', `127.0.0.1:${s.port}`, ...TRUST]);
    expect(await refused.status).toBe(1);
    expect(refused.stderr()).toMatch(/handshake failed: .*UNABLE_TO_GET_ISSUER_CERT_LOCALLY/);
    const insecure = run(['s_client', '-dtls1_3', '-connect', `127.0.0.1:${s.port}`, ...TRUST, '-insecure', '-brief']);
    await insecure.until('Verification error: UNABLE_TO_GET_ISSUER_CERT_LOCALLY', 'stderr');
    insecure.stdin.write('anyway\n');
    await s.run.until('anyway\n');
    insecure.stdin.end();
    expect(await insecure.status).toBe(0);
    // The refused handshake counts as a failure of the server run.
    expect(await s.run.status).toBe(1);
    expect(s.run.stderr()).toContain('puretls s_server:');
  });

  it.each([
    [['s_client', '-connect', '127.0.0.1:4433', '-mtu', '1000'], '-mtu needs -dtls1_3'],
    [['s_server', '-accept', '0', '-mtu', '1000'], '-mtu needs -dtls1_3'],
    [['s_server', '-accept', '0', '-listen'], '-listen needs -dtls1_3'],
    [['s_client', '-dtls1_3', '-connect', '127.0.0.1:4433', '-mtu', '100'], '-mtu 100: must be 256..65507'],
    [['s_client', '-dtls1_3', '-connect', '127.0.0.1:4433', '-mtu', 'big'], '-mtu big: must be 256..65507'],
    [['s_server', '-dtls1_3', '-accept', '0', '-mtu', '70000'], '-mtu 70000: must be 256..65507'],
    [['s_client', '-dtls1_3'], '-connect host:port is required'],
    [['s_client', '-dtls1_3', '-connect', '127.0.0.1:0'], 'bad port in 127.0.0.1:0'],
    [['s_client', '-dtls1_3', '-connect', '127.0.0.1:4433', '-starttls', 'smtp'], '-starttls is not supported with -dtls1_3'],
    [['s_server', '-dtls1_3', '-accept', '0', '-tls1_3'], '-tls1_3 is not supported with -dtls1_3'],
    [['s_server', '-dtls1_3', '-accept', '0', '-naccept', 'x'], '-naccept needs a count'],
  ])('usage error %j exits 64', async (argv, message) => {
    const r = run(argv);
    expect(await r.status).toBe(64);
    expect(r.stderr()).toContain(`puretls: ${message}\n`);
    expect(r.stderr()).toContain('usage: puretls');
  });
});
