/**
 * Lazy loading (issue 9): a process that makes one X25519 + ECDSA P-256 connection through
 * @puretls/node imports only the curve and cipher modules that connection negotiates. Each case runs
 * in a fresh `node` (the built packages) whose every module load is recorded by a loader hook
 * (packages/crypto/test/fixtures/record-loads.mjs): with the pure noble provider, X25519's and the
 * NIST curves' modules load but not Ed448/X448's or ChaCha20's; with the node:crypto provider no
 * module of @noble/curves loads at all.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { generateCertificate } from '../src/index.js';

const recorder = fileURLToPath(new URL('../../crypto/test/fixtures/record-loads.mjs', import.meta.url));
const child = fileURLToPath(new URL('./fixtures/lazy-child.mjs', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'puretls-lazy-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const ca = generateCertificate({ commonName: 'lazy loading CA', isCA: true, keyType: 'ec-p256' });
const leaf = generateCertificate({ commonName: 'localhost', keyType: 'ec-p256', issuer: ca, altNames: ['localhost'] });
const pki = join(dir, 'pki.json');
writeFileSync(pki, JSON.stringify({ ca: ca.cert, cert: leaf.cert, key: leaf.key }));

interface Run {
  suite: string;
  group: string;
  scheme: string;
  urls: string[];
}

function run(provider: 'noble' | 'node'): Run {
  const out = execFileSync(process.execPath, ['--import', recorder, child, pki, provider, recorder], {
    encoding: 'utf8',
    env: { ...process.env, PURETLS_PROVIDER: '' },
    timeout: 60_000,
  });
  return JSON.parse(out.trim().split('\n').pop() as string) as Run;
}

const loaded = (r: Run, path: string): boolean => r.urls.some((u) => u.includes(path));

describe('modules imported by one X25519 + ECDSA P-256 connection', () => {
  it('pure noble provider: X25519 and the NIST curves, not Ed448/X448, not ChaCha20 unless negotiated', () => {
    const r = run('noble');
    expect([r.group, r.scheme]).toEqual(['x25519', 'ecdsa_secp256r1_sha256']);
    expect(loaded(r, '/@noble/curves/ed25519.js')).toBe(true);
    expect(loaded(r, '/@noble/curves/nist.js')).toBe(true);
    expect(loaded(r, '/@noble/curves/ed448.js')).toBe(false);
    expect(loaded(r, '/@noble/ciphers/chacha.js')).toBe(r.suite === 'TLS_CHACHA20_POLY1305_SHA256');
    expect(loaded(r, '/crypto/dist/family-448.js')).toBe(false);
  });

  it('node:crypto provider: no @noble/curves module at all', () => {
    const r = run('node');
    expect([r.group, r.scheme]).toEqual(['x25519', 'ecdsa_secp256r1_sha256']);
    expect(r.urls.filter((u) => u.includes('/@noble/curves/'))).toEqual([]);
    expect(loaded(r, '/@noble/ciphers/chacha.js')).toBe(false);
    // The recorder saw the connection's own modules, so an empty list above means something.
    expect(loaded(r, '/tls/dist/')).toBe(true);
  });
});
