/**
 * X25519/X448 key generation must not hang the process. Node 20's `generateKeyPairSync` followed by
 * a JWK export of the new key deadlocks when a garbage collection runs inside the export (the freed
 * key-generation job takes the lock the export holds): the accelerated provider once generated key
 * shares that way. A young generation of 1 MiB makes collections frequent enough that the old code
 * hung within a few thousand key pairs; the child gets far more than that and a deadline. It runs
 * the built JavaScript (`npm test` builds first).
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

const provider = fileURLToPath(new URL('../dist/provider/index.js', import.meta.url));

const CHILD = `
const { createNodeProvider } = await import(process.argv[1]);
const p = createNodeProvider();
const x25519 = p.group('x25519'), x448 = p.group('x448');
let n = 0;
for (let i = 0; i < 30000; i++) {
  const a = x25519.generateKeyPair();
  if (a.publicKey.length !== 32) throw new Error('bad x25519 share');
  n++;
}
for (let i = 0; i < 3000; i++) {
  const a = x448.generateKeyPair(), b = x448.generateKeyPair();
  if (Buffer.compare(x448.sharedSecret(a.privateKey, b.publicKey), x448.sharedSecret(b.privateKey, a.publicKey)) !== 0) throw new Error('x448 disagrees');
  n++;
}
console.log('generated ' + n);
`;

it('30000 X25519 and 6000 X448 key pairs under constant garbage collection finish', async () => {
  expect(existsSync(provider), 'packages/node is not built: run `npm run build` (npm test does)').toBe(true);
  const child = spawn(process.execPath, ['--max-semi-space-size=1', '--input-type=module', '-e', CHILD, provider]);
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), 90_000);
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  clearTimeout(timer);
  expect(out.trim(), 'the child hung (killed after 90 s) or failed').toBe('generated 33000');
  expect(code).toBe(0);
}, 100_000);
