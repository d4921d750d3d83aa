/**
 * `connect()`: a TLS client over a new TCP connection (`host`, `port`, and node's `net.connect`
 * options), a Unix socket or named pipe (`path`), or over an existing connection (`socket`, for
 * STARTTLS), like node's `tls.connect`. Also usable as `createConnection` for `https.request` and
 * `https.Agent`, which call it with (options, callback).
 */
import { connect as netConnect, type LookupFunction, type NetConnectOpts } from 'node:net';
import type { ClientOptions } from './options.js';
import { TLSSocket } from './tls-socket.js';

/** The `net.connect` options node:tls passes on to the connection it opens. */
export interface NetOptions {
  /** A Unix socket or Windows named pipe to connect to instead of `host` and `port`. */
  readonly path?: string;
  readonly localAddress?: string;
  readonly localPort?: number;
  readonly family?: number;
  readonly hints?: number;
  readonly lookup?: LookupFunction;
  readonly autoSelectFamily?: boolean;
  readonly autoSelectFamilyAttemptTimeout?: number;
  readonly noDelay?: boolean;
  readonly keepAlive?: boolean;
  readonly keepAliveInitialDelay?: number;
}

const NET_OPTIONS = [
  'localAddress',
  'localPort',
  'family',
  'hints',
  'lookup',
  'autoSelectFamily',
  'autoSelectFamilyAttemptTimeout',
  'noDelay',
  'keepAlive',
  'keepAliveInitialDelay',
] as const satisfies readonly (keyof NetOptions)[];

export interface ConnectOptions extends ClientOptions, NetOptions {
  /** Milliseconds of inactivity before `'timeout'` (`socket.setTimeout`), as node:tls. */
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
    const net: Record<string, unknown> = {};
    for (const k of NET_OPTIONS) if (options[k] !== undefined) net[k] = options[k];
    let where: { path: string } | { host: string; port: number };
    if (options.path !== undefined) {
      if (typeof options.path !== 'string' || options.path === '') throw new TypeError('options.path must be a non-empty string');
      where = { path: options.path };
    } else {
      if (options.port === undefined) throw new TypeError('options.port is required without options.socket or options.path');
      const port = Number(options.port);
      if (!Number.isInteger(port) || port < 0 || port > 65535) throw new RangeError('options.port must be 0..65535');
      where = { host, port };
    }
    // Half-open: the TLSSocket ends the TCP connection itself, after its last records (see server.ts).
    // net.connect checks the options it knows (a bad localAddress, lookup, ...) and throws as for node:tls.
    transport = netConnect({ ...net, ...where, allowHalfOpen: true } as NetConnectOpts);
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
