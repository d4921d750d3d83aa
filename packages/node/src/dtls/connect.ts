/**
 * `dtls.connect({ host, port, config, session?, earlyData? })`: a DTLS 1.3 client on its own
 * connected UDP socket. The socket emits `session` with each ticket the server sends (a
 * `ClientTicket`, storable with `encodeSession()` of @puretls/tls or @puretls/node); pass it back as
 * `session` to resume, with `earlyData` to send 0-RTT datagrams when its ticket allows them.
 */
import { createSocket, type Socket } from 'node:dgram';
import { isIPv6 } from 'node:net';
import { DtlsClientConnection, type DtlsClientConfig } from '@puretls/dtls';
import type { ClientTicket } from '@puretls/tls';
import { DtlsSocket, timeoutOption, transportError } from './socket.js';

export interface DtlsConnectOptions {
  readonly host: string;
  readonly port: number;
  /** From `dtlsClientConfig()` (provider, verifier, suites, MTU, CIDs ...). */
  readonly config: DtlsClientConfig;
  /** Overrides the config's server name. */
  readonly serverName?: string;
  /** A ticket from an earlier connection's `session` event to resume (PSK with (EC)DHE). */
  readonly session?: ClientTicket;
  /**
   * Datagrams to send as 0-RTT with the resumption (RFC 9147 §6.1: epoch 1, right after the
   * ClientHello; each element one datagram). Sent after the handshake instead when `session` does not
   * allow that much early data, and again after it when the server refuses them (`earlyDataAccepted`
   * says which). Accepted 0-RTT may be replayed by an attacker (RFC 8446 §8) and, like any datagram,
   * lost.
   */
  readonly earlyData?: Uint8Array | readonly Uint8Array[];
  /**
   * Milliseconds the handshake may take (default 120000, as node:tls servers); then the socket fails
   * with `HANDSHAKE_TIMEOUT`. 0: no limit beyond the engine's retransmissions (a server that
   * acknowledges our flight and never answers would then hold the socket forever).
   */
  readonly handshakeTimeout?: number;
}

export interface DtlsClientSocket extends DtlsSocket {
  readonly udp: Socket;
}

export function connect(options: DtlsConnectOptions, onSecure?: () => void): DtlsClientSocket {
  if (options === null || typeof options !== 'object') throw new TypeError('options must be an object');
  if (typeof options.host !== 'string') throw new TypeError('options.host must be a string');
  if (!Number.isInteger(options.port) || options.port <= 0 || options.port > 65535) throw new RangeError('options.port must be 1..65535');
  if (options.session !== undefined && (options.session === null || typeof options.session !== 'object')) throw new TypeError('options.session must be a ClientTicket');
  const handshakeTimeout = timeoutOption(options.handshakeTimeout, 'options.handshakeTimeout', 120_000);
  const early = earlyList(options.earlyData);
  const total = early?.reduce((n, d) => n + d.length, 0) ?? 0;
  // RFC 8446 §4.2.10: 0-RTT only with a ticket that allows this much of it.
  const asEarly = early !== undefined && early.length > 0 && options.session !== undefined && options.session.maxEarlyDataSize > 0 && total <= options.session.maxEarlyDataSize;
  const conn = new DtlsClientConnection(options.config, {
    now: Date.now(),
    ...(options.serverName === undefined ? {} : { serverName: options.serverName }),
    ...(options.session === undefined ? {} : { session: options.session }),
    ...(asEarly ? { earlyData: early } : {}),
  });
  const big = early?.find((d) => d.length > conn.maxDatagramPayload);
  if (big !== undefined) throw new RangeError(`options.earlyData: an element of ${big.length} bytes does not fit one datagram (max ${conn.maxDatagramPayload})`);
  const udp = createSocket(isIPv6(options.host) ? 'udp6' : 'udp4');
  let connected = false;
  const queued: Uint8Array[] = [];
  // Asynchronous send failures come here (without a callback dgram would emit them as 'error').
  const sent = (err: Error | null): void => {
    if (err) sock.destroy(transportError(err));
  };
  const sock = new DtlsSocket(conn, (d) => {
    if (!connected) queued.push(d);
    else udp.send(d, sent);
  }, { address: options.host, port: options.port }, { handshake: handshakeTimeout }) as DtlsClientSocket;
  Object.defineProperty(sock, 'udp', { value: udp });
  if (early !== undefined) sock.retainEarlyData(early, asEarly);
  if (onSecure !== undefined) sock.once('secureConnect', onSecure);
  udp.on('message', (msg) => sock.receive(new Uint8Array(msg.buffer, msg.byteOffset, msg.length)));
  // One transport error ends the association (ICMP port unreachable comes back as ECONNREFUSED on each
  // retransmission): 'error' once, then 'close'; later ones find the socket destroyed.
  udp.on('error', (e) => sock.destroy(transportError(e)));
  sock.once('close', () => {
    try {
      udp.close();
    } catch {
      // already closed
    }
  });
  udp.connect(options.port, options.host, () => {
    if (sock.closed) return;
    connected = true;
    try {
      sock.remoteAddress = udp.remoteAddress().address;
      for (const d of queued.splice(0)) udp.send(d, sent);
    } catch (e) {
      sock.destroy(transportError(e));
    }
  });
  sock.pump();
  return sock;
}

function earlyList(v: Uint8Array | readonly Uint8Array[] | undefined): Uint8Array[] | undefined {
  if (v === undefined) return undefined;
  const list = v instanceof Uint8Array ? [v] : v;
  if (!Array.isArray(list) || !list.every((d) => d instanceof Uint8Array)) throw new TypeError('options.earlyData must be a Uint8Array or an array of them');
  return list.map((d) => d.slice());
}
