/**
 * The TLS engine's verifier interface (`createCertificateVerifier`): the alert each failure maps to
 * (expired → certificate_expired, misnamed → bad_certificate, untrusted → unknown_ca, non-CA
 * intermediate → certificate_unknown), the leaf key on success, client certificates with
 * usage 'clientAuth', asynchronous providers, and argument checking.
 */
import { afterAll, describe, expect, test } from 'vitest';
import type { CryptoProvider } from '@puretls/crypto';
import { nobleProvider } from '@puretls/crypto/noble';
import { TrustStore, createCertificateVerifier, parseCertificate } from '../src/index.js';
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
