#!/usr/bin/env node
// Makes a fresh clone usable with only Node 20 and npm: installs the workspace with the pinned pnpm
// (through npx, no global install) when node_modules is missing or older than the lockfile, then
// builds every package (`tsc -b`, which also type-checks them, then scripts/bundle-node.mjs); with
// --check-tests, type-checks the tests.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';

const root = fileURLToPath(new URL('..', import.meta.url));
const pnpm = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).packageManager; // "pnpm@x.y.z"
const marker = join(root, 'node_modules', '.modules.yaml');
const lock = join(root, 'pnpm-lock.yaml');
const npx = process.platform === 'win32' ? 'npx.cmd' : 'npx';

function run(cmd, args) {
  try {
    execFileSync(cmd, args, { cwd: root, stdio: ['ignore', 'inherit', 'inherit'] });
  } catch (e) {
    console.error(`bootstrap: ${[cmd, ...args].join(' ')} failed (${e.status ?? e.signal ?? e.message})`);
    process.exit(1);
  }
}

if (!existsSync(marker) || statSync(marker).mtimeMs < statSync(lock).mtimeMs) {
  console.error(`bootstrap: installing the workspace with ${pnpm}`);
  run(npx, ['-y', pnpm, 'install', '--frozen-lockfile', '--reporter=append-only']);
}
if (!process.argv.includes('--no-build')) {
  const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
  run(process.execPath, [tsc, '-b']); // builds dist/ and type-checks every package
  run(process.execPath, [join(root, 'scripts', 'bundle-node.mjs')]); // dist/node/: one bundle per entry for Node, Deno, Bun
  if (process.argv.includes('--check-tests')) run(process.execPath, [tsc, '-p', 'tsconfig.tests.json']); // tests too

}
