/**
 * Which provider the binding uses: node:crypto by default where the runtime has it (issue 9), either
 * one on request (`provider: 'node' | 'noble'` or a provider object), and the same provider for
 * everything a connection does, certificate chain checks included.
 */
import { afterAll, describe, expect, it } from 'vitest';
import type { CryptoProvider } from '@puretls/crypto';
import { createNobleProvider } from '@puretls/crypto/noble';
import { connect, createServer, generateCertificate, type Server, type TLSSocket } from '../src/index.js';
import { createNodeProvider } from '../src/provider/index.js';
import { commonConfig, resolveProvider } from '../src/options.js';
import { closeServer, listen, secure } from './helpers/sockets.js';

const ca = generateCertificate({ commonName: 'provider test CA', isCA: true, keyType: 'ec-p256' });
const leaf = generateCertificate({ commonName: 'localhost', keyType: 'ec-p256', issuer: ca, altNames: ['localhost'] });
const servers: Server[] = [];
afterAll(async () => {
  for (const s of servers) await closeServer(s);
});

/** `inner` with its signature checks counted. */
function counting(inner: CryptoProvider): { provider: CryptoProvider; verifies: () => number } {
  let n = 0;
  const provider: CryptoProvider = {
    ...inner,
    verify: (algorithm, key, message, signature) => {
      n++;
      return inner.verify(algorithm, key, message, signature);
    },
  };
  return { provider, verifies: () => n };
}

async function handshake(clientProvider: CryptoProvider | 'node' | 'noble' | undefined): Promise<TLSSocket> {
  const server = createServer({ cert: leaf.cert, key: leaf.key }, (s) => s.on('error', () => {}));
  servers.push(server);
  const port = await listen(server);
  const socket = connect({ host: '127.0.0.1', port, servername: 'localhost', ca: ca.cert, ...(clientProvider === undefined ? {} : { provider: clientProvider }) });
  await secure(socket);
  return socket;
}

describe('provider selection', () => {
  it('defaults to node:crypto in Node (unless PURETLS_PROVIDER says otherwise)', () => {
    const env = process.env['PURETLS_PROVIDER'];
    const expected = env === 'noble' ? 'noble' : 'node:crypto';
    expect(resolveProvider(undefined).name).toBe(expected);
    expect(commonConfig({}).provider).toBe(resolveProvider(undefined)); // one shared instance
  });

  it("forces either with 'node' / 'noble', passes a provider object through, refuses anything else", () => {
    expect(resolveProvider('node').name).toBe('node:crypto');
    expect(resolveProvider('noble').name).toBe('noble');
    expect(resolveProvider('noble')).toBe(resolveProvider('noble'));
    const own = createNobleProvider();
    expect(resolveProvider(own)).toBe(own);
    expect(() => resolveProvider('openssl' as 'node')).toThrow(RangeError);
    expect(() => resolveProvider('openssl' as 'node')).toThrow(/options\.provider/);
  });

  it('a connection with the default, or with either forced, completes and verifies the server', async () => {
    for (const p of [undefined, 'node', 'noble'] as const) {
      const s = await handshake(p);
      expect(s.authorized).toBe(true);
      s.destroy();
    }
  });

  it('checks the certificate chain with the connection’s provider (not a fixed pure one)', async () => {
    // Two signature checks on the client: the CA's over the leaf, and the leaf's CertificateVerify.
    for (const inner of [createNodeProvider(), createNobleProvider()]) {
      const { provider, verifies } = counting(inner);
      const s = await handshake(provider);
      expect(s.authorized).toBe(true);
      expect(verifies()).toBe(2);
      s.destroy();
    }
  });
});

describe('a provider whose AES-GCM records are asynchronous (Web Crypto) through the Node binding', () => {
  it('echoes 1 MiB both ways and ends after the last record, against node:crypto on the other end', async () => {
    const { createWebCryptoProvider } = await import('@puretls/crypto/webcrypto');
    const web = createWebCryptoProvider();
    // The server echoes with the Web Crypto provider; the client is on node:crypto.
    const server = createServer({ cert: leaf.cert, key: leaf.key, provider: web, cipherSuites: ['TLS_AES_128_GCM_SHA256'] }, (s) => {
      s.on('error', () => {});
      s.pipe(s);
    });
    servers.push(server);
    const port = await listen(server);
    const c = connect({ host: '127.0.0.1', port, servername: 'localhost', ca: ca.cert, provider: 'node' });
    await secure(c);
    expect(c.getCipher()?.standardName).toBe('TLS_AES_128_GCM_SHA256');
    const data = Buffer.from(Uint8Array.from({ length: 1 << 20 }, (_, i) => (i * 31) & 0xff));
    const chunks: Buffer[] = [];
    const ended = new Promise<void>((resolve, reject) => {
      c.on('data', (d: Buffer) => chunks.push(d));
      c.on('end', () => resolve());
      c.on('error', reject);
    });
    c.end(data);
    await ended;
    const got = Buffer.concat(chunks);
    expect(got.length).toBe(data.length);
    expect(got.equals(data)).toBe(true);
    c.destroy();
  });
});
