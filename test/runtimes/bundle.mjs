// esbuild bundling for runtimes without Node: platform "neutral", no polyfills, and a build error for
// any `node:` module or Node builtin that something pulls in (so a Node dependency cannot sneak into
// the core or the Web binding).
import { builtinModules } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

export const root = fileURLToPath(new URL('../..', import.meta.url));
const builtins = new Set(builtinModules);

/** The npm `deno` package's launcher (it runs the platform binary from its optional dependency). */
export const denoBinary = () => join(root, 'node_modules', '.bin', 'deno');

/** Fails the build on `node:*` and on bare Node builtin names (`fs`, `crypto`, ...). */
export const noNodeModules = {
  name: 'no-node-modules',
  setup(b) {
    b.onResolve({ filter: /.*/ }, (args) => {
      const bare = args.path.replace(/\/.*$/, '');
      if (args.path.startsWith('node:') || builtins.has(bare)) {
        return { errors: [{ text: `${args.path} is a Node module (imported by ${args.importer}); the bundle must run without Node` }] };
      }
      return undefined;
    });
  },
};

/**
 * Bundles `contents` (an ESM entry, resolved from the repository root) into one ESM file.
 * `source: true` resolves workspace packages to their TypeScript (the `puretls-source` condition);
 * otherwise their built `dist/`.
 * With `splitting`, dynamic imports become chunks of their own: `files` lists every output (path,
 * bytes) and `metafile` says which are loaded up front.
 * @param {{ contents: string, source?: boolean, minify?: boolean, outfile?: string, metafile?: boolean, platform?: 'neutral' | 'node', splitting?: boolean }} o
 */
export async function bundle(o) {
  const result = await build({
    stdin: { contents: o.contents, resolveDir: root, sourcefile: 'entry.mjs', loader: 'ts' },
    bundle: true,
    format: 'esm',
    platform: o.platform ?? 'neutral',
    target: 'es2022',
    mainFields: ['module', 'main'],
    conditions: o.source ? ['puretls-source'] : [],
    minify: o.minify ?? false,
    treeShaking: true,
    write: o.outfile !== undefined,
    ...(o.outfile !== undefined ? { outfile: o.outfile } : { outdir: 'out' }),
    metafile: o.metafile ?? false,
    splitting: o.splitting ?? false,
    logLevel: 'silent',
    // A Node-platform bundle (the Node binding, for Bun) keeps Node's modules as they are.
    plugins: o.platform === 'node' ? [] : [noNodeModules],
  });
  const text = o.outfile !== undefined ? null : new TextDecoder().decode(result.outputFiles[0].contents);
  const files = (result.outputFiles ?? []).map((f) => ({ path: f.path, bytes: f.contents }));
  return { text, files, metafile: result.metafile };
}

// CLI: `node test/runtimes/bundle.mjs [outfile]` writes the Web binding and the core it uses as one
// minified ESM file for pages, Deno and Bun (default packages/web/dist/puretls-web.min.mjs).
if (import.meta.url === `file://${process.argv[1]}`) {
  const outfile = process.argv[2] ?? join(root, 'packages', 'web', 'dist', 'puretls-web.min.mjs');
  await bundle({ contents: "export * from '@puretls/web';", minify: true, outfile, source: false });
  console.log(outfile);
}
