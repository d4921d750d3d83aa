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
import { DtlsSocket, timeoutOption, transportError } from './socket.js';

export interface DtlsServerOptions {
  /** From `dtlsServerConfig()` (certificates, suites, cookies, CIDs, MTU ...). */
  readonly config: DtlsServerConfig;
  /** Associations kept at once (default 1024); new peers beyond it are ignored. */
  readonly maxConnections?: number;
  /** Handshakes in progress at once (default 128); new peers beyond it are ignored. */
  readonly maxHandshakes?: number;
  /**
   * Milliseconds a handshake may take (default 120000, as node:tls); then the association fails with
   * `HANDSHAKE_TIMEOUT` (`tlsClientError`) and frees its slot. 0: no limit (a peer that acknowledges
   * our flight and never sends its Finished would hold a `maxHandshakes` slot forever).
   */
  readonly handshakeTimeout?: number;
  /**
   * Milliseconds an established association may go without an authenticated record from its peer nor
   * a `send()` of ours (default 300000) before it emits `timeout` and is closed (close_notify). 0:
   * never (a peer gone without close_notify then keeps its `maxConnections` slot for good).
   */
  readonly idleTimeout?: number;
  /** 'udp4' (default) or 'udp6'. */
  readonly type?: 'udp4' | 'udp6';
}

const hex = (b: Uint8Array): string => Buffer.from(b.buffer, b.byteOffset, b.length).toString('hex');

export class DtlsServer extends EventEmitter {
  readonly udp: Socket;
  readonly #config: DtlsServerConfig;
  /** Every association not yet closed, whatever maps it is in: what the limits count and close() ends. */
  readonly #live = new Set<DtlsSocket>();
  readonly #byAddress = new Map<string, DtlsSocket>();
  readonly #byCid = new Map<string, DtlsSocket>();
  readonly #cidCount = new WeakMap<DtlsSocket, number>();
  /** RFC 9147 §5.11: a new association from an address that has one, until its handshake completes. */
  readonly #replacing = new Map<string, DtlsSocket>();
  readonly #maxConnections: number;
  readonly #maxHandshakes: number;
  readonly #timeouts: { readonly handshake: number; readonly idle: number };

  constructor(options: DtlsServerOptions, onConnection?: (socket: DtlsSocket) => void) {
    super();
    if (options === null || typeof options !== 'object' || options.config === undefined) throw new TypeError('options.config is required (dtlsServerConfig())');
    this.#config = options.config;
    this.#maxConnections = limitOption(options.maxConnections, 'options.maxConnections', 1024);
    this.#maxHandshakes = limitOption(options.maxHandshakes, 'options.maxHandshakes', 128);
    this.#timeouts = {
      handshake: timeoutOption(options.handshakeTimeout, 'options.handshakeTimeout', 120_000),
      // RFC 4787 REQ-5: NAT bindings for UDP last 5 minutes or more; a peer silent longer has likely lost its own.
      idle: timeoutOption(options.idleTimeout, 'options.idleTimeout', 300_000),
    };
    if (options.type !== undefined && options.type !== 'udp4' && options.type !== 'udp6') throw new TypeError("options.type must be 'udp4' or 'udp6'");
    if (onConnection !== undefined && typeof onConnection !== 'function') throw new TypeError('onConnection must be a function');
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

  /** Associations alive, handshakes in progress included. */
  get connections(): number {
    return this.#live.size;
  }

