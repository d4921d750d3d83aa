/**
 * Hostile chains are refused within a bounded budget: 10,000 junk intermediates that all claim the
 * leaf's issuer name (refused by the input cap, and, with the cap lifted, by the signature-check
 * budget), and a name-constraints explosion (many SANs times many subtrees). The tests assert the
 * budget error, not a time; each has a small valid twin that passes.
 */
import { afterAll, describe, expect, test } from 'vitest';
import { type Certificate, parseCertificate, verifyCertificateChain } from '../src/index.js';
import { EXT, Pki } from './fixtures/pki.js';

const T = new Date('2026-06-01T00:00:00Z');
const pki = new Pki();
afterAll(() => pki.dispose());
pki.key('root', 'p256');
pki.key('int', 'p256');
pki.key('leaf', 'p256');
const root = pki.issue({ id: 'root', subject: '/O=Test/CN=Budget Root', key: 'root', ext: EXT.ca() });
const int = pki.issue({ id: 'int', subject: '/O=Test/CN=Budget Intermediate', key: 'int', issuer: root, ext: EXT.ca() });
const leaf = pki.issue({ id: 'leaf', subject: '/O=Test/CN=leaf', key: 'leaf', issuer: int, ext: EXT.leaf('DNS:example.com') });

/** Copies of the intermediate with other serial numbers: same name and key, so each is a real candidate whose own signature fails. */
function junkIntermediates(count: number): Uint8Array[] {
  const parsed: Certificate = parseCertificate(int.der);
  const at = parsed.serialNumber.byteOffset - int.der.byteOffset;
  const len = parsed.serialNumber.length;
  expect(len).toBeGreaterThanOrEqual(2);
  const out: Uint8Array[] = [];
  for (let i = 0; out.length < count; i++) {
    const d = int.der.slice();
    d[at] = 0x10 + ((i >> 8) & 0x3f);
    d[at + len - 1] = i & 0xff;
    if (d[at] === int.der[at] && d[at + len - 1] === int.der[at + len - 1]) continue;
    out.push(d);
  }
  return out;
}

describe('junk intermediates', () => {
  const junk = junkIntermediates(10_000);

  test('10,000 junk intermediates are refused by the input cap', async () => {
    const r = await verifyCertificateChain({ leaf: leaf.der, intermediates: [...junk, int.der], trustAnchors: [root.der], time: T, usage: 'serverAuth' });
    expect(r.ok ? 'ok' : r.error.code).toBe('VERIFY_BUDGET_EXCEEDED');
  });

  test('with the cap lifted, the signature-check budget stops the search', async () => {
    const r = await verifyCertificateChain({
      leaf: leaf.der,
      intermediates: [...junk, int.der],
      trustAnchors: [root.der],
      time: T,
      usage: 'serverAuth',
      budget: { maxIntermediates: 20_000 },
    });
    expect(r.ok ? 'ok' : r.error.code).toBe('VERIFY_BUDGET_EXCEEDED');
    if (!r.ok) expect(r.error.message).toMatch(/signature checks/);
  });

  test('the candidate budget also bounds the search', async () => {
    const r = await verifyCertificateChain({
      leaf: leaf.der,
      intermediates: [...junk, int.der],
      trustAnchors: [root.der],
      time: T,
      usage: 'serverAuth',
      budget: { maxIntermediates: 20_000, maxSignatureChecks: 1_000_000, maxCandidates: 500 },
    });
    expect(r.ok ? 'ok' : r.error.code).toBe('VERIFY_BUDGET_EXCEEDED');
    if (!r.ok) expect(r.error.message).toMatch(/candidates/);
  });

  test('twin: a few junk intermediates before the real one still verify', async () => {
    const r = await verifyCertificateChain({
      leaf: leaf.der,
      intermediates: [...junk.slice(0, 20), int.der],
      trustAnchors: [root.der],
      time: T,
      usage: 'serverAuth',
    });
    expect(r.ok ? 'ok' : r.error.code).toBe('ok');
  });
});

describe('name-constraints explosion', () => {
  const ncCa = (id: string, subtrees: number) =>
    pki.issue({
      id,
      subject: `/O=Test/CN=${id}`,
      key: 'int',
      issuer: root,
      ext: EXT.ca([`nameConstraints = critical,${['permitted;DNS:example.com', ...Array.from({ length: subtrees - 1 }, (_, i) => `permitted;DNS:c${i}.example.net`)].join(',')}`]),
    });
  const leafWith = (id: string, issuer: ReturnType<typeof ncCa>, sans: number) =>
    pki.issue({
      id,
      subject: `/O=Test/CN=${id}`,
      key: 'leaf',
      issuer,
      ext: EXT.leaf(Array.from({ length: sans }, (_, i) => `DNS:h${i}.example.com`).join(',')),
    });

  test('400 SANs against 300 subtrees exceed the comparison budget', async () => {
    const ca = ncCa('nc-big', 300);
    const l = leafWith('nc-big-leaf', ca, 400);
    const r = await verifyCertificateChain({ leaf: l.der, intermediates: [ca.der], trustAnchors: [root.der], time: T, usage: 'serverAuth' });
    expect(r.ok ? 'ok' : r.error.code).toBe('VERIFY_BUDGET_EXCEEDED');
    if (!r.ok) expect(r.error.message).toMatch(/name constraint/);
  });

  test('twin: 20 SANs against 20 subtrees pass', async () => {
    const ca = ncCa('nc-small', 20);
    const l = leafWith('nc-small-leaf', ca, 20);
    const r = await verifyCertificateChain({ leaf: l.der, intermediates: [ca.der], trustAnchors: [root.der], time: T, usage: 'serverAuth', serverName: 'h7.example.com' });
    expect(r.ok ? 'ok' : r.error.code).toBe('ok');
  });
});
