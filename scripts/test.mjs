#!/usr/bin/env node
// The whole test suite: bootstrap (install + `tsc -b` type-check/build), then vitest over every
// package, then the runtime checks (test/runtimes/run.mjs: Node, Deno, Bun, Chromium, the packages
// as published), ending with one line `N passed, N failed, N skipped` that adds vitest's own JSON
// report and the runtime checks' counts. Arguments go to vitest; then the runtime checks are skipped
// (a filtered run), unless PURETLS_RUNTIMES=1.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const boot = spawnSync(process.execPath, [join(root, 'scripts', 'bootstrap.mjs'), '--check-tests'], { cwd: root, stdio: 'inherit' });
if (boot.status !== 0) {
  console.log('0 passed, 1 failed, 0 skipped');
  process.exit(boot.status ?? 1);
}

const dir = mkdtempSync(join(tmpdir(), 'puretls-test-'));
const report = join(dir, 'vitest.json');
const args = [join(root, 'node_modules', 'vitest', 'vitest.mjs'), 'run', '--reporter=default', '--reporter=json', `--outputFile.json=${report}`, ...process.argv.slice(2)];
const res = spawnSync(process.execPath, args, { cwd: root, stdio: 'inherit' });

let passed = 0, failed = 0, skipped = 0;
try {
  const j = JSON.parse(readFileSync(report, 'utf8'));
  passed = j.numPassedTests;
  // A failed test counts once; a file that failed without a failed test (an import error) counts once.
  const brokenFiles = j.testResults.filter((f) => f.status === 'failed' && !f.assertionResults.some((t) => t.status === 'failed')).length;
  failed = j.numFailedTests + brokenFiles;
  skipped = j.numPendingTests + j.numTodoTests;
} catch {
  failed = 1; // no report: the runner itself failed
}

// The runtime checks, unless vitest was asked for a subset.
let runtimesStatus = 0;
if (process.argv.length <= 2 || process.env.PURETLS_RUNTIMES === '1') {
  const runtimes = join(dir, 'runtimes.json');
  const rt = spawnSync(process.execPath, [join(root, 'test', 'runtimes', 'run.mjs'), '--json', runtimes], { cwd: root, stdio: 'inherit' });
  runtimesStatus = rt.status ?? 1;
  try {
    const j = JSON.parse(readFileSync(runtimes, 'utf8'));
    passed += j.passed;
    failed += j.failed;
    skipped += j.skipped;
  } catch {
    failed += 1; // no report: the runtime driver itself failed
  }
}
rmSync(dir, { recursive: true, force: true });
const status = res.status !== 0 || runtimesStatus !== 0 || failed > 0 ? 1 : 0;
console.log(`${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(status === 0 && passed === 0 ? 1 : status);
