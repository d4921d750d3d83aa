/**
 * The Web binding is runtime-neutral like the core: no Node module, Buffer or process in its src/
 * (it may read the clock and use timers: it is an adapter). test:runtimes bundles it with esbuild's
 * neutral platform too, which fails on any Node module in the graph.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const src = fileURLToPath(new URL('../src', import.meta.url));
const FORBIDDEN: readonly [RegExp, string][] = [
  [/\bfrom\s*['"]node:|\bimport\s*\(\s*['"]node:|\brequire\s*\(/, 'a node: module or require()'],
  [/\bBuffer\b/, 'Buffer'],
  [/\bprocess\s*\./, 'process'],
];

describe('packages/web/src', () => {
  it('uses no Node module, Buffer or process', () => {
    const findings: string[] = [];
    for (const name of readdirSync(src).filter((f) => f.endsWith('.ts'))) {
      const text = readFileSync(join(src, name), 'utf8').replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:])\/\/.*$/gm, '$1');
      text.split('\n').forEach((line, i) => {
        for (const [re, what] of FORBIDDEN) if (re.test(line)) findings.push(`${name}:${i + 1} uses ${what}`);
      });
    }
    expect(findings).toEqual([]);
  });
});
