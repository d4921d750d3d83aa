#!/usr/bin/env node
// `pnpm test:runtimes`: runs the one runtime-neutral check file (check.ts, bundled by esbuild with no
// Node module allowed) in Node, Deno (npm `deno`), Bun (npm `bun`) and headless Chromium (Debian's
// `chromium` driven by playwright-core), against an in-memory peer and a real `openssl s_server -www`
// (through a WebSocket-to-TCP relay in the browser); in Bun also the Node binding (node-binding.mjs);
// in Chromium also a code-split client (lazy-check.ts: which lazily loaded chunks one handshake
// fetches); then checks the packages as published (npm-consumption.mjs).
// Prints one line per check and `N passed, N failed` (`, N skipped` when some were skipped).
// Options: --only node,deno,bun,chromium,npm   --json <file> (writes {passed, failed, skipped}).
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { bundle, denoBinary, root } from './bundle.mjs';
import { makeTestPki } from './certs.mjs';
import { startRelay } from './relay.mjs';

const argv = process.argv.slice(2);
const opt = (name) => {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : undefined;
};
const only = opt('--only')?.split(',') ?? ['node', 'deno', 'bun', 'chromium', 'npm'];
const jsonOut = opt('--json');
const CI = process.env.CI === 'true';

/** @type {{ runtime: string, name: string, status: 'passed'|'failed'|'skipped', detail?: string }[]} */
const results = [];
function record(runtime, name, status, detail) {
  results.push({ runtime, name, status, ...(detail ? { detail } : {}) });
  const mark = status === 'passed' ? 'ok  ' : status === 'failed' ? 'FAIL' : 'skip';
  console.log(`${mark} ${runtime}: ${name}${detail ? ` — ${detail}` : ''}`);
}

/** Runs a program we start ourselves; kills it (by its pid) after `timeoutMs`. */
function run(cmd, args, { cwd, env, timeoutMs = 180_000 } = {}) {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { cwd, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', (e) => {
      clearTimeout(timer);
      resolve({ code: -1, stdout, stderr: stderr + String(e) });
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code: code ?? (signal ? `killed by ${signal} (timeout ${timeoutMs} ms)` : -1), stdout, stderr });
    });
  });
}

/** Starts `openssl s_server -www` on 127.0.0.1 (port chosen by the kernel) with the ECDSA leaf + intermediate. */
async function startOpenssl(dir, pki) {
  writeFileSync(join(dir, 'leaf.pem'), pki.ecdsa.certPem);
  writeFileSync(join(dir, 'leaf.key'), pki.ecdsa.keyPem);
  writeFileSync(join(dir, 'int.pem'), pki.intermediatePem);
  const child = spawn('openssl', ['s_server', '-www', '-accept', '127.0.0.1:0', '-cert', 'leaf.pem', '-key', 'leaf.key', '-cert_chain', 'int.pem'], {
    cwd: dir,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const port = await new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`openssl s_server did not start: ${out}`)), 15_000);
    child.on('error', reject);
    child.stdout.on('data', (d) => {
      out += d;
      const m = /ACCEPT 127\.0\.0\.1:(\d+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
    });
    child.stderr.on('data', (d) => (out += d));
    child.on('exit', (code) => reject(new Error(`openssl s_server exited (${code}): ${out}`)));
  });
  child.stdout.resume();
  process.once('exit', () => child.kill('SIGTERM')); // never leave it behind
  return { host: '127.0.0.1', port, stop: () => child.kill('SIGTERM') };
}

function parseResults(runtime, res) {
  const line = res.stdout.split('\n').find((l) => l.startsWith('RESULTS '));
  if (line === undefined) {
    record(runtime, 'runner', 'failed', `exit ${res.code}: ${(res.stderr || res.stdout).trim().split('\n').slice(-6).join(' | ')}`);
    return;
  }
  for (const r of JSON.parse(line.slice('RESULTS '.length))) applyResult(runtime, r);
}

function applyResult(runtime, r) {
  // Under CI a missing vector directory is a failure, never a skip.
  if (r.status === 'skipped' && CI) record(runtime, r.name, 'failed', `${r.detail} (required when CI=true)`);
  else record(runtime, r.name, r.status, r.detail);
}

function vectorFixtures() {
  const dir = process.env.PURETLS_VECTORS ?? join(root, '..', 'shared', 'vectors');
  const trace = join(dir, 'rfc8448', 'simple-1rtt.json');
  const keys = join(dir, 'rfc8448', 'private-keys.json');
  if (!existsSync(trace) || !existsSync(keys)) return { trace: null, traceKeys: null };
  return { trace: JSON.parse(readFileSync(trace, 'utf8')), traceKeys: JSON.parse(readFileSync(keys, 'utf8')).entries };
}

