#!/usr/bin/env node
// Node's own HTTP client over puretls: `https.request({ createConnection })` for one request, or the
// binding's `Agent` (an https.Agent with pooling) for many. Against a URL given on the command line,
// trusting Node's Mozilla roots; or, without one, against a local puretls HTTPS server.
//
//   node examples/https-create-connection.mjs [https://example.com/]
import * as http from 'node:http';
import * as https from 'node:https';
import { Agent, createConnection, createServer, generateCertificate } from '@puretls/node';

function fetch(options) {
  return new Promise((resolve, reject) => {
    const req = https.request(options, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode, body, socket: req.socket }));
    });
    req.on('error', reject);
    req.end();
  });
}

let url = process.argv[2];
let ca;
let close = () => {};
if (url === undefined) {
  // A local server so the example runs offline.
  const caCert = generateCertificate({ commonName: 'example CA', isCA: true });
  const leaf = generateCertificate({ commonName: 'localhost', issuer: caCert, altNames: ['localhost', '127.0.0.1'] });
  const web = http.createServer((req, res) => res.end(`hello ${req.url}\n`));
  const server = createServer({ cert: leaf.cert, key: leaf.key }, (s) => web.emit('connection', s));
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  url = `https://127.0.0.1:${server.address().port}/`;
  ca = caCert.cert;
  close = () => server.close();
}
const u = new URL(url);

// One request: node calls createConnection with its request options (ca etc. pass through).
const one = await fetch({ host: u.hostname, port: u.port || 443, path: u.pathname, ca, createConnection });
console.log(`createConnection: ${one.status}, ${one.socket.getProtocol()} ${one.socket.getCipher().name}, verified ${one.socket.authorized}`);

// Several requests through a keep-alive Agent.
const agent = new Agent({ keepAlive: true, tls: ca === undefined ? {} : { ca } });
for (let i = 0; i < 2; i++) {
  const r = await fetch({ host: u.hostname, port: u.port || 443, path: u.pathname, agent });
  console.log(`Agent request ${i + 1}: ${r.status}, ${r.body.length} bytes`);
}
agent.destroy();
close();
