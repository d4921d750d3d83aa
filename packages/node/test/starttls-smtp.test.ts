/**
 * STARTTLS (RFC 3207) with the example SMTP server (examples/smtp-starttls-server.mjs), written on the
 * binding's server-side upgrade (`new TLSSocket(socket, { isServer: true })`): `openssl s_client
 * -starttls smtp` sends a message through it, and so does the puretls client upgrading its own
 * plaintext connection with `connect({ socket })`.
 */
import { connect as netConnect, type Socket } from 'node:net';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createSmtpServer, type SmtpMessage } from '../../../examples/smtp-starttls-server.mjs';
import { connect } from '../src/index.js';
import { killAll, openssl } from './helpers/openssl.js';
import { makePki } from './helpers/pki.js';
import { closeServer, listen, readUntil } from './helpers/sockets.js';

const pki = makePki();
const messages: SmtpMessage[] = [];
const server = createSmtpServer({ cert: pki.servers.get('ec-p256')!.cert, key: pki.servers.get('ec-p256')!.key, onMessage: (m) => messages.push(m) });
let port = 0;

beforeAll(async () => {
  port = await listen(server);
});
afterAll(async () => {
  killAll();
  await closeServer(server);
  pki.cleanup();
});

it('openssl s_client -starttls smtp sends a message over the upgraded connection', async () => {
  const p = openssl(['s_client', '-starttls', 'smtp', '-connect', `127.0.0.1:${port}`, '-CAfile', pki.caFile, '-verify_return_error', '-verify_hostname', 'localhost', '-crlf', '-ign_eof']);
  await p.waitFor(/Verify return code: 0 \(ok\)/);
  // s_client has already sent EHLO and STARTTLS; the dialogue starts over inside TLS.
  p.proc.stdin.end('EHLO openssl\nMAIL FROM:<a@example.test>\nRCPT TO:<b@example.test>\nDATA\nSubject: hi\n\nover TLS\n.\nQUIT\n');
  expect(await p.exited).toBe(0);
  expect(p.stdout()).toContain('Cipher is TLS_');
  expect(p.stdout()).toContain('250 SIZE 10485760'); // the EHLO answer inside TLS: no STARTTLS offered
  expect(p.stdout()).toContain('221 2.0.0 Bye');
  expect(messages).toContainEqual({ from: '<a@example.test>', to: ['<b@example.test>'], data: 'Subject: hi\n\nover TLS\n', tls: true });
});

it('the puretls client upgrades its plaintext connection with connect({ socket })', async () => {
  const raw: Socket = netConnect({ host: '127.0.0.1', port });
  await readUntil(raw, '220 ');
  let seen = readUntil(raw, '250 STARTTLS');
  raw.write('EHLO puretls\r\n');
  await seen;
  seen = readUntil(raw, '220 2.0.0');
  raw.write('STARTTLS\r\n');
  await seen;
  const tls = connect({ socket: raw, servername: 'localhost', ca: pki.ca.cert });
  await new Promise((resolve, reject) => {
    tls.once('secureConnect', resolve);
    tls.once('error', reject);
  });
  expect(tls.authorized).toBe(true);
  const ehlo = readUntil(tls, '250 SIZE');
  tls.write('EHLO puretls\r\n');
  expect(await ehlo).not.toContain('STARTTLS');
  const done = readUntil(tls, '221 ');
  tls.write('MAIL FROM:<c@example.test>\r\nRCPT TO:<d@example.test>\r\nDATA\r\nhello\r\n.\r\nQUIT\r\n');
  await done;
  expect(messages).toContainEqual({ from: '<c@example.test>', to: ['<d@example.test>'], data: 'hello\n', tls: true });
});