/** The platform binary of the npm `bun` package (pnpm does not run its postinstall, which only copies it). */
function bunBinary() {
  const req = createRequire(join(root, 'package.json'));
  const bunPkg = createRequire(req.resolve('bun/package.json'));
  const arch = process.arch === 'arm64' ? 'aarch64' : 'x64';
  for (const name of [`@oven/bun-${process.platform}-${arch}`, `@oven/bun-${process.platform}-${arch}-baseline`]) {
    try {
      return join(dirname(bunPkg.resolve(`${name}/package.json`)), 'bin', 'bun');
    } catch {
      // try the next build
    }
  }
  throw new Error(`no @oven/bun-${process.platform}-${arch} package installed`);
}


/**
 * lazy-check.ts bundled with code splitting (as a page's bundler would): the files under /lazy/, and
 * for each the provider family modules it carries (noble-families.ts imports them dynamically).
 */
async function lazyBundle() {
  const { files, metafile } = await bundle({ contents: "export * from './test/runtimes/lazy-check.ts';", source: true, splitting: true, metafile: true });
  const name = (path) => path.slice(path.lastIndexOf('/') + 1);
  const served = {};
  for (const f of files) served[`/lazy/${name(f.path)}`] = { type: 'text/javascript', body: new TextDecoder().decode(f.bytes) };
  const families = {};
  let entry = null;
  for (const [out, meta] of Object.entries(metafile.outputs)) {
    // Dynamically imported modules are entry points of their own chunks; ours is stdin's (entry.mjs).
    if (meta.entryPoint === 'entry.mjs') entry = `/lazy/${name(out)}`;
    const found = Object.keys(meta.inputs).map((i) => /crypto\/src\/(family-[\w-]+|rsa\/index)\.ts$/.exec(i)?.[1]).filter((x) => x !== undefined);
    families[`/lazy/${name(out)}`] = found;
  }
  return { served, families, entry };
}

async function inChromium(checkBundle, fixtures, opensslPort, dir) {
  const { chromium } = await import('playwright-core');
  const lazy = await lazyBundle();
  const relay = await startRelay({
    ports: [opensslPort],
    files: {
      '/': { type: 'text/html', body: '<!doctype html><title>puretls runtime checks</title>' },
      '/check.mjs': { type: 'text/javascript', body: checkBundle },
      ...lazy.served,
    },
  });
  const profile = join(dir, 'chromium-profile');
  mkdirSync(profile);
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    timeout: 60_000,
  });
  try {
    const page = context.pages()[0] ?? (await context.newPage());
    const errors = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    await page.goto(`${relay.base}/`);
    const out = await page.evaluate(
      async ({ fixtures, relayBase }) => {
        const m = await import('/check.mjs');
        const results = await m.runChecks({
          runtime: 'chromium',
          fixtures,
          connect: async (host, port) => m.webSocketTransport(`${relayBase.replace('http', 'ws')}/relay?host=${host}&port=${port}`),
        });
        return { results, userAgent: navigator.userAgent };
      },
      { fixtures, relayBase: relay.base },
    );
    console.log(`     chromium: ${out.userAgent}`);
    for (const r of out.results) applyResult('chromium', r);

    // A fresh page with the code-split client: which chunks does one X25519 + ECDSA P-256 + AES-GCM
    // handshake fetch? Those of X25519 and the NIST curves only, after an entry that carries none.
    const name = 'code-split Web client, noble provider: one X25519 + ECDSA P-256 + AES-GCM handshake fetches the X25519 and NIST curve chunks, not those of Ed448/X448, RSA or ChaCha20';
    const lazyPage = await context.newPage();
    try {
      const fetched = [];
      lazyPage.on('request', (r) => {
        const path = new URL(r.url()).pathname;
        if (path.startsWith('/lazy/')) fetched.push(path);
      });
      await lazyPage.goto(`${relay.base}/`);
      const got = await lazyPage.evaluate(async ({ entry, pki }) => (await import(entry)).lazyHandshake(pki), { entry: lazy.entry, pki: fixtures.pki });
      const carried = [...new Set(fetched.flatMap((p) => lazy.families[p] ?? []))].sort();
      const problems = [];
      if (got.before.length !== 0) problems.push(`loaded before: ${got.before.join(', ')}`);
      if ([...got.after].sort().join() !== 'curve25519,nist') problems.push(`loaded after: ${got.after.join(', ')}`);
      if (carried.join() !== 'family-25519,family-nist') problems.push(`fetched chunks carry ${carried.join(', ') || 'no family'}`);
      if (got.cipherSuite !== 'TLS_AES_128_GCM_SHA256' || got.group !== 'x25519' || got.signatureScheme !== 'ecdsa_secp256r1_sha256') {
        problems.push(`negotiated ${got.cipherSuite} ${got.group} ${got.signatureScheme}`);
      }
      record('chromium', name, problems.length === 0 ? 'passed' : 'failed', problems.length === 0 ? `${fetched.length} files fetched` : problems.join('; '));
    } catch (e) {
      record('chromium', name, 'failed', String(e.message ?? e).split('\n')[0]);
    } finally {
      await lazyPage.close();
    }
    if (errors.length > 0) record('chromium', 'no uncaught page errors', 'failed', errors.join(' | '));
  } finally {
    await context.close();
    await relay.close();
  }
}

