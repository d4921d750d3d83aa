// Deno: a verified TLS 1.3 connection with `connect()` of @puretls/web/deno (Deno.connect underneath).
//   deno run --allow-net --allow-read examples/deno-connect.mjs <host> <port> [ca.pem]
// Without a CA file the Mozilla root set is used. After `npm run build`, Deno resolves the packages
// from the workspace's node_modules (or use `npm:@puretls/web` once published).
import { webClientConfig } from '@puretls/web';
import { connect } from '@puretls/web/deno';
import { mozillaRoots } from '@puretls/x509/mozilla-roots';

const [host = 'localhost', port = '4433', caFile] = Deno.args;
const trustAnchors = caFile === undefined ? mozillaRoots() : await Deno.readTextFile(caFile);
const tls = await connect({ hostname: host, port: Number(port), config: webClientConfig({ trustAnchors, serverName: host }) });
const info = await tls.handshake;
console.log(`${info.version} ${info.cipherSuite}, server certificate verified for ${host}`);

const writer = tls.writable.getWriter();
await writer.write(new TextEncoder().encode(`GET / HTTP/1.0\r\nHost: ${host}\r\n\r\n`));
writer.releaseLock();
for await (const chunk of tls.readable) await Deno.stdout.write(chunk);
await tls.close();
