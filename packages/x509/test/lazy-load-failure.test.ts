/**
 * A lazy provider that cannot import the module a certificate's signature needs (the NIST curves here):
 * the signature was never checked, so the verifier must not answer CERT_SIGNATURE_FAILURE (a
 * bad_certificate alert blaming the peer); it rejects with the provider's ALGORITHM_LOAD_FAILED, which
 * the TLS engine reports as its own PROVIDER_LOAD_FAILED.
 */
import { afterAll, describe, expect, test, vi } from 'vitest';
import { createNobleProvider } from '@puretls/crypto/noble-lazy';
import { createCertificateVerifier } from '../src/index.js';
import { EXT, Pki } from './fixtures/pki.js';

vi.mock('../../crypto/src/family-nist.ts', () => {
  throw new Error('Failed to fetch dynamically imported module');
});

const now = new Date('2026-06-01T00:00:00Z');
const pki = new Pki();
afterAll(() => pki.dispose());
pki.key('root', 'p256');
pki.key('leaf', 'ed25519');
const root = pki.issue({ id: 'root', subject: '/O=Test/CN=Root', key: 'root', ext: EXT.ca() });
const server = pki.issue({ id: 'server', subject: '/O=Test/CN=server', key: 'leaf', issuer: root, ext: EXT.leaf('DNS:server.test', [], 'serverAuth') });

describe('a certificate signature whose algorithm cannot be loaded', () => {
  test('rejects with ALGORITHM_LOAD_FAILED rather than reporting the signature bad', async () => {
    const v = createCertificateVerifier({ trustAnchors: [root.der], provider: createNobleProvider() });
    await expect(v.verify({ chain: [server.der], serverName: 'server.test', usage: 'serverAuth', now })).rejects.toMatchObject({
      name: 'CryptoError',
      code: 'ALGORITHM_LOAD_FAILED',
    });
  });
});
