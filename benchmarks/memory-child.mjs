// Child of memory.bench.mjs (run with --expose-gc): opens N idle established connections of one
// variant, both ends in this process, and prints the retained bytes per connection end, measured
// after garbage collection as heap + external (ArrayBuffers) and as resident set size (which also
// holds OpenSSL's native allocations).
import { once } from 'node:events';
import { readFileSync } from 'node:fs';

const [variant, file, count] = process.argv.slice(2);
const N = Number(count);
const pki = JSON.parse(readFileSync(file, 'utf8'));
const der = (b64) => new Uint8Array(Buffer.from(b64, 'base64'));
const { engineConfigs, openPair } = await import('./engine.mjs');

const settle = async () => {
  for (let i = 0; i < 4; i++) {
    globalThis.gc();
    await new Promise((r) => setTimeout(r, 20));
  }
  const m = process.memoryUsage();
  return { js: m.heapUsed + m.external, rss: m.rss };
};

const keep = [];
let open;
if (variant === 'node-tls' || variant.startsWith('puretls-node')) {
  const lib = variant === 'node-tls' ? await import('node:tls') : await import('@puretls/node');
  const provider = variant === 'puretls-node_accel' ? (await import('@puretls/node/provider')).createNodeProvider() : variant === 'puretls-node_noble' ? (await import('@puretls/crypto/noble')).createNobleProvider() : undefined;
  const extra = provider ? { provider } : { minVersion: 'TLSv1.3' };
  const server = lib.createServer({ key: pki.key, cert: pki.cert, ...extra }, (s) => {
    s.on('error', () => {});
    keep.push(s);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  open = async () => {
    const c = lib.connect({ host: '127.0.0.1', port: server.address().port, servername: 'localhost', ca: pki.caCert, ...extra });
    c.on('error', () => {});
    await once(c, 'secureConnect');
    keep.push(c);
  };
} else {
  const provider = variant === 'engine_accel' ? (await import('@puretls/node/provider')).createNodeProvider() : (await import('@puretls/crypto/noble')).createNobleProvider();
  const cfg = engineConfigs(provider, { server: { certDer: der(pki.certDer), keyDer: der(pki.keyDer) }, ca: { certDer: der(pki.caDer) } });
  open = async () => {
    const p = await openPair(cfg);
    keep.push(p.client, p.server);
  };
}
// Warm-up: first connections pay for lazily built tables and code.
for (let i = 0; i < 20; i++) await open();
await new Promise((r) => setTimeout(r, 100));
const before = await settle();
const held = keep.length;
for (let i = 0; i < N; i++) await open();
await new Promise((r) => setTimeout(r, 200)); // server ends and tickets
const after = await settle();
const ends = keep.length - held;
console.log(JSON.stringify({ js: (after.js - before.js) / ends, rss: (after.rss - before.rss) / ends, ends }));
process.exit(0);
