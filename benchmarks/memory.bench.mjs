// Retained memory per idle established TLS 1.3 connection end (X25519, ECDSA P-256 certificate,
// both ends in one fresh process, after GC), side by side:
//   memory_idle_connection_<variant>_js    bytes of JS heap + external ArrayBuffers per connection end
//   memory_idle_connection_<variant>_rss   bytes of resident memory per connection end (OpenSSL's
//                                          native allocations show only here)
// Variants: engine_<noble|accel> (sans-IO connections in memory, no sockets), puretls-node_accel and
// node-tls (loopback sockets, so both include the socket's own cost).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { report } from './lib.mjs';
import { makePki } from './pki.mjs';

const { ca, server } = makePki('ec-p256');
const dir = mkdtempSync(join(tmpdir(), 'puretls-memory-'));
const file = join(dir, 'pki.json');
const b64 = (u) => Buffer.from(u).toString('base64');
writeFileSync(file, JSON.stringify({ key: server.key, cert: server.cert, caCert: ca.cert, certDer: b64(server.certDer), keyDer: b64(server.keyDer), caDer: b64(ca.certDer) }));
const child = fileURLToPath(new URL('./memory-child.mjs', import.meta.url));
const N = Number(process.env.BENCH_CONNECTIONS ?? 300);
const RUNS = 3;
try {
  for (const v of ['engine_noble', 'engine_accel', 'puretls-node_accel', 'node-tls']) {
    const js = [];
    const rss = [];
    let failed;
    for (let i = 0; i < RUNS && failed === undefined; i++) {
      try {
        const out = JSON.parse(execFileSync(process.execPath, ['--expose-gc', child, v, file, String(N)], { encoding: 'utf8', timeout: 120_000, stdio: ['ignore', 'pipe', 'ignore'] }).trim().split('\n').pop());
        js.push(out.js);
        rss.push(out.rss);
      } catch (e) {
        failed = e.message.split('\n')[0];
      }
    }
    if (failed !== undefined) {
      console.error(`memory bench: ${v} failed: ${failed}`);
      continue;
    }
    const med = (a) => a.sort((x, y) => x - y)[Math.floor(a.length / 2)];
    report(`memory_idle_connection_${v}_js`, 'bytes', med(js), { connections: N });
    report(`memory_idle_connection_${v}_rss`, 'bytes', med(rss), { connections: N });
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
