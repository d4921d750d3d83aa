// Bulk in memory, both ends in one process, in Node and, where Debian's chromium is installed, in
// headless Chromium: 8 MiB in 64 KiB writes, time to the last byte read; interleaved samples, medians.
//   bulk_tls13_<suite>_8m_<path>_<provider>_<node|chromium>
//     path web-memory     through @puretls/web (Web Streams) over memoryPipe, one event-loop turn per
//                         write (as a network transport gives)
//     path engine-memory  the sans-IO engines fed each other directly, awaiting `pending`
//     provider noble      the pure provider (ChaCha20-Poly1305 is the web default without Web Crypto)
//     provider webcrypto  @puretls/crypto/webcrypto: AES-GCM application data records on crypto.subtle
//   bulk_..._webcrypto-aes128gcm_vs_noble-chacha20_<path>_<runtime>   what the Web Crypto default gains
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { report, reportRatio } from './lib.mjs';
import { makePki, quietly } from './pki.mjs';

const pki = makePki('ec-p256');
const SAMPLES = Number(process.env.BENCH_SAMPLES ?? 5);

// Runs in Node and, bundled, in the page: everything it needs comes in as arguments.
async function measure(lib, pki, samples, turn) {
  const { createNobleProvider, createWebCryptoProvider, acceptTls, memoryPipe, startTls, webClientConfig, webServerConfig, ClientConnection, ServerConnection } = lib;
  const CHUNK = new Uint8Array(64 * 1024).fill(0x5a);
  const TOTAL = 8 * 1024 * 1024;
  async function pair(provider, suite) {
    const [a, b] = memoryPipe();
    const server = acceptTls(b, { config: webServerConfig({ provider, cipherSuites: [suite], certificates: [{ chain: pki.cert, key: pki.key }] }) });
    const client = startTls(a, { config: webClientConfig({ provider, cipherSuites: [suite], trustAnchors: pki.ca, serverName: 'localhost' }) });
    const [info] = await Promise.all([client.handshake, server.handshake]);
    if (info.cipherSuite !== suite) throw new Error(`negotiated ${info.cipherSuite}`);
    const reader = server.readable.getReader();
    const writer = client.writable.getWriter();
    return async (total) => {
      const t0 = performance.now();
      const reading = (async () => {
        for (let got = 0; got < total; ) {
          const { value, done } = await reader.read();
          if (done) throw new Error('ended early');
          got += value.length;
        }
      })();
      for (let sent = 0; sent < total; sent += CHUNK.length) {
        await writer.write(CHUNK);
        await turn();
      }
      await reading;
      return total / 1e6 / ((performance.now() - t0) / 1000);
    };
  }
  async function engines(provider, suite) {
    const c = new ClientConnection(webClientConfig({ provider, cipherSuites: [suite], trustAnchors: pki.ca, serverName: 'localhost' }));
    const s = new ServerConnection(webServerConfig({ provider, cipherSuites: [suite], certificates: [{ chain: pki.cert, key: pki.key }] }));
    const settle = async (x) => {
      for (let p = x.pending; p !== null; p = x.pending) await p;
    };
    const move = (a, b) => {
      for (let x = a.pull(); x !== null; x = a.pull()) b.feed(x);
    };
    for (let i = 0; i < 10; i++) {
      await settle(c);
      await settle(s);
      move(c, s);
      move(s, c);
      while (c.poll() !== null);
      while (s.poll() !== null);
    }
    if (c.error || s.error || !c.canWrite) throw new Error('engine handshake failed');
    return async (total) => {
      const t0 = performance.now();
      let got = 0;
      for (let sent = 0; sent < total; sent += CHUNK.length) {
        c.write(CHUNK);
        await settle(c);
        move(c, s);
        await settle(s);
        for (let e = s.poll(); e !== null; e = s.poll()) if (e.type === 'application_data') got += e.data.length;
      }
      if (got !== total) throw new Error(`engine pair moved ${got} of ${total} bytes`);
      return total / 1e6 / ((performance.now() - t0) / 1000);
    };
  }
  const variants = {
    'web-memory_noble_chacha20': await pair(createNobleProvider(), 'TLS_CHACHA20_POLY1305_SHA256'),
    'web-memory_noble_aes128gcm': await pair(createNobleProvider(), 'TLS_AES_128_GCM_SHA256'),
    'web-memory_webcrypto_aes128gcm': await pair(createWebCryptoProvider(), 'TLS_AES_128_GCM_SHA256'),
    'engine-memory_noble_chacha20': await engines(createNobleProvider(), 'TLS_CHACHA20_POLY1305_SHA256'),
    'engine-memory_noble_aes128gcm': await engines(createNobleProvider(), 'TLS_AES_128_GCM_SHA256'),
    'engine-memory_webcrypto_aes128gcm': await engines(createWebCryptoProvider(), 'TLS_AES_128_GCM_SHA256'),
  };
  for (const f of Object.values(variants)) await f(TOTAL / 4);
  const rates = Object.fromEntries(Object.keys(variants).map((k) => [k, []]));
  for (let i = 0; i < samples; i++) for (const [k, f] of Object.entries(variants)) rates[k].push(await f(TOTAL));
  return Object.fromEntries(Object.entries(rates).map(([k, r]) => [k, [...r].sort((x, y) => x - y)[Math.floor(r.length / 2)]]));
}

