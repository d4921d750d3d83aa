/**
 * Every named PKI case (fixtures/cases.ts) through `verifyCertificateChain` with its exact verdict,
 * and the same chain through `openssl verify -x509_strict` (differential): any disagreement must be
 * one the case lists with the reason we are right.
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { encodePem, parseCertificate, verifyCertificateChain } from '../src/index.js';
import { type Case, buildCases } from './fixtures/cases.js';
import { Pki } from './fixtures/pki.js';

const pki = new Pki();
const cases: Case[] = buildCases(pki);
afterAll(() => pki.dispose());

function verify(c: Case) {
  return verifyCertificateChain({
    leaf: c.leaf,
    intermediates: c.intermediates,
    trustAnchors: c.anchors,
    time: c.time,
    usage: c.usage,
    ...(c.serverName !== undefined ? { serverName: c.serverName } : {}),
    ...(c.maxChainDepth !== undefined ? { maxChainDepth: c.maxChainDepth } : {}),
  });
}

test('the fixture generator builds at least 60 named cases, with unique names', () => {
  expect(cases.length).toBeGreaterThanOrEqual(60);
  expect(new Set(cases.map((c) => c.name)).size).toBe(cases.length);
});

describe('verifyCertificateChain', () => {
  test.each(cases.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
    const r = await verify(c);
    if (c.expected === 'ok') {
      expect(r.ok ? 'ok' : `${r.error.code}: ${r.error.message}`).toBe('ok');
    } else {
      expect(r.ok ? 'ok' : r.error.code).toBe(c.expected);
      if (!r.ok) {
        expect(r.error.message.length).toBeGreaterThan(10);
        expect(typeof r.error.alert).toBe('string');
      }
    }
  });
});

function pemOf(ders: readonly Uint8Array[]): string {
  return ders.map((d) => encodePem('CERTIFICATE', d)).join('');
}

function opensslVerify(c: Case): { ok: boolean; output: string } {
  const dir = join(pki.dir, `diff-${c.name}`);
  execFileSync('mkdir', ['-p', dir]);
  writeFileSync(join(dir, 'leaf.pem'), pemOf([c.leaf]));
  writeFileSync(join(dir, 'anchors.pem'), pemOf(c.anchors));
  const inter = c.intermediates.filter((d) => {
    try {
      parseCertificate(d);
      return true;
    } catch {
      return false;
    }
  });
  const args = ['verify', '-x509_strict', '-no-CApath', '-no-CAstore', '-CAfile', join(dir, 'anchors.pem')];
  if (inter.length > 0) {
    writeFileSync(join(dir, 'inter.pem'), pemOf(inter));
    args.push('-untrusted', join(dir, 'inter.pem'));
  }
  args.push('-purpose', c.usage === 'serverAuth' ? 'sslserver' : 'sslclient');
  args.push('-attime', String(Math.floor(c.time.getTime() / 1000)));
  if (c.serverName !== undefined) {
    if (/^[\d.]+$/.test(c.serverName) || c.serverName.includes(':')) args.push('-verify_ip', c.serverName);
    else args.push('-verify_hostname', c.serverName);
  }
  if (c.maxChainDepth !== undefined) args.push('-verify_depth', String(c.maxChainDepth));
  args.push(join(dir, 'leaf.pem'));
  try {
    const out = execFileSync('openssl', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    return { ok: true, output: out.trim() };
  } catch (e) {
    const err = e as { stdout?: string; stderr?: string };
    return { ok: false, output: `${err.stdout ?? ''}${err.stderr ?? ''}`.trim().split('\n').filter((l) => l.includes('error')).join(' | ') };
  }
}

describe('differential against openssl verify -x509_strict', () => {
  const runnable = cases.filter((c) => c.opensslSkip === undefined);
  test.each(runnable.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
    const ours = (await verify(c)).ok;
    const theirs = opensslVerify(c);
    if (c.opensslDiffers !== undefined) {
      // A listed disagreement must still be one, otherwise its reason is stale.
      expect(theirs.ok, `listed disagreement no longer holds; openssl: ${theirs.output}`).not.toBe(ours);
    } else {
      expect(theirs.ok, `openssl: ${theirs.output}`).toBe(ours);
    }
  });
});
