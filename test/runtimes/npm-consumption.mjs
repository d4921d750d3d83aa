// The packages as published: `pnpm pack` each one (pack.mjs), check every tarball has built
// JavaScript and declarations and no TypeScript-only entry, install the tarballs with plain
// `npm install` in a fresh project outside the repository, type-check a consumer against the
// installed declarations, and complete a verified handshake with `openssl s_server` from an
// ordinary ESM file in Node and through a local (node_modules) import in Deno.
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { denoBinary, root } from './bundle.mjs';
import { packAll } from './pack.mjs';

const R = 'npm';

const NODE_CONSUMER = `// An ordinary ESM file using the published packages (no TypeScript, no bundler).
import { readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { Duplex } from 'node:stream';
import { startTls, webClientConfig } from '@puretls/web';
import { parseCertificate } from '@puretls/x509';
import { mozillaRoots } from '@puretls/x509/mozilla-roots';

const port = Number(process.argv[2]);
const socket = connect({ host: '127.0.0.1', port });
await new Promise((resolve, reject) => { socket.once('connect', resolve); socket.once('error', reject); });
const tls = startTls(Duplex.toWeb(socket), { config: webClientConfig({ trustAnchors: readFileSync('ca.pem', 'utf8'), serverName: 'localhost' }) });
const info = await tls.handshake;
const writer = tls.writable.getWriter();
await writer.write(new TextEncoder().encode('GET / HTTP/1.0\\r\\n\\r\\n'));
writer.releaseLock();
let page = '';
const reader = tls.readable.getReader();
for (;;) {
  const { value, done } = await reader.read();
  if (done) break;
  page += new TextDecoder().decode(value);
}
await tls.close();
const leaf = parseCertificate(info.peerCertificates[0]);
console.log('RESULT ' + JSON.stringify({ version: info.version, cipherSuite: info.cipherSuite, subjectAltNames: leaf.subjectAltNames.dns, status: page.split('\\r\\n')[0], tls13: page.includes('TLSv1.3'), mozillaRoots: mozillaRoots().size ?? null }));
`;

const DENO_CONSUMER = `// Deno importing the published packages from the local node_modules.
import { webClientConfig } from '@puretls/web';
import { connect } from '@puretls/web/deno';

const port = Number(Deno.args[0]);
const tls = await connect({ hostname: '127.0.0.1', port, serverName: 'localhost', config: webClientConfig({ trustAnchors: await Deno.readTextFile('ca.pem'), serverName: 'localhost' }) });
const info = await tls.handshake;
const writer = tls.writable.getWriter();
await writer.write(new TextEncoder().encode('GET / HTTP/1.0\\r\\n\\r\\n'));
writer.releaseLock();
let page = '';
for await (const chunk of tls.readable) page += new TextDecoder().decode(chunk);
await tls.close();
console.log('RESULT ' + JSON.stringify({ version: info.version, cipherSuite: info.cipherSuite, status: page.split('\\r\\n')[0], tls13: page.includes('TLSv1.3') }));
`;

const TYPES_CONSUMER = `// Type-checked against the installed declarations only.
import { acceptTls, memoryPipe, startTls, webClientConfig, webServerConfig, type TlsStream } from '@puretls/web';
import { connect } from '@puretls/web/deno';
import { ClientConnection, type HandshakeInfo, type TlsEvent } from '@puretls/tls';
import { createNobleProvider } from '@puretls/crypto/noble';
import type { CryptoProvider } from '@puretls/crypto';
import { Reader } from '@puretls/wire';
import { TrustStore, verifyCertificateChain } from '@puretls/x509';
import { mozillaRoots } from '@puretls/x509/mozilla-roots';

export async function handshake(ca: string, certPem: string, keyPem: string): Promise<HandshakeInfo> {
  const provider: CryptoProvider = createNobleProvider();
  const [a, b] = memoryPipe();
  const server: TlsStream = acceptTls(b, { config: webServerConfig({ provider, certificates: [{ chain: certPem, key: keyPem }] }) });
  const client: TlsStream = startTls(a, { config: webClientConfig({ provider, trustAnchors: TrustStore.fromPem(ca), serverName: 'localhost' }) });
  const conn: ClientConnection | unknown = client.connection;
  const ev: TlsEvent | null = conn instanceof ClientConnection ? conn.poll() : null;
  void ev;
  void server;
  void connect;
  void verifyCertificateChain;
  void mozillaRoots;
  void new Reader(new Uint8Array(1)).u8();
  return client.handshake;
}
`;

const TSCONFIG = {
  compilerOptions: {
    strict: true,
    target: 'ES2022',
    lib: ['ES2022', 'DOM'],
    module: 'NodeNext',
    moduleResolution: 'NodeNext',
    noEmit: true,
    types: [],
    skipLibCheck: false,
  },
  files: ['consumer-types.ts'],
};

function lastLines(res) {
  return (res.stderr || res.stdout).trim().split('\n').slice(-8).join(' | ');
}

function result(res) {
  const line = res.stdout.split('\n').find((l) => l.startsWith('RESULT '));
  return line === undefined ? null : JSON.parse(line.slice('RESULT '.length));
}

