/**
 * Loader for the shared test vectors (Wycheproof, RFC 8448 traces), which live outside the project in
 * `../shared/vectors` and are never copied into it. `PURETLS_VECTORS` may point elsewhere.
 *
 * When the directory is absent, vector tests report a skip that says why — except under `CI=true`,
 * where its absence is a failure (see `vectorsOrSkip`).
 */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join, resolve } from 'node:path';

const repoRoot = resolve(fileURLToPath(new URL('.', import.meta.url)), '..', '..');

export const vectorsDir: string = process.env['PURETLS_VECTORS'] ?? resolve(repoRoot, '..', 'shared', 'vectors');

export const vectorsAvailable: boolean = existsSync(join(vectorsDir, 'wycheproof')) && existsSync(join(vectorsDir, 'rfc8448'));

export const vectorsMissingReason = `test vectors not found at ${vectorsDir} (a clone without ../shared); set PURETLS_VECTORS to run them`;

/** Throws under CI when vectors are missing, so a CI run can never pass by skipping them. */
export function assertVectorsUnlessLocal(): void {
  if (!vectorsAvailable && process.env['CI'] === 'true') {
    throw new Error(`${vectorsMissingReason} — required when CI=true`);
  }
}

// Under CI a missing vector directory fails every file that loads vectors, at import, so that no
// CI run can pass by skipping them.
assertVectorsUnlessLocal();

export function loadVectorJson<T = unknown>(relativePath: string): T {
  assertVectorsUnlessLocal();
  return JSON.parse(readFileSync(join(vectorsDir, relativePath), 'utf8')) as T;
}

export function hex(s: string): Uint8Array {
  if (s.length % 2 !== 0 || /[^0-9a-fA-F]/.test(s)) throw new TypeError(`not a hex string: ${s.slice(0, 40)}`);
  const out = new Uint8Array(s.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(s.slice(2 * i, 2 * i + 2), 16);
  return out;
}

export function toHex(b: Uint8Array): string {
  let s = '';
  for (const x of b) s += x.toString(16).padStart(2, '0');
  return s;
}

/** xorshift32 from a fixed seed: reproducible pseudo-random 32-bit words for mutation tests (not for keys). */
export function xorshift32(seed: number): () => number {
  let state = seed >>> 0 || 1;
  return () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return state >>> 0;
  };
}
