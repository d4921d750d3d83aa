/**
 * Node's HTTP stack over puretls: `https.request` with the binding's `createConnection`, and with its
 * `Agent`, fetching from `openssl s_server -www`; and the reverse, Node's `https.get` (OpenSSL inside
 * Node) fetching from `http.Server` fed the binding's TLS sockets.
 */
import * as http from 'node:http';
import * as https from 'node:https';
import { afterAll, expect, it } from 'vitest';
import { Agent, createConnection, createServer } from '../src/index.js';
import { killAll, sServer } from './helpers/openssl.js';
import { makePki } from './helpers/pki.js';
import { closeServer, listen } from './helpers/sockets.js';

const pki = makePki();
const p256 = pki.servers.get('ec-p256')!;
afterAll(() => {
  killAll();
  pki.cleanup();
});

function fetchText(options: https.RequestOptions): Promise<{ status: number | undefined; body: string }> {
  return new Promise((resolve, reject) => {
    const req = https.request(options, (res) => {
      let body = '';
      res.setEncoding('latin1');
      res.on('data', (d: string) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode, body }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

it('https.request with createConnection fetches from openssl s_server -www', async () => {
  const s = await sServer(['-cert', p256.certFile, '-key', p256.keyFile, '-www', '-naccept', '1']);
  const { status, body } = await fetchText({
    host: '127.0.0.1',
    port: s.port,
    path: '/',
    servername: 'localhost',
    ca: pki.ca.cert,
    createConnection: (o, cb) => createConnection(o, cb),
  } as https.RequestOptions);
  expect(status).toBe(200);
  expect(body).toContain('New, TLSv1.3, Cipher is TLS_');
  await s.exited;
});

it('https.get through the puretls Agent fetches from openssl s_server -www', async () => {
  const s = await sServer(['-cert', p256.certFile, '-key', p256.keyFile, '-www', '-naccept', '1', '-alpn', 'http/1.1']);
  const agent = new Agent({ tls: { ca: pki.ca.cert, ALPNProtocols: ['http/1.1'] } });
  const { status, body } = await fetchText({ host: 'localhost', port: s.port, path: '/', agent });
  expect(status).toBe(200);
  expect(body).toContain('Ciphers supported in s_server binary');
  agent.destroy();
  await s.exited;
});

it("node's https client is served by http.Server over puretls sockets", async () => {
  const web = http.createServer((req, res) => res.end(`hello ${req.url} over puretls`));
  const server = createServer({ cert: p256.cert, key: p256.key, ALPNProtocols: ['http/1.1'] }, (socket) => web.emit('connection', socket));
  const port = await listen(server);
  const { status, body } = await fetchText({ host: '127.0.0.1', port, path: '/x', servername: 'localhost', ca: pki.ca.cert, agent: false });
  expect(status).toBe(200);
  expect(body).toBe('hello /x over puretls');
  web.close();
  await closeServer(server);
});
