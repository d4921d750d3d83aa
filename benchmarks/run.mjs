// `npm run bench [name]`: runs every benchmarks/*.bench.mjs (or the one named), each printing JSON
// lines, then a table of all figures.
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { results } from './lib.mjs';

const dir = fileURLToPath(new URL('.', import.meta.url));
const only = process.argv[2];
const files = readdirSync(dir).filter((f) => f.endsWith('.bench.mjs') && (!only || f === `${only}.bench.mjs`));
if (files.length === 0) {
  console.error(`no benchmark named ${only}; have: ${readdirSync(dir).filter((f) => f.endsWith('.bench.mjs')).join(', ')}`);
  process.exit(2);
}
for (const f of files) await import(new URL(f, import.meta.url).href);
console.table(results.map(({ bench, unit, value }) => ({ bench, value, unit })));
// The issue 9 acceptance ratios of this run, met or not.
const targets = results.filter((r) => r.target !== undefined);
if (targets.length > 0) {
  console.log('acceptance:');
  for (const r of targets) console.log(`  ${r.met ? 'met    ' : 'NOT met'} ${r.bench} = ${r.value}x (target >= ${r.target}x)`);
}
