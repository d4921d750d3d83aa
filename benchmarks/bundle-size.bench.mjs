// Bundle size of a TLS 1.3 client with X.509 verification for browsers/Deno/Bun: esbuild, platform
// "neutral", no Node polyfills (the build fails if anything pulls a Node module), from the sources
// (esbuild strips the types: the same code as dist/, without depending on a build). One JSON line
// per figure (minified, and gzip -9), the largest inputs of the Web client by package, and the
// client with the opt-in Mozilla root module. Names: bundle_<what>_neutral_min[_gzip9 | _share_<package>].
// With code splitting (what a page's bundler does with dynamic imports), the Web client's part loaded
// up front and the lazily loaded chunks (curves, RSA, ChaCha20: loaded when a connection negotiates
// them): bundle_web-client_neutral_min_split_<initial | lazy>.
import { gzipSync } from 'node:zlib';
import { bundle } from '../test/runtimes/bundle.mjs';
import { report } from './lib.mjs';

const variants = {
  // The sans-IO engine, noble crypto and X.509 path validation: what every client needs.
  'tls13-client+x509': `
    export { ClientConnection, clientConfig } from '@puretls/tls';
    export { createNobleProvider } from '@puretls/crypto/noble';
    export { createCertificateVerifier, TrustStore } from '@puretls/x509';`,
  // The same over Web Streams, with the WebSocket transport and the config helpers.
  'web-client': `export { startTls, webClientConfig, webSocketTransport } from '@puretls/web';`,
  // Plus the Mozilla root set, for a page that talks to public servers.
  'web-client+mozilla-roots': `
    export { startTls, webClientConfig, webSocketTransport } from '@puretls/web';
    export { mozillaRoots } from '@puretls/x509/mozilla-roots';`,
};

for (const [name, contents] of Object.entries(variants)) {
  const { text, metafile } = await bundle({ contents, minify: true, metafile: true, source: true });
  const bytes = new TextEncoder().encode(text);
  report(`bundle_${name}_neutral_min`, 'bytes', bytes.length);
  report(`bundle_${name}_neutral_min_gzip9`, 'bytes', gzipSync(bytes, { level: 9 }).length);
  if (name === 'web-client') {
    // Where the bytes come from, by package (minified output bytes attributed to each input).
    const byPackage = {};
    for (const out of Object.values(metafile.outputs)) {
      for (const [path, { bytesInOutput }] of Object.entries(out.inputs)) {
        const m = /node_modules\/(?:\.pnpm\/[^/]+\/node_modules\/)?((?:@[^/]+\/)?[^/]+)/.exec(path) ?? /packages\/([^/]+)\//.exec(path);
        const pkg = m ? (m[1].startsWith('@') ? m[1] : path.includes('packages/') && !path.includes('node_modules') ? `@puretls/${m[1]}` : m[1]) : path;
        byPackage[pkg] = (byPackage[pkg] ?? 0) + bytesInOutput;
      }
    }
    for (const [pkg, n] of Object.entries(byPackage).sort((a, b) => b[1] - a[1]).slice(0, 8)) {
      report(`bundle_${name}_neutral_min_share_${pkg}`, 'bytes', n);
    }
  }
}

// Code splitting: the entry and the chunks it imports statically are loaded up front; the rest only
// when a connection needs them (a dynamic import of noble-families.ts).
{
  const { files, metafile } = await bundle({ contents: variants['web-client'], minify: true, metafile: true, source: true, splitting: true });
  const size = new Map(files.map((f) => [f.path.slice(f.path.lastIndexOf('/out/') + 1), f.bytes.length]));
  // Dynamically imported modules are entry points of their own chunks; ours is stdin's (entry.mjs).
  const entry = Object.keys(metafile.outputs).find((k) => metafile.outputs[k].entryPoint === 'entry.mjs');
  const initial = new Set();
  const visit = (out) => {
    if (initial.has(out)) return;
    initial.add(out);
    for (const i of metafile.outputs[out].imports) if (i.kind === 'import-statement') visit(i.path);
  };
  visit(entry);
  let up = 0;
  let lazy = 0;
  for (const [path, n] of size) (initial.has(path) ? (up += n) : (lazy += n));
  report('bundle_web-client_neutral_min_split_initial', 'bytes', up);
  report('bundle_web-client_neutral_min_split_lazy', 'bytes', lazy);
}
