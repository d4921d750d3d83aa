// Cold start: a fresh `node` process that loads the modules it needs and completes its first full
// TLS 1.3 handshake (X25519, ECDSA P-256 certificate; client and server in the process), median of
// several processes, side by side:
//   coldstart_first_handshake_<noble|accel|node-tls>_in_process   ms from process start (time origin)
//                                                                 to the completed handshake
//   coldstart_first_handshake_<...>_wall                          ms from spawn to exit, as the parent sees it
// Certificates are made by the parent; the children use the built packages (dist/).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { report } from './lib.mjs';
import { makePki } from './pki.mjs';

const { ca, server } = makePki('ec-p256');
const dir = mkdtempSync(join(tmpdir(), 'puretls-coldstart-'));
const file = join(dir, 'pki.json');
const b64 = (u) => Buffer.from(u).toString('base64');
writeFileSync(file, JSON.stringify({ key: server.key, cert: server.cert, caCert: ca.cert, certDer: b64(server.certDer), keyDer: b64(server.keyDer), caDer: b64(ca.certDer) }));
const child = fileURLToPath(new URL('./coldstart-child.mjs', import.meta.url));
const RUNS = Number(process.env.BENCH_RUNS ?? 7);
const VARIANTS = ['noble', 'accel', 'node-tls'];
const inProcess = Object.fromEntries(VARIANTS.map((v) => [v, []]));
const wall = Object.fromEntries(VARIANTS.map((v) => [v, []]));
try {
  execFileSync(process.execPath, [child, 'noble', file]); // file-system cache warm for all alike
  for (let i = 0; i < RUNS; i++) {
    for (const v of VARIANTS) {
      const t0 = performance.now();
      const out = execFileSync(process.execPath, [child, v, file], { encoding: 'utf8' });
      wall[v].push(performance.now() - t0);
      inProcess[v].push(JSON.parse(out.trim().split('\n').pop()).ms);
    }
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
const med = (a) => a.sort((x, y) => x - y)[Math.floor(a.length / 2)];
for (const v of VARIANTS) {
  report(`coldstart_first_handshake_${v}_in_process`, 'ms', med(inProcess[v]));
  report(`coldstart_first_handshake_${v}_wall`, 'ms', med(wall[v]));
}
