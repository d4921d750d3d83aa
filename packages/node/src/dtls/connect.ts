/**
 * `dtls.connect({ host, port, config, session? })`: a DTLS 1.3 client on its own connected UDP socket.
 * The socket emits `session` with each ticket the server sends (a `ClientTicket`, storable with
 * `encodeSession()` of @puretls/tls or @puretls/node); pass it back as `session` to resume.
 */
import { createSocket, type Socket } from 'node:dgram';
import { isIPv6 } from 'node:net';
import { DtlsClientConnection, type DtlsClientConfig } from '@puretls/dtls';
import type { ClientTicket } from '@puretls/tls';
import { DtlsSocket } from './socket.js';

export interface DtlsConnectOptions {
  readonly host: string;
  readonly port: number;
  /** From `dtlsClientConfig()` (provider, verifier, suites, MTU, CIDs ...). */
  readonly config: DtlsClientConfig;
  /** Overrides the config's server name. */
  readonly serverName?: string;
  /** A ticket from an earlier connection's `session` event to resume (PSK with (EC)DHE, no 0-RTT). */
  readonly session?: ClientTicket;
}

export interface DtlsClientSocket extends DtlsSocket {
  readonly udp: Socket;
}

export function connect(options: DtlsConnectOptions, onSecure?: () => void): DtlsClientSocket {
  if (options === null || typeof options !== 'object') throw new TypeError('options must be an object');
  if (typeof options.host !== 'string') throw new TypeError('options.host must be a string');
  if (!Number.isInteger(options.port) || options.port <= 0 || options.port > 65535) throw new RangeError('options.port must be 1..65535');
  if (options.session !== undefined && (options.session === null || typeof options.session !== 'object')) throw new TypeError('options.session must be a ClientTicket');
  const udp = createSocket(isIPv6(options.host) ? 'udp6' : 'udp4');
  const conn = new DtlsClientConnection(options.config, {
    now: Date.now(),
    ...(options.serverName === undefined ? {} : { serverName: options.serverName }),
    ...(options.session === undefined ? {} : { session: options.session }),
  });
  let connected = false;
  const queued: Uint8Array[] = [];
  const sock = new DtlsSocket(conn, (d) => {
    if (!connected) queued.push(d);
    else udp.send(d);
  }, { address: options.host, port: options.port }) as DtlsClientSocket;
  Object.defineProperty(sock, 'udp', { value: udp });
  if (onSecure !== undefined) sock.once('secureConnect', onSecure);
  udp.on('message', (msg) => sock.receive(new Uint8Array(msg.buffer, msg.byteOffset, msg.length)));
  udp.on('error', (e) => sock.emit('error', e));
  sock.once('close', () => {
    try {
      udp.close();
    } catch {
      // already closed
    }
  });
  udp.connect(options.port, options.host, () => {
    connected = true;
    const a = udp.remoteAddress();
    sock.remoteAddress = a.address;
    for (const d of queued.splice(0)) udp.send(d);
  });
  sock.pump();
  return sock;
}
