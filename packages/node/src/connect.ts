/**
 * `connect()`: a TLS client over a new TCP connection (`host`, `port`) or over an existing one
 * (`socket`, for STARTTLS), like node's `tls.connect`. Also usable as `createConnection` for
 * `https.request` and `https.Agent`, which call it with (options, callback).
 */
import { connect as netConnect } from 'node:net';
import type { ClientOptions } from './options.js';
import { TLSSocket } from './tls-socket.js';

export interface ConnectOptions extends ClientOptions {
  /** Ours: milliseconds to wait for the TCP connection and handshake (default: none). */
  readonly timeout?: number;
}

export function connect(options: ConnectOptions, callback?: () => void): TLSSocket;
export function connect(port: number, host?: string, options?: ConnectOptions, callback?: () => void): TLSSocket;
export function connect(
  a: ConnectOptions | number,
  b?: string | (() => void),
  c?: ConnectOptions,
  d?: () => void,
): TLSSocket {
  let options: ConnectOptions;
  let callback: (() => void) | undefined;
  if (typeof a === 'number') {
    options = { ...(c ?? {}), port: a, ...(typeof b === 'string' ? { host: b } : {}) };
    callback = typeof b === 'function' ? b : d;
  } else {
    if (a === null || typeof a !== 'object') throw new TypeError('options must be an object');
    options = a;
    callback = typeof b === 'function' ? b : undefined;
  }
  const host = options.host ?? 'localhost';
  let transport = options.socket;
  if (transport === undefined) {
    if (options.port === undefined) throw new TypeError('options.port is required without options.socket');
    const port = Number(options.port);
    if (!Number.isInteger(port) || port < 0 || port > 65535) throw new RangeError('options.port must be 0..65535');
    // Half-open: the TLSSocket ends the TCP connection itself, after its last records (see server.ts).
    transport = netConnect({ host, port, allowHalfOpen: true });
  }
  let socket: TLSSocket;
  try {
    socket = new TLSSocket(transport, { ...options, host, isServer: false });
  } catch (e) {
    // A bad option: do not leave the TCP connection we just opened behind.
    if (options.socket === undefined) transport.destroy();
    throw e;
  }
  if (options.timeout !== undefined) socket.setTimeout(options.timeout);
  if (callback !== undefined) socket.once('secureConnect', callback);
  return socket;
}
