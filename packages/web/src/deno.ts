/**
 * Deno: `connect({ hostname, port, ... })` opens a TCP connection with `Deno.connect` and starts TLS
 * over its streams. The types below are the part of Deno's API used here, so this module compiles
 * without Deno's type definitions and fails with a clear error elsewhere.
 */
import { startTls, type StartTlsOptions } from './start.js';
import type { TlsStream } from './tls-stream.js';

interface DenoConn {
  readonly readable: ReadableStream<Uint8Array>;
  readonly writable: WritableStream<Uint8Array>;
  close(): void;
}
interface DenoNamespace {
  connect(options: { hostname: string; port: number; transport?: 'tcp' }): Promise<DenoConn>;
}

export interface DenoConnectOptions extends StartTlsOptions {
  readonly hostname: string;
  readonly port: number;
}

/** Connects and completes the handshake; rejects if it fails. */
export async function connect(options: DenoConnectOptions): Promise<TlsStream> {
  if (options === null || typeof options !== 'object') throw new TypeError('options must be an object');
  if (typeof options.hostname !== 'string' || options.hostname === '') throw new TypeError('options.hostname must be a non-empty string');
  if (!Number.isInteger(options.port) || options.port < 1 || options.port > 65535) throw new RangeError('options.port must be 1..65535');
  const deno = (globalThis as { Deno?: DenoNamespace }).Deno;
  if (deno === undefined || typeof deno.connect !== 'function') throw new Error('connect() of @puretls/web/deno needs Deno (Deno.connect)');
  const conn = await deno.connect({ hostname: options.hostname, port: options.port, transport: 'tcp' });
  const serverName = options.serverName ?? (/^[0-9.]+$|:/.test(options.hostname) ? undefined : options.hostname);
  let tls: TlsStream;
  try {
    tls = startTls(conn, { ...options, ...(serverName !== undefined ? { serverName } : {}) });
  } catch (e) {
    // Bad options: nobody else holds the connection, do not leak it.
    closeQuietly(conn);
    throw e;
  }
  try {
    await tls.handshake;
  } catch (e) {
    // The binding aborted the streams; make sure the resource is gone too.
    await tls.closed;
    closeQuietly(conn);
    throw e;
  }
  return tls;
}

function closeQuietly(conn: DenoConn): void {
  try {
    conn.close();
  } catch {
    // already closed (Deno.errors.BadResource)
  }
}
