/**
 * The TLS engine's verifier interface (`createCertificateVerifier`): the alert each failure maps to
 * (expired → certificate_expired, misnamed → bad_certificate, untrusted → unknown_ca, non-CA
 * intermediate → certificate_unknown), the leaf key on success, client certificates with
 * usage 'clientAuth', asynchronous providers, argument checking, and the per-verifier caches of
 * parsed certificates and of signatures that verified (reused; every other check runs each time).
 */
import { afterAll, describe, expect, test } from 'vitest';
import type { CryptoProvider } from '@puretls/crypto';
import { nobleProvider } from '@puretls/crypto/noble';
import { TrustStore, createCertificateVerifier, parseCertificate } from '../src/index.js';
import { SignatureMemo } from '../src/verify.js';
import { EXT, Pki } from './fixtures/pki.js';

const now = new Date('2026-06-01T00:00:00Z');
const pki = new Pki();
afterAll(() => pki.dispose());
pki.key('root', 'p256');
pki.key('int', 'p256');
pki.key('leaf', 'ed25519');
const root = pki.issue({ id: 'root', subject: '/O=Test/CN=Verifier Root', key: 'root', ext: EXT.ca() });
const int = pki.issue({ id: 'int', subject: '/O=Test/CN=Verifier Intermediate', key: 'int', issuer: root, ext: EXT.ca() });
const server = pki.issue({ id: 'server', subject: '/O=Test/CN=server', key: 'leaf', issuer: int, ext: EXT.leaf('DNS:server.test', [], 'serverAuth') });
const client = pki.issue({ id: 'client', subject: '/O=Test/CN=client', key: 'leaf', issuer: int, ext: EXT.leaf(null, [], 'clientAuth') });
const expired = pki.issue({ id: 'expired', subject: '/O=Test/CN=expired', key: 'leaf', issuer: int, end: '20260101000000Z', ext: EXT.leaf('DNS:server.test') });
const nonCa = pki.issue({ id: 'non-ca', subject: '/O=Test/CN=Not a CA', key: 'int', issuer: root, ext: EXT.leaf(null, [], '') });
const underNonCa = pki.issue({ id: 'under-non-ca', subject: '/O=Test/CN=victim', key: 'leaf', issuer: nonCa, ext: EXT.leaf('DNS:server.test') });
pki.key('other', 'p256');
const otherRoot = pki.issue({ id: 'other-root', subject: '/O=Other/CN=Other Root', key: 'other', ext: EXT.ca() });