  close(cb?: () => void): void {
    for (const s of [...this.#live]) s.close();
    this.udp.close(cb);
  }

  #handshakes(): number {
    let n = 0;
    for (const s of this.#live) if (!s.secure) n++;
    return n;
  }

  #datagram(d: Uint8Array, r: RemoteInfo): void {
    // No host sends from port 0 (a forged source), and dgram cannot answer it: send() throws ERR_SOCKET_BAD_PORT.
    if (r.port === 0) return;
    const key = `${r.address}|${r.port}`;
    const cidLength = this.#config.datagram.connectionIdLength ?? 0;
    // CID first (RFC 9146): the peer may have moved to another address.
    if (cidLength > 0 && d.length > cidLength && ((d[0] as number) & 0xf0) === 0x30) {
      const s = this.#byCid.get(hex(d.subarray(1, 1 + cidLength)));
      if (s !== undefined) {
        const before = s.connection.newerRecordsAuthenticated;
        s.receive(d);
        // The datagram may have closed it (close_notify, a fatal alert): it is out of the maps already.
        if (s.closed) return;
        if (s.connection.localConnectionIds.length !== this.#cidCount.get(s)) this.#indexCids(s);
        // RFC 9146 §6: follow a new address only for an authenticated record newer than all received so
        // far (a delayed older one from the previous address must not move the peer back).
        if (s.connection.newerRecordsAuthenticated > before && (s.remoteAddress !== r.address || s.remotePort !== r.port)) this.#move(s, r);
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
      if (this.#handshakes() < this.#maxHandshakes) this.#startAssociation(d, r, key, true);
      return;
    }
    if (known !== undefined) {
      known.receive(d);
      // CIDs the engine issued on its own (answering RequestConnectionId) must route here too.
      if (!known.closed && known.connection.localConnectionIds.length !== this.#cidCount.get(known)) this.#indexCids(known);
      return;
    }
    if (this.#live.size >= this.#maxConnections || this.#handshakes() >= this.#maxHandshakes) return;
    this.#startAssociation(d, r, key, false);
  }

  #startAssociation(d: Uint8Array, r: RemoteInfo, key: string, replacing: boolean): void {
    const peer = new TextEncoder().encode(key);
    const verdict = screenDatagram(this.#config, d, peer, Date.now());
    if (verdict.action === 'drop') return;
    if (verdict.action === 'reply') {
      try {
        // Stateless: a cookie that cannot be sent is simply lost, like any datagram.
        for (const x of verdict.datagrams) this.udp.send(x, r.port, r.address, ignore);
      } catch {
        // a closed socket or an address dgram refuses: nothing to keep either way
      }
      return;
    }
    const conn = new DtlsServerConnection(this.#config, { peer, now: Date.now() });
    // A send that fails later fails this association only (without a callback dgram would emit the
    // server's 'error'); one that throws at once is caught by the socket the same way.
    const sent = (err: Error | null): void => {
      if (err) sock.destroy(transportError(err));
    };
    const sock = new DtlsSocket(conn, (x) => this.udp.send(x, sock.remotePort, sock.remoteAddress, sent), { address: r.address, port: r.port }, this.#timeouts);
    this.#live.add(sock);
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
      this.#live.delete(sock);
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
    // A closed association left the maps for good.
    if (sock.closed) return;
    const ids = sock.connection.localConnectionIds;
    this.#cidCount.set(sock, ids.length);
    for (const c of ids) this.#byCid.set(hex(c), sock);
  }

  #move(sock: DtlsSocket, r: RemoteInfo): void {
    if (sock.closed) return;
    const key = `${r.address}|${r.port}`;
    // An address belongs to one peer at a time: an authenticated, newer record of this association from
    // there means the one that had it is gone (its NAT binding now serves this peer). End it rather than
    // leave it running unmapped, uncounted and out of reach of close().
    for (const other of [this.#byAddress.get(key), this.#replacing.get(key)]) if (other !== undefined && other !== sock) other.destroy();
    for (const [k, v] of this.#byAddress) if (v === sock) this.#byAddress.delete(k);
    sock.remoteAddress = r.address;
    sock.remotePort = r.port;
    this.#byAddress.set(key, sock);
  }
}

const ignore = (): void => undefined;

function limitOption(value: unknown, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number') throw new TypeError(`${name} must be a number`);
  if (!Number.isInteger(value) || value < 1) throw new RangeError(`${name} must be a positive integer`);
  return value;
}

/** A cleartext epoch-0 DTLS record carrying the start of a ClientHello (first or after a cookie). */
function isInitialClientHello(d: Uint8Array): boolean {
  // DTLSPlaintext header (13) then the DTLSHandshake header: type 1, message_seq (any), fragment_offset 0.
  return d.length >= 25 && d[0] === 22 && d[3] === 0 && d[4] === 0 && d[13] === 1 && d[19] === 0 && d[20] === 0 && d[21] === 0;
}

export function createServer(options: DtlsServerOptions, onConnection?: (socket: DtlsSocket) => void): DtlsServer {
  return new DtlsServer(options, onConnection);
}
