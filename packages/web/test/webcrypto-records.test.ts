/**
 * AES-GCM application data on Web Crypto through @puretls/web (Node's crypto.subtle here; the runtime
 * checks do the same in Deno, Bun and Chromium): with the Web Crypto provider on both ends AES-GCM is
 * chosen, 1 MiB goes each way intact across KeyUpdates in both directions, and every application data
 * record was sealed and opened by crypto.subtle (counted), the handshake's own records by noble.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { createWebCryptoProvider, platformSubtle } from '@puretls/crypto/webcrypto';
import { acceptTls, memoryPipe, startTls, webClientConfig, webServerConfig } from '../src/index.js';
import { makeTestPki, type TestPki } from '../../../test/runtimes/certs.mjs';

let pki: TestPki;
beforeAll(() => {
  pki = makeTestPki();
});

const subtle = platformSubtle() as SubtleCrypto;

function counting(): { subtle: SubtleCrypto; counts: { encrypt: number; decrypt: number } } {
  const counts = { encrypt: 0, decrypt: 0 };
  const s = {
    importKey: subtle.importKey.bind(subtle),
    sign: subtle.sign.bind(subtle),
    verify: subtle.verify.bind(subtle),
    encrypt: (...a: Parameters<SubtleCrypto['encrypt']>) => {
      counts.encrypt++;
      return subtle.encrypt(...a);
    },
    decrypt: (...a: Parameters<SubtleCrypto['decrypt']>) => {
      counts.decrypt++;
      return subtle.decrypt(...a);
    },
  };
  return { subtle: s as unknown as SubtleCrypto, counts };
}

async function readAll(r: ReadableStream<Uint8Array>): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  for (const reader = r.getReader(); ; ) {
    const { value, done } = await reader.read();
    if (done) break;
    parts.push(value);
  }
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

describe('AES-GCM records on Web Crypto through @puretls/web', () => {
  it('1 MiB each way with KeyUpdates, every application data record through crypto.subtle', async () => {
    const [a, b] = memoryPipe();
    const cs = counting();
    const ss = counting();
    const server = acceptTls(b, {
      config: webServerConfig({ provider: createWebCryptoProvider({ subtle: ss.subtle }), certificates: [{ chain: pki.ecdsa.certPem + pki.intermediatePem, key: pki.ecdsa.keyPem }] }),
    });
    const client = startTls(a, { config: webClientConfig({ provider: createWebCryptoProvider({ subtle: cs.subtle }), trustAnchors: pki.caPem, serverName: 'localhost' }) });
    const [info] = await Promise.all([client.handshake, server.handshake]);
    expect(info.cipherSuite).toBe('TLS_AES_128_GCM_SHA256');
    const up = Uint8Array.from({ length: 1 << 20 }, (_, i) => (i * 7 + 1) & 0xff);
    const down = Uint8Array.from({ length: 1 << 20 }, (_, i) => (i * 13 + 5) & 0xff);
    const write = async (w: WritableStream<Uint8Array>, data: Uint8Array, update: () => void) => {
      const writer = w.getWriter();
      for (let at = 0; at < data.length; at += 40_000) {
        await writer.write(data.subarray(at, at + 40_000));
        if (at === 400_000) update();
      }
      await writer.close();
    };
    const [, , atServer, atClient] = await Promise.all([
      write(client.writable, up, () => client.connection.keyUpdate(true)),
      write(server.writable, down, () => server.connection.keyUpdate(true)),
      readAll(server.readable),
      readAll(client.readable),
    ]);
    expect(atServer).toEqual(up);
    expect(atClient).toEqual(down);
    // 1 MiB is 64 full records; each side sealed and opened at least that many on Web Crypto.
    for (const c of [cs.counts, ss.counts]) {
      expect(c.encrypt).toBeGreaterThanOrEqual(64);
      expect(c.decrypt).toBeGreaterThanOrEqual(64);
    }
    await Promise.all([client.closed, server.closed]);
  });

  it('asyncRecords: false keeps AES-GCM on noble, and ChaCha20 first', async () => {
    const p = createWebCryptoProvider({ asyncRecords: false });
    const cfg = webClientConfig({ provider: p, trustAnchors: pki.caPem, serverName: 'localhost' });
    expect(cfg.cipherSuites[0]).toBe('TLS_CHACHA20_POLY1305_SHA256');
    expect(p.aead('AES-128-GCM').create(new Uint8Array(16)).sealAsync).toBeUndefined();
    expect(() => createWebCryptoProvider({ asyncRecords: 'yes' as unknown as boolean })).toThrow(TypeError);
  });
});
