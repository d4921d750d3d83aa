/**
 * Closing, as node:tls does it, now that the TCP connection under a TLSSocket is half-open by
 * construction (the TLSSocket ends it after its last records): `allowHalfOpen` (default false) is the
 * TLSSocket's. Without it, the peer's close_notify or FIN ends our side too — also when the
 * application never reads; with it, the server writes on after the client's end; a FIN without
 * close_notify ends the readable side without an error.
 */
import { connect as netConnect, type Socket } from 'node:net';
import * as tls from 'node:tls';
import { afterAll, describe, expect, it } from 'vitest';
import { connect, createServer, type Server, type TLSSocket } from '../src/index.js';
import { makePki } from './helpers/pki.js';
import { closeServer, listen, readAll, secure } from './helpers/sockets.js';

const pki = makePki();
const p256 = pki.servers.get('ec-p256')!;
const servers: Server[] = [];
afterAll(async () => {
  for (const s of servers) await closeServer(s);
  pki.cleanup();
});

async function serve(options: Record<string, unknown>, handler: (s: TLSSocket) => void): Promise<number> {
  const server = createServer({ cert: p256.cert, key: p256.key, ...options }, handler);
  servers.push(server);
  return listen(server);
}

const closed = (s: { once(e: 'close', f: () => void): unknown }): Promise<void> => new Promise((r) => s.once('close', () => r()));

describe('half-close and allowHalfOpen', () => {
  it('default: the client ends, a server that never reads ends too and both sockets close', async () => {
    let serverSocket: TLSSocket | undefined;
    const port = await serve({}, (s) => {
      serverSocket = s;
      s.on('error', () => {});
    });
    const c = await secure(connect({ host: '127.0.0.1', port, servername: 'localhost', ca: pki.ca.cert }));
    const clientDone = Promise.all([readAll(c), closed(c)]);
    c.end();
    const [data] = await clientDone;
    expect(data.length).toBe(0);
    expect(serverSocket).toBeDefined();
    if (serverSocket !== undefined && !serverSocket.destroyed) await closed(serverSocket);
    expect(serverSocket?.destroyed).toBe(true);
  });

  it('allowHalfOpen: the server reads to the end, then still writes, then ends', async () => {
    const port = await serve({ allowHalfOpen: true }, (s) => {
      s.on('error', () => {});
      void readAll(s).then((got) => {
        s.write(`got ${got.length}, `);
        setTimeout(() => s.end('late reply'), 20);
      });
    });
    const c = await secure(connect({ host: '127.0.0.1', port, servername: 'localhost', ca: pki.ca.cert }));
    const reply = readAll(c);
    c.end('x'.repeat(100_000));
    expect((await reply).toString()).toBe('got 100000, late reply');
  });

  it('node:tls as the client, allowHalfOpen on our server: the same', async () => {
    const port = await serve({ allowHalfOpen: true }, (s) => {
      s.on('error', () => {});
      void readAll(s).then((got) => s.end(`got ${got.length}`));
    });
    const c = tls.connect({ host: '127.0.0.1', port, servername: 'localhost', ca: pki.ca.cert });
    await new Promise<void>((resolve, reject) => {
      c.once('secureConnect', () => resolve());
      c.once('error', reject);
    });
    const reply = readAll(c);
    c.end('y'.repeat(5000));
    expect((await reply).toString()).toBe('got 5000');
  });

  it('a FIN without close_notify ends the readable side without an error (as node:tls)', async () => {
    const errors: Error[] = [];
    const ended = new Promise<Buffer>((resolve) => {
      void serve({}, (s) => {
        s.on('error', (e: Error) => errors.push(e));
        void readAll(s).then(resolve);
      }).then((port) => {
        // A TLS client whose TCP connection we end under it, after the handshake.
        const raw: Socket = netConnect({ host: '127.0.0.1', port });
        const c = connect({ socket: raw, servername: 'localhost', ca: pki.ca.cert });
        c.on('error', () => {});
        c.once('secureConnect', () => {
          c.write('before the FIN');
          setTimeout(() => raw.end(), 50);
        });
      });
    });
    expect((await ended).toString()).toBe('before the FIN');
    expect(errors).toEqual([]);
  });
});
