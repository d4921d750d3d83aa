// `npm run bench [name]`: runs every benchmarks/*.bench.mjs (or the one named), one after the other,
// each in a fresh `node` process — a program must not measure the heap, JIT state and leftover
// sockets of the ones before it — passing their JSON lines through, then a table of all figures.
import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const dir = fileURLToPath(new URL('.', import.meta.url));
const only = process.argv[2];
const files = readdirSync(dir).filter((f) => f.endsWith('.bench.mjs') && (!only || f === `${only}.bench.mjs`));
if (files.length === 0) {
  console.error(`no benchmark named ${only}; have: ${readdirSync(dir).filter((f) => f.endsWith('.bench.mjs')).join(', ')}`);
  process.exit(2);
}

/** Runs one program; resolves with the figures it printed (its other output passes through). */
function runProgram(file) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [fileURLToPath(new URL(file, import.meta.url))], { stdio: ['ignore', 'pipe', 'inherit'] });
    const figures = [];
    createInterface({ input: child.stdout }).on('line', (line) => {
      console.log(line);
      if (!line.startsWith('{')) return;
      try {
        const r = JSON.parse(line);
        if (typeof r.bench === 'string') figures.push(r);
      } catch {
        // Not a figure: printed through above.
      }
    });
    child.on('error', reject);
    child.on('close', (code, signal) => {
      if (code === 0) resolve(figures);
      else reject(new Error(`${file} exited with ${signal ?? `code ${code}`}`));
    });
  });
}

const results = [];
let failed = false;
for (const f of files) {
  try {
    results.push(...(await runProgram(f)));
  } catch (e) {
    failed = true;
    console.error(`bench: ${e instanceof Error ? e.message : String(e)}`);
  }
}
console.table(results.map(({ bench, unit, value }) => ({ bench, value, unit })));
// The issue 9 acceptance ratios of this run, met or not.
const targets = results.filter((r) => r.target !== undefined);
if (targets.length > 0) {
  console.log('acceptance:');
  for (const r of targets) console.log(`  ${r.met ? 'met    ' : 'NOT met'} ${r.bench} = ${r.value}x (target >= ${r.target}x)`);
}
if (failed) process.exitCode = 1;
