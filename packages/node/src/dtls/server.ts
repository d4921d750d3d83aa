/**
 * `dtls.createServer({ config }, onConnection)`: many DTLS 1.3 peers on one UDP socket,
 * demultiplexed by CID when one is negotiated and otherwise by address (RFC 9147 §4.3), with a
 * stateless cookie exchange before any state is kept (§5.1, `screenDatagram`) and per-server limits.
 *
 * 0-RTT (when the config's `maxEarlyDataSize` allows it): each early datagram goes to the server's
 * `earlyData` event (data, socket) as it arrives, before `secureConnection`, when that event has a
 * listener; otherwise it is held and emitted as the socket's `message` (data, { early: true }) right
 * after `secureConnection`, like 0-RTT data at the start of a TLS stream.
 */
import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';
import { EventEmitter } from 'node:events';
import { DtlsServerConnection, screenDatagram, type DtlsServerConfig } from '@puretls/dtls';
import { DtlsSocket } from './socket.js';

export interface DtlsServerOptions {
  /** From `dtlsServerConfig()` (certificates, suites, cookies, CIDs, MTU ...). */
  readonly config: DtlsServerConfig;
  /** Associations kept at once (default 1024); new peers beyond it are ignored. */
  readonly maxConnections?: number;
  /** Handshakes in progress at once (default 128). */
  readonly maxHandshakes?: number;
  /** 'udp4' (default) or 'udp6'. */
  readonly type?: 'udp4' | 'udp6';
}

const hex = (b: Uint8Array): string => Buffer.from(b.buffer, b.byteOffset, b.length).toString('hex');

export class DtlsServer extends EventEmitter {
  readonly udp: Socket;
  readonly #config: DtlsServerConfig;
  readonly #byAddress = new Map<string, DtlsSocket>();
  readonly #byCid = new Map<string, DtlsSocket>();
  readonly #cidCount = new WeakMap<DtlsSocket, number>();
  /** RFC 9147 §5.11: a new association from an address that has one, until its handshake completes. */
  readonly #replacing = new Map<string, DtlsSocket>();
  readonly #maxConnections: number;
  readonly #maxHandshakes: number;