describe('createCertificateVerifier', () => {
  const verifier = createCertificateVerifier({ trustAnchors: [root.der] });

  test('a good server chain gives the leaf public key', async () => {
    const r = await verifier.verify({ chain: [server.der, int.der], serverName: 'server.test', usage: 'serverAuth', now });
    expect(r).toEqual({ ok: true, publicKey: parseCertificate(server.der).publicKey });
  });

  test.each([
    ['expired', () => [expired.der, int.der], 'server.test', 'CERT_HAS_EXPIRED', 'certificate_expired'],
    ['misnamed', () => [server.der, int.der], 'other.test', 'ERR_TLS_CERT_ALTNAME_INVALID', 'bad_certificate'],
    ['untrusted', () => [server.der], 'server.test', 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY', 'unknown_ca'],
    ['non-CA intermediate', () => [underNonCa.der, nonCa.der], 'server.test', 'INVALID_CA', 'certificate_unknown'],
    ['client certificate used as server', () => [client.der, int.der], undefined, 'INVALID_PURPOSE', 'unsupported_certificate'],
    ['garbage leaf', () => [Uint8Array.of(1, 2, 3)], 'server.test', 'MALFORMED_CERTIFICATE', 'bad_certificate'],
    ['empty chain', () => [], 'server.test', 'MALFORMED_CERTIFICATE', 'bad_certificate'],
  ] as const)('%s → %s / %s', async (_label, chain, serverName, code, alert) => {
    const r = await verifier.verify({ chain: chain(), ...(serverName !== undefined ? { serverName } : {}), usage: 'serverAuth', now });
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect([r.code, r.alert]).toEqual([code, alert]);
      expect(r.message).toMatch(/\w{4}/);
    }
  });

  test('parsed certificates and verified signatures are reused by one verifier, every other check runs again', async () => {
    let checks = 0;
    const counting: CryptoProvider = { ...nobleProvider, verify: (...args) => (checks++, nobleProvider.verify(...args)) };
    const v = createCertificateVerifier({ trustAnchors: [root.der], provider: counting });
    const req = { serverName: 'server.test', usage: 'serverAuth', now } as const;
    // Copies: the cache keys on the bytes, not on the buffer.
    const a = await v.verify({ chain: [server.der.slice(), int.der.slice()], ...req });
    const b = await v.verify({ chain: [server.der.slice(), int.der.slice()], ...req });
    expect(a.ok && b.ok).toBe(true);
    if (a.ok && b.ok) expect(b.publicKey).toBe(a.publicKey);
    // Leaf by intermediate, intermediate by root: checked once; the second chain reuses both.
    expect(checks).toBe(2);
    // The same leaf is still refused where the request says so: nothing but the parse and the
    // signatures is remembered.
    const misnamed = await v.verify({ chain: [server.der, int.der], ...req, serverName: 'other.test' });
    expect(misnamed.ok ? 'ok' : misnamed.code).toBe('ERR_TLS_CERT_ALTNAME_INVALID');
    const late = await v.verify({ chain: [server.der, int.der], ...req, now: new Date('2099-01-01T00:00:00Z') });
    expect(late.ok ? 'ok' : late.code).toBe('CERT_HAS_EXPIRED');
    // A different certificate is its own entry; a verifier of its own parses afresh.
    const c = await v.verify({ chain: [client.der, int.der], usage: 'clientAuth', now });
    if (a.ok && c.ok) expect(c.publicKey).not.toBe(a.publicKey);
    const other = await createCertificateVerifier({ trustAnchors: [root.der] }).verify({ chain: [server.der, int.der], ...req });
    if (a.ok && other.ok) expect(other.publicKey).not.toBe(a.publicKey);
    // Garbage among the intermediates is still skipped, and a garbage leaf still refused.
    const junk = await v.verify({ chain: [server.der, Uint8Array.of(0x30, 0x03, 1, 2, 3), int.der], ...req });
    expect(junk.ok).toBe(true);
    const bad = await v.verify({ chain: [Uint8Array.of(0x30, 0)], ...req });
    expect(bad.ok ? 'ok' : bad.code).toBe('MALFORMED_CERTIFICATE');
  });

  test('a signature that fails is checked again every time, and never stands for another certificate', async () => {
    let checks = 0;
    const counting: CryptoProvider = { ...nobleProvider, verify: (...args) => (checks++, nobleProvider.verify(...args)) };
    const v = createCertificateVerifier({ trustAnchors: [root.der], provider: counting });
    const req = { serverName: 'server.test', usage: 'serverAuth', now } as const;
    expect((await v.verify({ chain: [server.der, int.der], ...req })).ok).toBe(true);
    const forged = server.der.slice();
    forged[forged.length - 3] = (forged[forged.length - 3] as number) ^ 0x01; // inside the signature value
    for (let round = 1; round <= 3; round++) {
      const before = checks;
      const r = await v.verify({ chain: [forged, int.der], ...req });
      expect(r.ok ? 'ok' : r.code).toBe('CERT_SIGNATURE_FAILURE');
      // The forged leaf's signature is checked each time; the intermediate's success is reused.
      expect(checks - before, `round ${round}`).toBe(1);
    }
  });

  test('remembered signatures are bounded: the oldest goes first', () => {
    const memo = new SignatureMemo(3);
    for (const k of ['a/x', 'b/x', 'c/x']) memo.add(k);
    expect(['a/x', 'b/x', 'c/x'].map((k) => memo.has(k))).toEqual([true, true, true]);
    memo.add('d/x');
    expect(['a/x', 'b/x', 'c/x', 'd/x'].map((k) => memo.has(k))).toEqual([false, true, true, true]);
  });

  test('the cache is bounded: a stream of distinct certificates does not grow it past its limit', async () => {
    const v = createCertificateVerifier({ trustAnchors: [root.der] });
    const req = { serverName: 'server.test', usage: 'serverAuth', now } as const;
    const first = await v.verify({ chain: [server.der, int.der], ...req });
    // 130 distinct well-formed leaves (the limit is 128): the oldest entry, the first leaf, is dropped.
    for (let i = 0; i < 130; i++) {
      const der = server.der.slice();
      // Flip a byte of the signature value: still a well-formed certificate, a distinct one.
      const at = der.length - 1 - (i % 8);
      der[at] = (der[at] as number) ^ (i + 1);
      await v.verify({ chain: [der, int.der], ...req });
    }
    const again = await v.verify({ chain: [server.der, int.der], ...req });
    expect(first.ok && again.ok).toBe(true);
    if (first.ok && again.ok) expect(again.publicKey).not.toBe(first.publicKey);
  });

  test('a trust store with another root: unknown_ca', async () => {
    const v = createCertificateVerifier({ trustAnchors: TrustStore.fromPem(otherRoot.pem) });
    const r = await v.verify({ chain: [server.der, int.der], serverName: 'server.test', usage: 'serverAuth', now });
    expect(r.ok ? 'ok' : r.alert).toBe('unknown_ca');
  });

  test("client certificates verify with usage 'clientAuth' and no server name", async () => {
    const r = await verifier.verify({ chain: [client.der, int.der], usage: 'clientAuth', now });
    expect(r.ok).toBe(true);
    const wrong = await verifier.verify({ chain: [server.der, int.der], usage: 'clientAuth', now });
    expect(wrong.ok ? 'ok' : wrong.code).toBe('INVALID_PURPOSE');
  });

  test('maxChainDepth 0 refuses an intermediate', async () => {
    const v = createCertificateVerifier({ trustAnchors: [root.der], maxChainDepth: 0 });
    const r = await v.verify({ chain: [server.der, int.der], serverName: 'server.test', usage: 'serverAuth', now });
    expect(r.ok ? 'ok' : r.code).toBe('CERT_CHAIN_TOO_LONG');
  });

  test('an asynchronous provider is awaited; a provider that refuses gives CERT_SIGNATURE_FAILURE', async () => {
    const asyncProvider: CryptoProvider = { ...nobleProvider, verify: async (...args) => nobleProvider.verify(...args) };
    const ok = await createCertificateVerifier({ trustAnchors: [root.der], provider: asyncProvider }).verify({ chain: [server.der, int.der], usage: 'serverAuth', now });
    expect(ok.ok).toBe(true);
    const refusing: CryptoProvider = { ...nobleProvider, verify: async () => false };
    const bad = await createCertificateVerifier({ trustAnchors: [root.der], provider: refusing }).verify({ chain: [server.der, int.der], usage: 'serverAuth', now });
    expect(bad.ok ? 'ok' : [bad.code, bad.alert]).toEqual(['CERT_SIGNATURE_FAILURE', 'bad_certificate']);
  });

  test('caller errors are TypeError/RangeError naming the argument', async () => {
    expect(() => createCertificateVerifier({ trustAnchors: 'x' as never })).toThrow(/trustAnchors/);
    expect(() => createCertificateVerifier({ trustAnchors: [], maxChainDepth: -1 })).toThrow(RangeError);
    await expect(verifier.verify({ chain: [server.der], usage: 'serverAuth', now: new Date(Number.NaN) })).rejects.toThrow(/time/);
    await expect(verifier.verify({ chain: [server.der], usage: 'x' as never, now })).rejects.toThrow(/usage/);
  });
});
