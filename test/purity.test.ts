/**
 * The sans-IO core (DESIGN.md "The layers") must run in any JavaScript engine: no `node:` module,
 * no Buffer, no process, no global clock, no Math.random, no timers in its `src/`.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('..', import.meta.url));
const CORE = ['wire', 'crypto', 'x509', 'tls', 'dtls'];
const ALL = ['wire', 'crypto', 'x509', 'tls', 'dtls', 'node', 'web', 'cli'];

const FORBIDDEN: readonly [RegExp, string][] = [
  [/\bfrom\s*['"]node:|\bimport\s*\(\s*['"]node:|\brequire\s*\(/, 'a node: module or require()'],
  [/\bfrom\s*['"](fs|path|os|crypto|net|tls|dgram|child_process|url|util|stream|buffer|events)['"]/, 'a Node builtin'],
  [/\bBuffer\b/, 'Buffer'],
  [/\bprocess\s*\./, 'process'],
  [/\bDate\.now\s*\(|\bnew\s+Date\s*\(\s*\)/, 'the global clock'],
  [/\bMath\.random\s*\(/, 'Math.random'],
  [/\b(setTimeout|setInterval|setImmediate|clearTimeout|clearInterval)\s*\(/, 'a timer'],
];

function sourceFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? sourceFiles(p) : /\.(ts|js|mjs)$/.test(name) ? [p] : [];
  });
}

/** Strips comments (a URL or an RFC quote in a comment is not a use) while keeping line numbers. */
function stripComments(src: string): string {
  return src.replace(/\/\*[\s\S]*?\*\//g, (m) => m.replace(/[^\n]/g, ' ')).replace(/(^|[^:'"`\\])\/\/.*$/gm, '$1');
}

describe('core packages are runtime-neutral', () => {
  for (const pkg of CORE) {
    const files = sourceFiles(join(root, 'packages', pkg, 'src'));
    if (files.length === 0) continue; // the package folder appears when it gets code
    it(`packages/${pkg}/src uses no Node API, global clock, Math.random or timers`, () => {
      const findings: string[] = [];
      for (const file of files) {
        stripComments(readFileSync(file, 'utf8'))
          .split('\n')
          .forEach((line, i) => {
            for (const [re, what] of FORBIDDEN) if (re.test(line)) findings.push(`${relative(root, file)}:${i + 1} uses ${what}: ${line.trim()}`);
          });
      }
      expect(findings).toEqual([]);
    });
  }

  it('the checker itself catches each forbidden use', () => {
    const samples = [
      "import { readFileSync } from 'node:fs';",
      "const c = await import('node:crypto');",
      "import { x } from 'crypto';",
      'const b = Buffer.from(x);',
      'if (process.env.X) {}',
      'const t = Date.now();',
      'const d = new Date();',
      'const r = Math.random();',
      'setTimeout(f, 1);',
    ];
    for (const s of samples) expect(FORBIDDEN.some(([re]) => re.test(stripComments(s))), s).toBe(true);
    expect(FORBIDDEN.some(([re]) => re.test(stripComments('// see Date.now() in the adapter')))).toBe(false);
    expect(FORBIDDEN.some(([re]) => re.test('const t = new Date(ms);'))).toBe(false);
  });
});

describe('package manifests', () => {
  for (const pkg of ALL) {
    const file = join(root, 'packages', pkg, 'package.json');
    if (!existsSync(file)) continue;
    it(`packages/${pkg} is ESM with an explicit exports map and no side effects`, () => {
      const manifest = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
      expect(manifest['type']).toBe('module');
      expect(manifest['sideEffects']).toBe(false);
      expect(typeof manifest['exports']).toBe('object');
      expect(manifest['main']).toBeUndefined();
    });
  }
});
