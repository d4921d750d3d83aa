/**
 * The README's first command: `examples/demo.mjs` (what `npm run demo` runs after building) exits 0
 * having fetched through the redirect with the puretls client and with Node's own https. It runs the
 * built JavaScript, as the README does: `npm test` builds first (scripts/bootstrap.mjs).
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../..', import.meta.url));

it('npm run demo: redirect, puretls client, node https client, exit 0', async () => {
  expect(existsSync(`${root}packages/node/dist/index.js`), 'packages/node is not built: run `npm run build` (npm test does)').toBe(true);
  const child = spawn(process.execPath, ['examples/demo.mjs', '--https-port', '0', '--http-port', '0'], { cwd: root });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  expect(out).toMatch(/ok {3}http:\/\/127\.0\.0\.1:\d+\/hello -> 301 https:\/\/localhost:\d+\/hello/);
  expect(out).toMatch(/ok {3}puretls client {2}GET https:\/\/localhost:\d+\/hello -> 200, certificate verified: true/);
  expect(out).toMatch(/ok {3}node:https {7}GET https:\/\/localhost:\d+\/from-node -> 200, certificate verified: true/);
  expect(out).toContain('demo passed');
  expect(code).toBe(0);
});
