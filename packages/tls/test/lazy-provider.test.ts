/**
 * The lazy noble provider (`@puretls/crypto/noble-lazy`) under the engine: a connection loads only the
 * curves and ciphers it negotiates, waiting in `Waiting:Provider` while they load — the client before
 * its first flight, after a HelloRetryRequest for the new group and after the ServerHello for the
 * suite's AEAD; the server after choosing suite and group. This file imports no eager provider (see
 * helpers/pair-core.ts), so the first test starts with nothing loaded; the tests run in order.
 */
import { describe, expect, it } from 'vitest';
import { CryptoError, type CryptoProvider } from '@puretls/crypto';
import { createNobleProvider, loadedFamilies } from '@puretls/crypto/noble-lazy';
import { ClientConnection, ServerConnection } from '../src/index.js';
import { doHandshake, exchange, infoOf, makeConfigsWith, testKey } from './helpers/pair-core.js';

const provider = createNobleProvider();

describe('lazy noble provider', () => {
  it('starts with no curve, RSA or ChaCha20 module loaded; synchronous use before prepare() is a typed error', () => {
    expect(loadedFamilies()).toEqual([]);
    const e = (() => {
      try {
        provider.group('x448');
      } catch (err) {
        return err;
      }
      return null;
    })();
    expect(e).toBeInstanceOf(CryptoError);
    expect((e as CryptoError).code).toBe('ALGORITHM_NOT_LOADED');
    expect(() => provider.aead('CHACHA20-POLY1305')).toThrow(/prepare/);
    // AES-GCM (every TLS 1.3 peer's suite, and ticket protection) is always there.
    expect(provider.aead('AES-128-GCM').keyLength).toBe(16);
    expect(provider.prepare?.({ aeads: ['AES-256-GCM'] })).toBeUndefined();
    expect(() => provider.prepare?.({ groups: ['x9' as 'x25519'] })).toThrow(RangeError);
    expect(() => provider.prepare?.({ aeads: 'AES-128-GCM' as unknown as [] })).toThrow(/needs\.aeads must be an array/);
    expect(() => provider.prepare?.({ signatures: ['ecdsa_sha1' as 'ed25519'] })).toThrow(RangeError);
    expect(loadedFamilies()).toEqual([]);
  });

  it('an X25519 + ECDSA P-256 + AES-128-GCM handshake loads X25519 and the NIST curves only', async () => {
    const { client, server } = makeConfigsWith(provider, {
      serverKey: testKey('P-256'),
      client: { groups: ['x25519', 'secp256r1'], keyShareGroups: ['x25519'], cipherSuites: ['TLS_AES_128_GCM_SHA256', 'TLS_CHACHA20_POLY1305_SHA256'] },
    });
    const c = new ClientConnection(client);
    expect(c.state).toBe('Waiting:Provider');
    expect(c.pull()).toBeNull(); // the ClientHello waits for X25519
    const s = new ServerConnection(server);
    const ev = await doHandshake(c, s);
    expect(infoOf(ev.client)).toMatchObject({ cipherSuite: 'TLS_AES_128_GCM_SHA256', group: 'x25519', signatureScheme: 'ecdsa_secp256r1_sha256' });
    expect(loadedFamilies().sort()).toEqual(['curve25519', 'nist']);
  });

  it('ChaCha20-Poly1305 is loaded when a connection negotiates it (server side waits after choosing it)', async () => {
    const { client, server } = makeConfigsWith(provider, {
      serverKey: testKey('P-256'),
      client: { cipherSuites: ['TLS_CHACHA20_POLY1305_SHA256'], groups: ['x25519'] },
    });
    const c = new ClientConnection(client);
    expect(c.state).toBe('ExpectServerHello'); // X25519 is loaded already: no wait
    const s = new ServerConnection(server);
    for (let b = c.pull(); b !== null; b = c.pull()) s.feed(b);
    expect(s.state).toBe('Waiting:Provider');
    const ev = await doHandshake(c, s);
    expect(infoOf(ev.server).cipherSuite).toBe('TLS_CHACHA20_POLY1305_SHA256');
    expect(loadedFamilies().sort()).toEqual(['chacha', 'curve25519', 'nist']);
  });

  it('a HelloRetryRequest for a group not loaded yet: the client loads it before its second ClientHello', async () => {
    const { client, server } = makeConfigsWith(provider, {
      serverKey: testKey('P-256'),
      client: { groups: ['x25519', 'x448'], keyShareGroups: ['x25519'] },
      server: { groups: ['x448'] },
    });
    const c = new ClientConnection(client);
    const s = new ServerConnection(server);
    for (let b = c.pull(); b !== null; b = c.pull()) s.feed(b);
    for (let b = s.pull(); b !== null; b = s.pull()) c.feed(b); // the HelloRetryRequest
    expect(c.state).toBe('Waiting:Provider');
    const ev = await doHandshake(c, s);
    expect(infoOf(ev.client)).toMatchObject({ group: 'x448', helloRetry: true });
    expect(loadedFamilies()).toContain('curve448');
    expect(loadedFamilies()).not.toContain('rsa');
  });

  it('signatures load their family on first use: an Ed448 server key and an RSA one', async () => {
    for (const [kind, family] of [['ed448', 'curve448'], ['rsa', 'rsa']] as const) {
      const { client, server } = makeConfigsWith(provider, { serverKey: testKey(kind) });
      const ev = await doHandshake(new ClientConnection(client), new ServerConnection(server));
      expect(infoOf(ev.client).resumed).toBe(false);
      expect(loadedFamilies()).toContain(family);
    }
    // Everything is in: connections run without waiting now.
    const { client, server } = makeConfigsWith(provider, { serverKey: testKey('rsa') });
    const c = new ClientConnection(client);
    expect(c.state).toBe('ExpectServerHello');
    const ev = await exchange(c, new ServerConnection(server));
    expect(ev.client.some((e) => e.type === 'handshake_complete')).toBe(true);
  });

  it('a provider whose prepare() always answers with a Promise: each side waits once per step, then completes', async () => {
    let calls = 0;
    const slow: CryptoProvider = {
      ...provider,
      prepare: () => {
        calls++;
        return new Promise((resolve) => setTimeout(resolve, 1));
      },
    };
    for (const hrr of [false, true]) {
      calls = 0;
      const { client, server } = makeConfigsWith(slow, {
        serverKey: testKey('P-256'),
        client: hrr ? { groups: ['x25519', 'secp384r1'], keyShareGroups: ['x25519'] } : {},
        server: hrr ? { groups: ['secp384r1'] } : {},
      });
      const c = new ClientConnection(client);
      expect(c.state).toBe('Waiting:Provider');
      const ev = await doHandshake(c, new ServerConnection(server));
      expect(infoOf(ev.client).helloRetry).toBe(hrr);
      // Client: first flight, ServerHello (and HelloRetryRequest); server: each ClientHello.
      expect(calls).toBe(hrr ? 5 : 3);
    }
  });

  it('a provider that fails to load fails the connection with PROVIDER_LOAD_FAILED, on either side', async () => {
    const failing: CryptoProvider = { ...provider, prepare: () => Promise.reject(new Error('chunk could not be fetched')) };
    const { client } = makeConfigsWith(failing, { serverKey: testKey('P-256') });
    const c = new ClientConnection(client);
    await c.pending;
    expect([c.state, c.error?.code, c.error?.alert]).toEqual(['Failed', 'PROVIDER_LOAD_FAILED', 'internal_error']);
    expect(c.error?.message).toMatch(/chunk could not be fetched/);
    // No ClientHello went out: nothing at all, not an alert as the first bytes a server sees.
    expect(c.pull()).toBeNull();

    const ok = makeConfigsWith(provider, { serverKey: testKey('P-256') });
    const bad = makeConfigsWith(failing, { serverKey: testKey('P-256') });
    const c2 = new ClientConnection(ok.client);
    const s = new ServerConnection(bad.server);
    await exchange(c2, s);
    expect([s.error?.code, c2.error?.code, c2.error?.alert]).toEqual(['PROVIDER_LOAD_FAILED', 'PEER_ALERT', 'internal_error']);
  });

  it('close() while the first flight waits: the ClientHello goes out, the handshake completes, then close_notify (as without the wait)', async () => {
    const slow: CryptoProvider = { ...provider, prepare: () => new Promise((resolve) => setTimeout(resolve, 1)) };
    const { client, server } = makeConfigsWith(slow, { serverKey: testKey('P-256') });
    const c = new ClientConnection(client);
    c.close();
    expect(c.pull()).toBeNull();
    // Writing is over at close(), as without the wait (the data could never be sent).
    expect(() => c.write(new Uint8Array([1, 2, 3]))).toThrow('write after close()');
    c.close(); // a second close() changes nothing
    await c.pending;
    const records: number[] = [];
    const s = new ServerConnection(server);
    for (let b = c.pull(); b !== null; b = c.pull()) {
      records.push(b[0] as number);
      s.feed(b);
    }
    expect(records[0]).toBe(22); // handshake: the ClientHello first
    const ev = await exchange(c, s);
    expect(ev.server.map((e) => e.type)).toContain('peer_closed');
    expect(s.error).toBeNull();
  });
});
