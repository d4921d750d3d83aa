#!/usr/bin/env node
// Packs the publishable packages with pnpm (which turns `workspace:*` into versions and applies
// `publishConfig`) into `<outDir>`. A package whose exports map still has a TypeScript entry (the
// `puretls-source` condition, for the workspace only) gets it removed at pack time: the published
// package.json then points only at built JavaScript and declarations.
// Usage: node test/runtimes/pack.mjs <outDir>
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { root } from './bundle.mjs';

export const PUBLISHED = ['wire', 'crypto', 'x509', 'tls', 'web'];

function pnpm() {
  return JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).packageManager; // "pnpm@x.y.z"
}

/** Removes TypeScript-only conditions from an exports map; returns whether anything changed. */
export function stripSourceConditions(exportsMap) {
  let changed = false;
  for (const entry of Object.values(exportsMap)) {
    if (entry !== null && typeof entry === 'object' && 'puretls-source' in entry) {
      delete entry['puretls-source'];
      changed = true;
    }
  }
  return changed;
}

/** @returns {{ name: string, file: string, rewritten: boolean }[]} */
export function packAll(outDir, packages = PUBLISHED) {
  mkdirSync(outDir, { recursive: true });
  const out = [];
  for (const pkg of packages) {
    const dir = join(root, 'packages', pkg);
    const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
    const file = join(outDir, `${manifest.name.replace(/^@/, '').replace('/', '-')}-${manifest.version}.tgz`);
    execFileSync('npx', ['-y', pnpm(), 'pack', '--pack-destination', outDir], { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
    const work = mkdtempSync(join(tmpdir(), 'puretls-pack-'));
    let rewritten = false;
    try {
      execFileSync('tar', ['-xzf', file, '-C', work]);
      const pj = join(work, 'package', 'package.json');
      const published = JSON.parse(readFileSync(pj, 'utf8'));
      if (stripSourceConditions(published.exports ?? {})) {
        writeFileSync(pj, `${JSON.stringify(published, null, 2)}\n`);
        execFileSync('tar', ['-czf', file, '-C', work, 'package']);
        rewritten = true;
      }
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
    out.push({ name: manifest.name, file, rewritten });
  }
  return out;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const outDir = resolve(process.argv[2] ?? 'tarballs');
  for (const p of packAll(outDir)) console.log(`${p.file}${p.rewritten ? ' (puretls-source condition removed at pack time)' : ''}`);
}
