import { beforeAll, describe, expect, it } from 'vitest';
import { TlsError } from '@puretls/tls';
import { acceptTls, memoryPipe, startTls, TransportClosedError, webClientConfig, webServerConfig, type TlsStream, type TlsTransport } from '../src/index.js';
import { makeTestPki, type TestPki } from '../../../test/runtimes/certs.mjs';

let pki: TestPki;
beforeAll(() => {
  pki = makeTestPki();
});

function pattern(n: number, seed: number): Uint8Array {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = (i * 31 + seed) & 0xff;
  return out;
}

async function readAll(r: ReadableStream<Uint8Array>): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  let n = 0;
  for (const reader = r.getReader(); ; ) {
    const { value, done } = await reader.read();
    if (done) break;
    parts.push(value);
    n += value.length;
  }
  const out = new Uint8Array(n);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

function pair(kind: 'ecdsa' | 'rsa', caPem = pki.caPem, pipe = memoryPipe()): { client: TlsStream; server: TlsStream } {
  const [a, b] = pipe;
  const leaf = pki[kind];
  const server = acceptTls(b, { config: webServerConfig({ certificates: [{ chain: leaf.certPem + pki.intermediatePem, key: leaf.keyPem }] }) });
  const client = startTls(a, { config: webClientConfig({ trustAnchors: caPem, serverName: 'localhost' }) });
  return { client, server };
}

async function writeAll(w: WritableStream<Uint8Array>, data: Uint8Array, chunk: number): Promise<void> {
  const writer = w.getWriter();
  for (let i = 0; i < data.length; i += chunk) await writer.write(data.subarray(i, i + chunk));
  await writer.close();
}

describe('startTls / acceptTls over an in-memory pipe', () => {
  for (const [kind, scheme] of [['ecdsa', /^ecdsa_secp256r1_sha256$/], ['rsa', /^rsa_pss_rsae_sha(256|384|512)$/]] as const) {
    it(`completes a verified handshake with an ${kind} certificate and moves 64 KiB each way, then closes cleanly`, async () => {
      const { client, server } = pair(kind);
      const [ci, si] = await Promise.all([client.handshake, server.handshake]);
      expect(ci.version).toBe('TLSv1.3');
      expect(ci.signatureScheme).toMatch(scheme);
      expect(ci.peerCertificates.length).toBe(2);
      expect(si.serverName).toBe('localhost');
      const up = pattern(65536, 1);
      const down = pattern(65536, 2);
      const [, , atServer, atClient] = await Promise.all([
        writeAll(client.writable, up, 5000),
        writeAll(server.writable, down, 16384),
        readAll(server.readable),
        readAll(client.readable),
      ]);
      expect(atServer).toEqual(up);
      expect(atClient).toEqual(down);
      await Promise.all([client.closed, server.closed]);
      expect(client.connection.state).toBe('Closed');
      expect(server.connection.state).toBe('Closed');
    });
  }

  it('does not stall when both sides write 1 MiB at once over a small pipe', async () => {
    const { client, server } = pair('ecdsa', pki.caPem, memoryPipe(1024));
    const up = pattern(1 << 20, 3);
    const down = pattern(1 << 20, 4);
    const [, , atServer, atClient] = await Promise.all([
      writeAll(client.writable, up, 65536),
      writeAll(server.writable, down, 65536),
      readAll(server.readable),
      readAll(client.readable),
    ]);
    // Compared with Buffer.compare: a deep toEqual over 1 MiB typed arrays takes seconds.
    expect(Buffer.compare(atServer, up)).toBe(0);
    expect(Buffer.compare(atClient, down)).toBe(0);
  });

  it('stops reading the transport while the plaintext reader is slow, and delivers everything when it reads', async () => {
    const { client, server } = pair('ecdsa', pki.caPem, memoryPipe(4096));
    await Promise.all([client.handshake, server.handshake]);
    const writer = server.writable.getWriter();
    let accepted = 0;
    const total = 1 << 20;
    const writing = (async () => {
      for (let i = 0; i < total; i += 8192) {
        await writer.write(pattern(8192, i));
        accepted += 8192;
      }
      await writer.close();
    })();
    for (let i = 0; i < 50; i++) await new Promise((r) => setTimeout(r, 2));
    // Nobody reads the client: the client's 64 KiB queue, the pipe and one record in flight bound what was accepted.
    expect(accepted).toBeLessThan(256 * 1024);
    const got = await readAll(client.readable);
    await writing;
    expect(got.length).toBe(total);
    expect(got.subarray(8192, 16384)).toEqual(pattern(8192, 8192));
  });

  it('rejects the handshake on both sides when the server chain does not lead to the trust anchor', async () => {
    const other = makeTestPki();
    const { client, server } = pair('ecdsa', other.caPem);
    const err = await client.handshake.then(() => null, (e: unknown) => e);
    expect(err).toBeInstanceOf(TlsError);
    expect((err as TlsError).remote).toBe(false);
    expect(typeof (err as TlsError).code).toBe('string');
    const serr = await server.handshake.then(() => null, (e: unknown) => e);
    expect(serr).toBeInstanceOf(TlsError);
    expect((serr as TlsError).code).toBe('PEER_ALERT');
    expect((serr as TlsError).alert).toBe((err as TlsError).alert);
    await expect(client.readable.getReader().read()).rejects.toBe(err);
    await Promise.all([client.closed, server.closed]);
  });

  it('reports a transport that ends without close_notify as UNEXPECTED_EOF, not as a clean end', async () => {
    const [a, b] = memoryPipe();
    const server = acceptTls(b, { config: webServerConfig({ certificates: [{ chain: pki.ecdsa.certPem + pki.intermediatePem, key: pki.ecdsa.keyPem }] }) });
    // Cut the server→client direction under the client after the handshake.
    let cut!: () => void;
    const cutReadable = new ReadableStream<Uint8Array>({
      async start(c) {
        const r = a.readable.getReader();
        let stop = false;
        cut = () => {
          stop = true;
          c.close();
        };
        for (;;) {
          const { value, done } = await r.read();
          if (done || stop) break;
          c.enqueue(value);
        }
      },
    });
    const transport: TlsTransport = { readable: cutReadable, writable: a.writable };
    const client = startTls(transport, { config: webClientConfig({ trustAnchors: pki.caPem, serverName: 'localhost' }) });
    await Promise.all([client.handshake, server.handshake]);
    cut();
    const e = await client.readable.getReader().read().then(() => null, (x: unknown) => x);
    expect(e).toBeInstanceOf(TransportClosedError);
    expect((e as TransportClosedError).code).toBe('UNEXPECTED_EOF');
  });

  it('close() sends close_notify and releases the transport at once', async () => {
    const { client, server } = pair('ecdsa');
    await Promise.all([client.handshake, server.handshake]);
    await client.close();
    await client.closed;
    // The server sees a clean end of data (close_notify), then closes its side.
    expect((await readAll(server.readable)).length).toBe(0);
    await server.close();
    await server.closed;
  });

  it('refuses a transport that is not a pair of Web Streams, naming the argument', () => {
    const config = webClientConfig({ trustAnchors: pki.caPem, serverName: 'localhost' });
    expect(() => startTls({} as TlsTransport, { config })).toThrow(TypeError);
    expect(() => startTls({} as TlsTransport, { config })).toThrow(/transport/);
    expect(() => webClientConfig({ trustAnchors: 42 as unknown as string })).toThrow(/options\.trustAnchors/);
    expect(() => memoryPipe(-1)).toThrow(RangeError);
  });
});