/** Entries of a tarball and its package.json. */
function inspect(file) {
  const entries = execFileSync('tar', ['-tzf', file], { encoding: 'utf8' }).split('\n').filter(Boolean).map((e) => e.replace(/^package\//, ''));
  const manifest = JSON.parse(execFileSync('tar', ['-xzOf', file, 'package/package.json'], { encoding: 'utf8' }));
  const problems = [];
  for (const [sub, entry] of Object.entries(manifest.exports ?? {})) {
    const targets = typeof entry === 'string' ? { default: entry } : entry;
    if (typeof targets.types !== 'string') problems.push(`${sub} has no types`);
    for (const [cond, target] of Object.entries(targets)) {
      if (/\.ts$/.test(target) && !/\.d\.ts$/.test(target)) problems.push(`${sub} "${cond}" is TypeScript (${target})`);
      if (!entries.includes(target.replace(/^\.\//, ''))) problems.push(`${sub} "${cond}" → ${target} is not in the tarball`);
    }
  }
  for (const [dep, range] of Object.entries(manifest.dependencies ?? {})) if (String(range).startsWith('workspace:')) problems.push(`${dep}: ${range}`);
  if (manifest.exports === undefined) problems.push('no exports map');
  return { manifest, problems };
}

export async function npmConsumption({ dir, pki, openssl, record, run }) {
  const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
  const built = await run(process.execPath, [tsc, '-b', join(root, 'packages', 'web')], { cwd: root, timeoutMs: 300_000 });
  if (built.code !== 0) {
    record(R, 'tsc -b packages/web (and what it depends on)', 'failed', lastLines(built));
    return;
  }
  // The `node` export condition's bundles (dist/node/) go into the tarballs with the rest of dist/.
  const bundled = await run(process.execPath, [join(root, 'scripts', 'bundle-node.mjs')], { cwd: root, timeoutMs: 120_000 });
  if (bundled.code !== 0) {
    record(R, 'scripts/bundle-node.mjs', 'failed', lastLines(bundled));
    return;
  }
  let packs;
  try {
    packs = packAll(join(dir, 'tarballs'));
  } catch (e) {
    record(R, 'pnpm pack of each package', 'failed', String(e.stderr ?? e.message));
    return;
  }
  for (const p of packs) {
    const { problems } = inspect(p.file);
    record(R, `${p.name} tarball: built JS and .d.ts for every export, no TypeScript entry, no workspace: range${p.rewritten ? ' (source condition removed at pack time)' : ''}`, problems.length === 0 ? 'passed' : 'failed', problems.join('; '));
  }

  const proj = join(dir, 'consumer');
  mkdirSync(proj);
  const deps = Object.fromEntries(packs.map((p) => [p.name, `file:${p.file}`]));
  writeFileSync(join(proj, 'package.json'), JSON.stringify({ name: 'puretls-consumer', private: true, type: 'module', dependencies: deps }, null, 2));
  writeFileSync(join(proj, 'ca.pem'), pki.caPem);
  writeFileSync(join(proj, 'consumer-node.mjs'), NODE_CONSUMER);
  writeFileSync(join(proj, 'consumer-deno.mjs'), DENO_CONSUMER);
  writeFileSync(join(proj, 'consumer-types.ts'), TYPES_CONSUMER);
  writeFileSync(join(proj, 'tsconfig.json'), JSON.stringify(TSCONFIG, null, 2));
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const installed = await run(npm, ['install', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: proj, timeoutMs: 300_000 });
  record(R, 'plain `npm install` of the tarballs in a fresh project', installed.code === 0 ? 'passed' : 'failed', installed.code === 0 ? '' : lastLines(installed));
  if (installed.code !== 0) return;

  const types = await run(process.execPath, [tsc, '-p', proj], { cwd: proj });
  record(R, 'a TypeScript consumer type-checks against the installed declarations (skipLibCheck off)', types.code === 0 ? 'passed' : 'failed', types.code === 0 ? '' : lastLines(types));

  const node = await run(process.execPath, ['consumer-node.mjs', String(openssl.port)], { cwd: proj, timeoutMs: 120_000 });
  const n = result(node);
  const nodeOk = n !== null && n.version === 'TLSv1.3' && /^HTTP\/1\.0 200 ok$/i.test(n.status) && n.tls13 && n.subjectAltNames.includes('localhost') && n.mozillaRoots > 100;
  record(R, 'Node, plain ESM file: verified handshake with openssl s_server, -www page read', nodeOk ? 'passed' : 'failed', nodeOk ? n.cipherSuite : n === null ? lastLines(node) : JSON.stringify(n));

  const deno = await run(denoBinary(), ['run', '--allow-net=127.0.0.1', '--allow-read=.', 'consumer-deno.mjs', String(openssl.port)], {
    cwd: proj,
    env: { DENO_DIR: join(dir, 'deno-dir-npm'), DENO_NO_UPDATE_CHECK: '1', NO_COLOR: '1' },
    timeoutMs: 120_000,
  });
  const d = result(deno);
  const denoOk = d !== null && d.version === 'TLSv1.3' && /^HTTP\/1\.0 200 ok$/i.test(d.status) && d.tls13;
  record(R, 'Deno, import from the installed node_modules: verified handshake with openssl s_server, -www page read', denoOk ? 'passed' : 'failed', denoOk ? d.cipherSuite : d === null ? lastLines(deno) : JSON.stringify(d));
}
