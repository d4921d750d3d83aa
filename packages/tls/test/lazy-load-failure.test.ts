/**
 * A lazy provider whose NIST curve module cannot be imported (a chunk a page failed to fetch): the
 * ECDSA signature that needs it was never checked, so neither side may report a bad signature. The
 * failing side ends with PROVIDER_LOAD_FAILED and an internal_error alert, whether the module was
 * wanted to verify the server's CertificateVerify, to sign it, or to check a certificate's signature.
 */
import { describe, expect, it, vi } from 'vitest';
import { createPrivateKey, sign as nodeSign } from 'node:crypto';
import { createNobleProvider } from '@puretls/crypto/noble-lazy';
import { ClientConnection, ServerConnection, clientConfig, serverConfig } from '../src/index.js';
import { exchange, now, stubVerifier, testKey } from './helpers/pair-core.js';

vi.mock('../../crypto/src/family-nist.ts', () => {
  throw new Error('Failed to fetch dynamically imported module');
});

describe('a lazy provider that cannot load the module a signature needs', () => {
  it('the client verifying an ECDSA CertificateVerify fails with PROVIDER_LOAD_FAILED, not BAD_SIGNATURE', async () => {
    const provider = createNobleProvider();
    const key = testKey('P-256');
    // The server signs with node:crypto: only the client needs the missing module.
    const k = createPrivateKey({ key: Buffer.from(key.pkcs8), format: 'der', type: 'pkcs8' });
    const signer = { schemes: ['ecdsa_secp256r1_sha256' as const], sign: (_s: string, m: Uint8Array) => new Uint8Array(nodeSign('sha256', m, k)) };
    const c = new ClientConnection(clientConfig({ provider, now, verifier: stubVerifier(key), serverName: 'example.test', groups: ['x25519'] }));
    const s = new ServerConnection(serverConfig({ provider, now, certificates: [{ chain: key.chain, key: signer }], groups: ['x25519'] }));
    await exchange(c, s);
    expect([c.error?.code, c.error?.alert, c.error?.remote]).toEqual(['PROVIDER_LOAD_FAILED', 'internal_error', false]);
    expect(c.error?.message).toMatch(/P-256\/P-384\/P-521 could not be loaded/);
    expect([s.error?.alert, s.error?.remote]).toEqual(['internal_error', true]);
  });

  it('the server signing with an ECDSA key fails with PROVIDER_LOAD_FAILED', async () => {
    const provider = createNobleProvider();
    const key = testKey('P-256');
    const c = new ClientConnection(clientConfig({ provider, now, verifier: stubVerifier(key), serverName: 'example.test', groups: ['x25519'] }));
    const s = new ServerConnection(serverConfig({ provider, now, certificates: [{ chain: key.chain, key: key.pkcs8 }], groups: ['x25519'] }));
    await exchange(c, s);
    expect([s.error?.code, s.error?.alert, s.error?.remote]).toEqual(['PROVIDER_LOAD_FAILED', 'internal_error', false]);
    expect([c.error?.alert, c.error?.remote]).toEqual(['internal_error', true]);
  });

  it('provider.verify rejects with ALGORITHM_LOAD_FAILED instead of answering false', async () => {
    const provider = createNobleProvider();
    const r = Promise.resolve(provider.verify('ecdsa_secp256r1_sha256', { kind: 'ec', curve: 'P-256', point: new Uint8Array(65) }, new Uint8Array(1), new Uint8Array(64)));
    await expect(r).rejects.toMatchObject({ name: 'CryptoError', code: 'ALGORITHM_LOAD_FAILED' });
  });
});
