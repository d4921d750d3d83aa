#!/usr/bin/env node
// After `tsc -b`: each package's entry points (its `exports`) bundled into dist/node/, for the `node`
// export condition (Node, Deno, Bun). A package is ~20-60 small modules; the ESM loader pays for
// each (resolve, stat, read, compile), which was half of a cold start. Only the package's own modules
// are joined: other packages and dependencies stay imports (`packages: 'external'`), and entries of
// one package share chunks (`splitting`), so every class exists once and a dynamic import (a lazily
// loaded curve family) stays a separate chunk loaded on first need. Browsers and bundlers keep the
// per-module dist/ (`default`), which they tree-shake module by module.
import { build } from 'esbuild';
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const packages = join(root, 'packages');

/** The dist/ files a package exports: ["index.js", "noble.js", ...], relative to dist/. */
export function exportedFiles(pkg) {
  const files = [];
  for (const target of Object.values(pkg.exports ?? {})) {
    const file = typeof target === 'string' ? target : target.default;
    if (typeof file === 'string' && file.startsWith('./dist/')) files.push(file.slice('./dist/'.length));
  }
  return files;
}

for (const name of readdirSync(packages)) {
  const dir = join(packages, name);
  let pkg;
  try {
    pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
  } catch {
    continue;
  }
  const files = exportedFiles(pkg);
  if (files.length === 0) continue;
  const out = join(dir, 'dist', 'node');
  rmSync(out, { recursive: true, force: true });
  await build({
    absWorkingDir: dir,
    entryPoints: files.map((f) => join(dir, 'dist', f)),
    outbase: join(dir, 'dist'),
    outdir: out,
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'neutral',
    target: 'es2022',
    packages: 'external',
    external: ['node:*'],
    sourcemap: 'linked',
    chunkNames: 'chunks/[name]-[hash]',
    logLevel: 'warning',
  });
}
