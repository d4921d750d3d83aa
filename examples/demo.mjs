// The README's first command (`npm run demo`): a puretls HTTPS server and client, end to end.
//
// 1. makes a throwaway CA and a server certificate for localhost / 127.0.0.1, in-process;
// 2. starts a puretls HTTPS server on 127.0.0.1 (Node's http.Server fed puretls sockets) and, beside
//    it, a plain-HTTP port answering every request with 301 to the https URL;
// 3. fetches through the plain port, follows the redirect with the puretls client (verifying the
//    server against the generated CA), then fetches again with Node's own https (OpenSSL) to show a
//    foreign client is served; prints what was negotiated each time and exits 0.
//
//   node examples/demo.mjs [--serve] [--https-port 8443] [--http-port 8080]
//
// `--serve` keeps both servers running (try `curl -kL http://127.0.0.1:8080/`). A busy default port
// falls back to a free one.
import * as http from 'node:http';
import * as https from 'node:https';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Agent, createServer, generateCertificate } from '@puretls/node';

const args = process.argv.slice(2);
const serve = args.includes('--serve');
const arg = (name, dflt) => {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) : dflt;
};

function listen(server, port) {
  return new Promise((resolve, reject) => {
    const onError = (e) => {
      // The default port is taken: any free one will do for a demo.
      if (e.code === 'EADDRINUSE' && port !== 0) resolve(listen(server, 0));
      else reject(e);
    };
    server.once('error', onError);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', onError);
      resolve(server.address().port);
    });
  });
}

function describe(info, side = 'client') {
  if (info === null) return '(no handshake)';
  return [
    `${info.version} ${info.cipherSuite}`,
    `group ${info.group ?? 'none (PSK only)'}`,
    side === 'client' ? `server signed with ${info.signatureScheme ?? 'nothing (resumed)'}` : info.signatureScheme === null ? 'no client certificate' : `client signed with ${info.signatureScheme}`,
    `ALPN ${info.alpn ?? 'none'}`,
    info.resumed ? 'resumed' : 'full handshake',
    ...(info.helloRetry ? ['after HelloRetryRequest'] : []),
  ].join(', ');
}

function get(module, options) {
  return new Promise((resolve, reject) => {
    const req = module.request(options, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d) => (body += d));
      res.on('end', () => resolve({ res, body, socket: req.socket }));
    });
    req.on('error', reject);
    req.end();
  });
}

const started = performance.now();
const ca = generateCertificate({ commonName: 'puretls demo CA (throwaway)', isCA: true, days: 1 });
const leaf = generateCertificate({ commonName: 'localhost', issuer: ca, altNames: ['localhost', '127.0.0.1'], days: 1 });
console.log(`generated a throwaway CA and a certificate for localhost (ECDSA P-256) in ${(performance.now() - started).toFixed(0)} ms`);

// The HTTPS side: node's http.Server, its connections made by puretls.
const seen = [];
const web = http.createServer((req, res) => {
  const info = req.socket.getHandshakeInfo();
  seen.push({ agent: req.headers['user-agent'] ?? '', info });
  res.setHeader('content-type', 'text/plain; charset=utf-8');
  res.end(`hello from puretls\nyou asked for ${req.url}\nthis connection: ${describe(info, 'server')}\n`);
});
const tlsServer = createServer({ cert: leaf.cert, key: leaf.key, ALPNProtocols: ['http/1.1'] }, (socket) => web.emit('connection', socket));
tlsServer.on('tlsClientError', (e) => console.error(`TLS client error: ${e.message}`));
const httpsPort = await listen(tlsServer, arg('--https-port', 8443));

// The plain side: every request is redirected to https.
const redirector = http.createServer((req, res) => {
  res.writeHead(301, { location: `https://localhost:${httpsPort}${req.url}` });
  res.end();
});
const httpPort = await listen(redirector, arg('--http-port', 8080));
console.log(`puretls HTTPS on https://localhost:${httpsPort}/ and plain HTTP on http://127.0.0.1:${httpPort}/ (301 to https)\n`);

let failed = false;
const check = (ok, what) => {
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${what}`);
  if (!ok) failed = true;
};

try {
  // 1. Plain HTTP: a redirect.
  const first = await get(http, { host: '127.0.0.1', port: httpPort, path: '/hello', agent: false });
  const location = first.res.headers.location ?? '';
  check(first.res.statusCode === 301 && location === `https://localhost:${httpsPort}/hello`, `http://127.0.0.1:${httpPort}/hello -> ${first.res.statusCode} ${location}`);

  // 2. Follow it with the puretls client, trusting only the generated CA.
  const url = new URL(location);
  const agent = new Agent({ tls: { ca: ca.cert, ALPNProtocols: ['http/1.1'] } });
  const second = await get(https, { host: url.hostname, port: url.port, path: url.pathname, agent, headers: { 'user-agent': 'puretls client' } });
  const sock = second.socket;
  check(second.res.statusCode === 200 && sock.authorized === true, `puretls client  GET ${location} -> ${second.res.statusCode}, certificate verified: ${sock.authorized}`);
  console.log(`     negotiated: ${describe(sock.getHandshakeInfo())}`);
  console.log(`     server certificate: ${sock.getPeerCertificate().subjectText}, issued by ${sock.getPeerCertificate().issuerText}`);
  agent.destroy();

  // 3. Node's own https (OpenSSL inside Node) is served too.
  const third = await get(https, { host: 'localhost', port: httpsPort, path: '/from-node', ca: ca.cert, agent: false, headers: { 'user-agent': 'node https' } });
  check(third.res.statusCode === 200 && third.socket.authorized === true, `node:https       GET https://localhost:${httpsPort}/from-node -> ${third.res.statusCode}, certificate verified: ${third.socket.authorized}`);
  const nodeSide = seen.find((s) => s.agent === 'node https');
  console.log(`     as the puretls server saw it: ${describe(nodeSide?.info ?? null, 'server')}`);
  console.log(`     as node saw it: ${third.socket.getProtocol()} ${third.socket.getCipher().name}`);
  console.log(`\nresponse body:\n${third.body.replace(/^/gm, '  ')}`);
} catch (e) {
  failed = true;
  console.error(`FAIL ${e instanceof Error ? e.stack : String(e)}`);
}

if (serve && !failed) {
  const caFile = join(mkdtempSync(join(tmpdir(), 'puretls-demo-')), 'ca.pem');
  writeFileSync(caFile, ca.cert);
  console.log(`\nserving until interrupted; try: curl --cacert ${caFile} -L http://localhost:${httpPort}/`);
} else {
  web.close();
  tlsServer.close();
  redirector.close();
  console.log(failed ? 'demo FAILED' : 'demo passed');
  process.exit(failed ? 1 : 0);
}