async function main() {
  const dir = mkdtempSync(join(tmpdir(), 'puretls-runtimes-'));
  let server = null;
  try {
    const pki = makeTestPki();
    server = await startOpenssl(dir, pki);
    const fixtures = { ...vectorFixtures(), pki, openssl: { host: server.host, port: server.port } };
    const fixturesFile = join(dir, 'fixtures.json');
    writeFileSync(fixturesFile, JSON.stringify(fixtures));

    // One bundle for every runtime: the check file and the Web binding, no Node module allowed.
    let checkBundle = null;
    try {
      ({ text: checkBundle } = await bundle({ contents: "export * from './test/runtimes/check.ts'; export { webSocketTransport } from '@puretls/web';", source: true }));
      writeFileSync(join(dir, 'check.mjs'), checkBundle);
      record('esbuild', 'the check file and packages/web bundle with platform "neutral" and no Node module', 'passed');
    } catch (e) {
      record('esbuild', 'the check file and packages/web bundle with platform "neutral" and no Node module', 'failed', e.message);
    }

    // The guard itself: a Node module anywhere in the graph fails the build.
    const refused = await bundle({ contents: "export { readFileSync } from 'node:fs';" }).then(() => null, (e) => e);
    record('esbuild', 'the bundler refuses a node: import', refused !== null && /is a Node module/.test(refused.message) ? 'passed' : 'failed', refused === null ? 'node:fs was bundled' : '');

    if (checkBundle !== null) {
      const checkFile = join(dir, 'check.mjs');
      const runner = join(root, 'test', 'runtimes', 'run-node.mjs');
      if (only.includes('node')) {
        console.log(`     node: ${process.version}`);
        parseResults('node', await run(process.execPath, [runner, checkFile, fixturesFile, 'node'], { cwd: dir }));
      }
      if (only.includes('deno')) {
        const deno = denoBinary();
        const v = await run(deno, ['--version'], { cwd: dir, timeoutMs: 60_000 });
        console.log(`     deno: ${v.stdout.split('\n')[0] ?? v.stderr.trim()}`);
        parseResults(
          'deno',
          await run(deno, ['run', '--no-config', '--no-lock', '--allow-net=127.0.0.1', `--allow-read=${dir}`, join(root, 'test', 'runtimes', 'run-deno.mjs'), checkFile, fixturesFile], {
            cwd: dir,
            env: { DENO_DIR: join(dir, 'deno-dir'), DENO_NO_UPDATE_CHECK: '1', NO_COLOR: '1' },
          }),
        );
      }
      if (only.includes('bun')) {
        let bun = null;
        try {
          bun = bunBinary();
        } catch (e) {
          record('bun', 'runner', 'failed', e.message);
        }
        if (bun !== null) {
          const v = await run(bun, ['--version'], { cwd: dir, timeoutMs: 60_000 });
          console.log(`     bun: ${v.stdout.trim() || v.stderr.trim()}`);
          const env = { BUN_INSTALL_CACHE_DIR: join(dir, 'bun-cache') };
          parseResults('bun', await run(bun, [runner, checkFile, fixturesFile, 'bun'], { cwd: dir, env }));
          // Bun also runs the Node binding (node:net underneath).
          try {
            const nodeBinding = join(dir, 'node-binding.mjs');
            await bundle({ contents: "import './test/runtimes/node-binding.mjs';", source: true, platform: 'node', outfile: nodeBinding });
            parseResults('bun', await run(bun, [nodeBinding, fixturesFile], { cwd: dir, env }));
          } catch (e) {
            record('bun', '@puretls/node bundle', 'failed', e.message);
          }
        }
      }
      if (only.includes('chromium')) {
        try {
          await inChromium(checkBundle, fixtures, server.port, dir);
        } catch (e) {
          record('chromium', 'runner', 'failed', String(e.message ?? e).split('\n')[0]);
        }
      }
    }
    if (only.includes('npm')) {
      const { npmConsumption } = await import('./npm-consumption.mjs');
      await npmConsumption({ dir, pki, openssl: server, record, run });
    }
  } catch (e) {
    record('harness', 'setup', 'failed', String(e?.stack ?? e));
  } finally {
    server?.stop();
    rmSync(dir, { recursive: true, force: true });
  }
  const count = (s) => results.filter((r) => r.status === s).length;
  const [passed, failed, skipped] = [count('passed'), count('failed'), count('skipped')];
  if (jsonOut) writeFileSync(jsonOut, JSON.stringify({ passed, failed, skipped }));
  console.log(`${passed} passed, ${failed} failed${skipped > 0 ? `, ${skipped} skipped` : ''}`);
  process.exitCode = failed > 0 || passed === 0 ? 1 : 0;
}

await main();