  constructor(options: DtlsServerOptions, onConnection?: (socket: DtlsSocket) => void) {
    super();
    if (options === null || typeof options !== 'object' || options.config === undefined) throw new TypeError('options.config is required (dtlsServerConfig())');
    this.#config = options.config;
    this.#maxConnections = options.maxConnections ?? 1024;
    this.#maxHandshakes = options.maxHandshakes ?? 128;
    if (onConnection !== undefined) this.on('secureConnection', onConnection);
    this.udp = createSocket(options.type ?? 'udp4');
    this.udp.on('message', (msg, rinfo) => this.#datagram(new Uint8Array(msg.buffer, msg.byteOffset, msg.length), rinfo));
    this.udp.on('error', (e) => this.emit('error', e));
  }

  listen(port = 0, host = '127.0.0.1', cb?: () => void): this {
    this.udp.bind(port, host, () => {
      this.emit('listening');
      cb?.();
    });
    return this;
  }

  address(): { address: string; port: number } {
    const a = this.udp.address();
    return { address: a.address, port: a.port };
  }

  get connections(): number {
    return this.#byAddress.size;
  }

  close(cb?: () => void): void {
    for (const s of [...this.#byAddress.values(), ...this.#replacing.values()]) s.close();
    this.udp.close(cb);
  }

  #datagram(d: Uint8Array, r: RemoteInfo): void {
    const key = `${r.address}|${r.port}`;
    const cidLength = this.#config.datagram.connectionIdLength ?? 0;
    // CID first (RFC 9146): the peer may have moved to another address.
    if (cidLength > 0 && d.length > cidLength && ((d[0] as number) & 0xf0) === 0x30) {
      const s = this.#byCid.get(hex(d.subarray(1, 1 + cidLength)));
      if (s !== undefined) {
        const before = s.connection.recordsAuthenticated;
        s.receive(d);
        if (s.connection.localConnectionIds.length !== this.#cidCount.get(s)) this.#indexCids(s);
        // Follow a new address only once a record from it authenticated.
        if (s.connection.recordsAuthenticated > before && (s.remoteAddress !== r.address || s.remotePort !== r.port)) this.#move(s, r);
        return;
      }
    }
    const known = this.#byAddress.get(key);
    const next = this.#replacing.get(key);
    if (next !== undefined) {
      const before = next.connection.recordsAuthenticated;
      next.receive(d);
      if (d[0] === 22 || next.connection.recordsAuthenticated > before || known === undefined) return;
    } else if (known !== undefined && known.secure && isInitialClientHello(d)) {
      // RFC 9147 §5.11: a fresh ClientHello on an address with an association starts a new one; the
      // old one stays until the new handshake completes (after a cookie exchange, if cookies are on).
      this.#startAssociation(d, r, key, true);
      return;
    }
    if (known !== undefined) {
      known.receive(d);
      // CIDs the engine issued on its own (answering RequestConnectionId) must route here too.
      if (known.connection.localConnectionIds.length !== this.#cidCount.get(known)) this.#indexCids(known);
      return;
    }
    if (this.#byAddress.size >= this.#maxConnections) return;
    let handshaking = 0;
    for (const s of this.#byAddress.values()) if (!s.secure) handshaking++;
    if (handshaking >= this.#maxHandshakes) return;
    this.#startAssociation(d, r, key, false);
  }

  #startAssociation(d: Uint8Array, r: RemoteInfo, key: string, replacing: boolean): void {
    const peer = new TextEncoder().encode(key);
    const verdict = screenDatagram(this.#config, d, peer, Date.now());
    if (verdict.action === 'drop') return;
    if (verdict.action === 'reply') {
      for (const x of verdict.datagrams) this.udp.send(x, r.port, r.address);
      return;
    }
    const conn = new DtlsServerConnection(this.#config, { peer, now: Date.now() });
    const sock = new DtlsSocket(conn, (x) => this.udp.send(x, sock.remotePort, sock.remoteAddress), { address: r.address, port: r.port });
    const held: Uint8Array[] = [];
    sock.on('earlyData', (data: Uint8Array) => {
      if (this.listenerCount('earlyData') > 0) this.emit('earlyData', data, sock);
      else if (sock.secure) sock.emit('message', data, { early: true });
      else held.push(data);
    });
    if (replacing) this.#replacing.set(key, sock);
    else this.#byAddress.set(key, sock);
    sock.on('secureConnect', () => {
      if (this.#replacing.get(key) === sock) {
        // The new association proved itself with a verified Finished: the old one is abandoned.
        this.#replacing.delete(key);
        const old = this.#byAddress.get(key);
        this.#byAddress.set(key, sock);
        old?.close();
      }
      this.#indexCids(sock);
      this.emit('secureConnection', sock);
      for (const data of held.splice(0)) sock.emit('message', data, { early: true });
    });
    sock.on('newConnectionIds', () => this.#indexCids(sock));
    sock.on('error', (e) => this.emit('tlsClientError', e, sock));
    sock.once('close', () => {
      for (const [k, v] of this.#byAddress) if (v === sock) this.#byAddress.delete(k);
      for (const [k, v] of this.#replacing) if (v === sock) this.#replacing.delete(k);
      for (const [k, v] of this.#byCid) if (v === sock) this.#byCid.delete(k);
    });
    const issue = sock.newConnectionIds.bind(sock);
    // CIDs we hand out later must route here too.
    sock.newConnectionIds = (count?: number, usage?: 'cid_immediate' | 'cid_spare') => {
      const out = issue(count, usage);
      this.#indexCids(sock);
      return out;
    };
    sock.receive(d);
  }

  #indexCids(sock: DtlsSocket): void {
    const ids = sock.connection.localConnectionIds;
    this.#cidCount.set(sock, ids.length);
    for (const c of ids) this.#byCid.set(hex(c), sock);
  }

  #move(sock: DtlsSocket, r: RemoteInfo): void {
    for (const [k, v] of this.#byAddress) if (v === sock) this.#byAddress.delete(k);
    sock.remoteAddress = r.address;
    sock.remotePort = r.port;
    this.#byAddress.set(`${r.address}|${r.port}`, sock);
  }
}

/** A cleartext epoch-0 DTLS record carrying the start of a ClientHello (first or after a cookie). */
function isInitialClientHello(d: Uint8Array): boolean {
  // DTLSPlaintext header (13) then the DTLSHandshake header: type 1, message_seq (any), fragment_offset 0.
  return d.length >= 25 && d[0] === 22 && d[3] === 0 && d[4] === 0 && d[13] === 1 && d[19] === 0 && d[20] === 0 && d[21] === 0;
}

export function createServer(options: DtlsServerOptions, onConnection?: (socket: DtlsSocket) => void): DtlsServer {
  return new DtlsServer(options, onConnection);
}
