/**
 * Node's own HTTP client over puretls: `createConnection` for `https.request({ createConnection })`
 * and an `Agent` (an `https.Agent` whose connections are puretls), so `https.request`, `https.get`
 * and libraries built on them run unchanged.
 */
import type { ClientRequestArgs } from 'node:http';
import * as https from 'node:https';
import type { Duplex } from 'node:stream';
import { connect, type ConnectOptions } from './connect.js';
import type { TLSSocket } from './tls-socket.js';

/** Node's request options (which carry any TLS options the caller gave) or ours. */
type RequestLike = ClientRequestArgs | Partial<ConnectOptions>;

function toConnectOptions(req: RequestLike, defaults: Partial<ConnectOptions>): ConnectOptions {
  const o = req as ClientRequestArgs;
  const host = o.host ?? o.hostname ?? 'localhost';
  const port = o.port === undefined || o.port === null ? 443 : Number(o.port);
  const merged = { ...defaults, ...o } as ClientRequestArgs;
  // Request-only fields (path, headers, method, timeout) are not TLS options; `socketPath` is the
  // connection's path (a Unix socket), as node's https passes it to tls.connect.
  const { path: _path, headers: _headers, method: _method, timeout: _timeout, agent: _agent, createConnection: _cc, socketPath, ...rest } = merged;
  return { ...(rest as ConnectOptions), host, port, ...(typeof socketPath === 'string' && socketPath !== '' ? { path: socketPath } : {}) };
}

/** `https.request({ createConnection })`: node calls it with its request options. */
export function createConnection(options: RequestLike, oncreate?: (err: Error | null, socket: Duplex) => void): TLSSocket {
  void oncreate; // the socket is returned synchronously; node uses the return value
  return connect(toConnectOptions(options, {}));
}

/** An https.Agent (pooling, keep-alive) whose connections are puretls; `tls` adds TLS options to each. */
export class Agent extends https.Agent {
  readonly #tls: Partial<ConnectOptions>;

  constructor(options: https.AgentOptions & { readonly tls?: Partial<ConnectOptions> } = {}) {
    super(options);
    this.#tls = options.tls ?? {};
  }

  override createConnection(options: https.RequestOptions, callback?: (err: Error | null, stream: Duplex) => void): Duplex {
    void callback;
    return connect(toConnectOptions(options, this.#tls));
  }
}
