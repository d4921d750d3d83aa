/** Small promises over sockets and servers for the interop tests. */
import { createHash, randomBytes } from 'node:crypto';
import type { Server as NetServer } from 'node:net';
import type { Readable } from 'node:stream';
import type { TLSSocket } from '../../src/index.js';

export function listen(server: NetServer): Promise<number> {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as { port: number }).port)));
}

export function closeServer(server: NetServer): Promise<void> {
  return new Promise((resolve) => server.close(() => resolve()));
}

/** Resolves at `secureConnect`, rejects on an error first. */
export function secure(socket: TLSSocket): Promise<TLSSocket> {
  return new Promise((resolve, reject) => {
    socket.once('secureConnect', () => resolve(socket));
    socket.once('error', reject);
  });
}

/** The first error the socket emits. */
export function failure(socket: { once(e: 'error', f: (e: Error) => void): unknown; once(e: 'secureConnect', f: () => void): unknown }): Promise<Error> {
  return new Promise((resolve, reject) => {
    socket.once('error', resolve);
    socket.once('secureConnect', () => reject(new Error('handshake unexpectedly succeeded')));
  });
}

/** Everything until 'end'. */
export function readAll(stream: Readable): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    stream.on('data', (d: Buffer) => parts.push(d));
    stream.once('end', () => resolve(Buffer.concat(parts)));
    stream.once('error', reject);
  });
}

/** Resolves with the accumulated text once it contains `needle`. */
export function readUntil(stream: Readable, needle: string, ms = 15_000): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    const timer = setTimeout(() => {
      stream.off('data', onData);
      reject(new Error(`timed out waiting for ${JSON.stringify(needle)}; got ${JSON.stringify(text.slice(-200))}`));
    }, ms);
    const onData = (d: Buffer): void => {
      text += d.toString('latin1');
      if (text.includes(needle)) {
        clearTimeout(timer);
        stream.off('data', onData);
        resolve(text);
      }
    };
    stream.on('data', onData);
  });
}

/** `n` random ASCII digits: safe to pipe through openssl's interactive stdin (no command letters). */
export function digits(n: number): Buffer {
  const r = randomBytes(n);
  for (let i = 0; i < n; i++) r[i] = 0x30 + ((r[i] as number) % 10);
  return r;
}

export const sha256 = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');

export function reversed(line: string): string {
  return [...line].reverse().join('');
}