function publish(runtime, med) {
  for (const [k, v] of Object.entries(med)) {
    const [path, provider, suite] = k.split('_');
    report(`bulk_tls13_${suite}_8m_${path}_${provider}_${runtime}`, 'MB/s', v);
  }
  for (const path of ['web-memory', 'engine-memory']) {
    reportRatio(`bulk_tls13_8m_webcrypto-aes128gcm_vs_noble-chacha20_${path}_${runtime}`, med[`${path}_webcrypto_aes128gcm`] / med[`${path}_noble_chacha20`]);
  }
}

const fixtures = { cert: pki.server.cert, key: pki.server.key, ca: pki.ca.cert };
const web = await import('@puretls/web');
const lib = { ...web, ...(await import('@puretls/tls')), ...(await import('@puretls/crypto/noble')), ...(await import('@puretls/crypto/webcrypto')) };
publish('node', await measure(lib, fixtures, SAMPLES, () => new Promise((r) => setImmediate(r))));

if (existsSync('/usr/bin/chromium')) {
  const r = await quietly(async () => {
    const { bundle } = await import('../test/runtimes/bundle.mjs');
    const { startRelay } = await import('../test/runtimes/relay.mjs');
    const { chromium } = await import('playwright-core');
    const { text } = await bundle({
      contents: `export * from '@puretls/web'; export { ClientConnection, ServerConnection } from '@puretls/tls'; export { createNobleProvider } from '@puretls/crypto/noble'; export { createWebCryptoProvider } from '@puretls/crypto/webcrypto';`,
      source: false,
    });
    const relay = await startRelay({ ports: [], files: { '/': { type: 'text/html', body: '<!doctype html><title>bench</title>' }, '/lib.mjs': { type: 'text/javascript', body: text } } });
    const dir = mkdtempSync(join(tmpdir(), 'puretls-bench-'));
    mkdirSync(join(dir, 'profile'));
    const context = await chromium.launchPersistentContext(join(dir, 'profile'), { executablePath: '/usr/bin/chromium', headless: true, args: ['--headless', '--no-sandbox', '--disable-gpu'] });
    try {
      const page = context.pages()[0] ?? (await context.newPage());
      await page.goto(`${relay.base}/`);
      return await page.evaluate(
        async ({ source, fixtures, samples }) => {
          const lib = await import('/lib.mjs');
          // A MessageChannel message is one macrotask without the 4 ms clamp of nested timers.
          const turn = () => new Promise((r) => { const c = new MessageChannel(); c.port1.onmessage = () => r(); c.port2.postMessage(0); });
          return (0, eval)(`(${source})`)(lib, fixtures, samples, turn);
        },
        { source: measure.toString(), fixtures, samples: SAMPLES },
      );
    } finally {
      await context.close();
      relay.close?.();
      rmSync(dir, { recursive: true, force: true });
    }
  });
  if (r.ok) publish('chromium', r.value);
  else console.error(`web-bulk bench: chromium run failed: ${r.error}`);
} else {
  console.error('web-bulk bench: no /usr/bin/chromium, browser figures skipped');
}
