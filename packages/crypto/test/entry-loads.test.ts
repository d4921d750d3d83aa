/**
 * Importing `@puretls/crypto` (the main entry) loads no @noble/curves module, so that curve code can
 * be loaded lazily. A child Node process records every module it loads through load hooks
 * (fixtures/record-loads.mjs, registered with `--import`); a control import of a noble curve module
 * afterwards shows the recorder sees them. It runs the built JavaScript: `npm test` builds first.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { expect, it } from 'vitest';

const entry = fileURLToPath(new URL('../dist/index.js', import.meta.url));
const recorder = fileURLToPath(new URL('./fixtures/record-loads.mjs', import.meta.url));
const control = fileURLToPath(new URL('../node_modules/@noble/curves/ed25519.js', import.meta.url));

const CHILD = `
const [recorder, entry, control] = process.argv.slice(1);
const { loadedUrls } = await import(recorder);
await import(entry);
const entryLoads = await loadedUrls();
await import(control);
const controlLoads = (await loadedUrls()).slice(entryLoads.length);
console.log(JSON.stringify({ entryLoads, controlLoads }));
`;

it('importing @puretls/crypto loads no @noble/curves module', async () => {
  expect(existsSync(entry), 'packages/crypto is not built: run `npm run build` (npm test does)').toBe(true);
  const child = spawn(process.execPath, ['--import', pathToFileURL(recorder).href, '--input-type=module', '-e', CHILD, recorder, entry, control]);
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  expect(code, err).toBe(0);
  const { entryLoads, controlLoads } = JSON.parse(out) as { entryLoads: string[]; controlLoads: string[] };
  const isCurves = (url: string): boolean => url.includes('/@noble/curves/');
  // The recorder saw the entry and what it imports (keys.js among them), and no curve module.
  expect(entryLoads).toContain(pathToFileURL(entry).href);
  expect(entryLoads.some((url) => url.endsWith('/dist/keys.js'))).toBe(true);
  expect(entryLoads.filter(isCurves)).toEqual([]);
  // It does see a curve module when one is loaded.
  expect(controlLoads.filter(isCurves).length).toBeGreaterThan(0);
});
