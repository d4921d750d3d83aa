// TLS 1.3 over Web Streams with @puretls/web: a client and a server joined by an in-memory pipe
// (any `{ readable, writable }` works the same: a Deno or Bun socket, a Workers `connect()` socket,
// a WebSocket through `webSocketTransport(url)`). The throwaway certificate is made with the openssl
// CLI, so this file runs in Node (`npm run build` first); the TLS part is runtime-neutral.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { acceptTls, memoryPipe, startTls, webClientConfig, webServerConfig } from '@puretls/web';

const dir = mkdtempSync(join(tmpdir(), 'puretls-example-'));
execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '1', '-subj', '/CN=localhost',
  '-addext', 'subjectAltName=DNS:localhost', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem')], { stdio: 'ignore' });
const certPem = readFileSync(join(dir, 'cert.pem'), 'utf8');
const keyPem = readFileSync(join(dir, 'key.pem'), 'utf8');
rmSync(dir, { recursive: true });

const [clientSide, serverSide] = memoryPipe();
const server = acceptTls(serverSide, { config: webServerConfig({ certificates: [{ chain: certPem, key: keyPem }] }) });
// The self-signed certificate is its own trust anchor here; a page talking to public servers would
// pass `mozillaRoots()` from @puretls/x509/mozilla-roots instead.
const client = startTls(clientSide, { config: webClientConfig({ trustAnchors: certPem, serverName: 'localhost', alpnProtocols: ['echo'] }) });

// The server echoes what it reads, upper-cased, until the client's close_notify.
void server.readable
  .pipeThrough(new TransformStream({ transform: (chunk, c) => c.enqueue(new TextEncoder().encode(new TextDecoder().decode(chunk).toUpperCase())) }))
  .pipeTo(server.writable);

const info = await client.handshake;
console.log(`handshake: ${info.version} ${info.cipherSuite} ${info.group} ${info.signatureScheme}, ${info.peerCertificates.length} certificate(s)`);

const writer = client.writable.getWriter();
await writer.write(new TextEncoder().encode('hello over web streams'));
await writer.close(); // close_notify: the server's pipe ends and closes its side in turn
let reply = '';
for await (const chunk of client.readable) reply += new TextDecoder().decode(chunk);
console.log('reply:', reply);
await client.closed;
console.log('closed cleanly in both directions');
