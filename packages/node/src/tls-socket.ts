/**
 * `TLSSocket`: a Duplex speaking TLS 1.3 over another Duplex (a `net.Socket` usually), shaped like
 * node:tls's so code written for it moves over. It drives a sans-IO engine connection: bytes from the
 * transport are fed in, records pulled out are written to the transport, events become stream data
 * and socket events. Back-pressure holds both ways: the transport is paused while our readable side
 * is full, and a write completes only when the transport has taken the records.
 */
import type { Socket } from 'node:net';
import { Duplex } from 'node:stream';
import type { NamedGroupName, SignatureSchemeName } from '@puretls/crypto';
import { nobleProvider } from '@puretls/crypto/noble';
import {
  ClientConnection,
  ServerConnection,
  clientConfig,
  serverConfig,
  type ClientConfigOptions,
  type HandshakeInfo,
  type ServerCertificate,
  type ServerConfigOptions,
  type Signer,
  type TlsEvent,
} from '@puretls/tls';
import { appendToKeyLogFile, keyLogLine, type KeyLogCallback } from './keylog.js';
import { groupsFrom } from './names.js';
import { checkVersions, commonConfig, IP_LITERAL, type Cipher, type TLSSocketOptions } from './options.js';
import { peerCertificate, type PeerCertificate } from './peer-certificate.js';
import { SecureContext } from './secure-context.js';
import { decodeSession, encodeSession } from './session.js';
import { peekServerName } from './sni.js';
import { policyVerifier, type AuthorizationState } from './trust.js';

/** The peer went away during the handshake (node's wording and code). */
function disconnected(): Error {
  return Object.assign(new Error('Client network socket disconnected before secure TLS connection was established'), { code: 'ECONNRESET' });
}

function toBuffer(b: Uint8Array): Buffer {
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength);
}

export class TLSSocket extends Duplex {
  readonly encrypted = true;
  /** Whether the peer's certificate was verified (node:tls meaning). */
  authorized = false;
  /** Why verification failed (an error code such as `UNABLE_TO_GET_ISSUER_CERT_LOCALLY`). */
  authorizationError: string | undefined = undefined;
  /** The negotiated ALPN protocol, false when none (null before the handshake). */
  alpnProtocol: string | false | null = null;
  /** Server side: the SNI the client sent (false when none). Client side: the name we sent. */
  servername: string | false | null = null;

  readonly #transport: Duplex;
  readonly #isServer: boolean;
  readonly #options: TLSSocketOptions;
  readonly #auth: AuthorizationState = { authorized: false, authorizationError: undefined };
  #conn: ClientConnection | ServerConnection | null = null;
  /** Server with SNICallback: ClientHello bytes held until a context is chosen. */
  #held: Buffer[] | null = null;
  #info: HandshakeInfo | null = null;
  #session: Buffer | undefined = undefined;
  #secure = false;
  #waiting = false;
  #readPaused = false;
  #earlyData: Uint8Array | undefined = undefined;
  #earlyRejected = false;
  #failed = false;
  #afterSecure: (() => void)[] = [];
  /** Writes made while a server waits for its SNICallback (no connection yet). */
  #beforeConn: (() => void)[] = [];
  #closeNotify = false;

  constructor(socket: Duplex, options: TLSSocketOptions = {}) {
    super({ allowHalfOpen: options.allowHalfOpen ?? false });
    if (!(socket instanceof Duplex)) throw new TypeError('socket must be a Duplex (a net.Socket)');
    if (options === null || typeof options !== 'object') throw new TypeError('options must be an object');
    checkVersions(options);
    this.#transport = socket;
    this.#isServer = options.isServer === true;
    this.#options = options;
    if (this.#isServer) {
      if (options.SNICallback !== undefined) this.#held = [];
      else this.#conn = this.#serverConnection(this.#context(options), null);
    } else {
      this.#conn = this.#clientConnection(options);
    }
    this.#attach();
    if (this.#conn !== null) this.#pump();
  }

  // ---- node:tls surface ------------------------------------------------------------------------

  getProtocol(): 'TLSv1.3' | null {
    return this.#info === null ? null : this.#info.version;
  }

  getCipher(): Cipher | undefined {
    const i = this.#info;
    return i === null ? undefined : { name: i.cipherSuite, standardName: i.cipherSuite, version: 'TLSv1.3' };
  }

  /** Ours: everything negotiated (suite, group, signature scheme, ALPN, resumed, HRR, 0-RTT). */
  getHandshakeInfo(): HandshakeInfo | null {
    return this.#info;
  }

  /** The peer's certificate as node:tls shows it; `{}` when none (as node). */
  getPeerCertificate(detailed = false): PeerCertificate | Record<string, never> {
    const chain = this.#info?.peerCertificates ?? [];
    return chain.length === 0 ? {} : peerCertificate(chain, detailed);
  }

  /** The peer's DER chain, leaf first. */
  getPeerCertificateChain(): readonly Uint8Array[] {
    return this.#info?.peerCertificates ?? [];
  }

  /** The latest session ticket as a Buffer for the `session` option (client side). */
  getSession(): Buffer | undefined {
    return this.#session;
  }

  isSessionReused(): boolean {
    return this.#info?.resumed ?? false;
  }

  /** Ours: the negotiated group (X25519, P-256, ...). */
  getGroup(): NamedGroupName | null {
    return this.#info?.group ?? null;
  }

  getSignatureScheme(): SignatureSchemeName | null {
    return this.#info?.signatureScheme ?? null;
  }

  /** RFC 8446 §7.5 exporter. `context` undefined means no context (node's meaning). */
  exportKeyingMaterial(length: number, label: string, context?: Uint8Array): Buffer {
    const c = this.#requireConn('exportKeyingMaterial');
    return toBuffer(c.exportKeyingMaterial(label, context ?? new Uint8Array(0), length));
  }

  /**
   * The Finished message we sent (its verify_data), like node's `getFinished()`. Needs the engine to
   * expose it (`finished`); undefined until then.
   */
  getFinished(): Buffer | undefined {
    const f = (this.#conn as unknown as { finished?: { sent: Uint8Array | null } | null } | null)?.finished;
    return f?.sent ? toBuffer(f.sent) : undefined;
  }

  /** The Finished message the peer sent (see `getFinished`). */
  getPeerFinished(): Buffer | undefined {
    const f = (this.#conn as unknown as { finished?: { received: Uint8Array | null } | null } | null)?.finished;
    return f?.received ? toBuffer(f.received) : undefined;
  }

  /** Ours: sends a KeyUpdate; `requestPeer` asks the peer to update too (RFC 8446 §4.6.3). */
  keyUpdate(requestPeer = false): void {
    this.#requireConn('keyUpdate').keyUpdate(requestPeer);
    this.#pump();
  }

  /** Ours: whether 0-RTT data was accepted (null before the handshake or when none was sent). */
  get earlyDataAccepted(): boolean | null {
    if (this.#info === null) return null;
    return this.#info.earlyDataAccepted;
  }

  /** Ours: whether the peer closed with close_notify (rather than only closing TCP). */
  get closeNotifyReceived(): boolean {
    return this.#closeNotify;
  }

  // net.Socket passthroughs used by http / https agents.
  get remoteAddress(): string | undefined { return (this.#transport as Partial<Socket>).remoteAddress; }
  get remotePort(): number | undefined { return (this.#transport as Partial<Socket>).remotePort; }
  get remoteFamily(): string | undefined { return (this.#transport as Partial<Socket>).remoteFamily; }
  get localAddress(): string | undefined { return (this.#transport as Partial<Socket>).localAddress; }
  get localPort(): number | undefined { return (this.#transport as Partial<Socket>).localPort; }
  get connecting(): boolean { return (this.#transport as Partial<Socket>).connecting ?? false; }
  get transport(): Duplex { return this.#transport; }
  address(): ReturnType<Socket['address']> | Record<string, never> {
    const t = this.#transport as Partial<Socket>;
    return typeof t.address === 'function' ? t.address() : {};
  }
  setNoDelay(noDelay?: boolean): this {
    (this.#transport as Partial<Socket>).setNoDelay?.(noDelay);
    return this;
  }
  setKeepAlive(enable?: boolean, initialDelay?: number): this {
    (this.#transport as Partial<Socket>).setKeepAlive?.(enable, initialDelay);
    return this;
  }
  setTimeout(ms: number, callback?: () => void): this {
    const t = this.#transport as Partial<Socket>;
    if (callback !== undefined) {
      if (ms === 0) this.off('timeout', callback);
      else this.once('timeout', callback);
    }
    t.setTimeout?.(ms);
    return this;
  }
  ref(): this {
    (this.#transport as Partial<Socket>).ref?.();
    return this;
  }
  unref(): this {
    (this.#transport as Partial<Socket>).unref?.();
    return this;
  }

  // ---- Duplex ----------------------------------------------------------------------------------

  override _read(): void {
    if (this.#readPaused) {
      this.#readPaused = false;
      this.#transport.resume();
    }
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    const conn = this.#conn;
    if (conn === null) {
      // Server waiting for its SNICallback: write once the connection exists.
      this.#beforeConn.push(() => this._write(chunk, _encoding, callback));
      return;
    }
    try {
      conn.write(chunk);
    } catch (e) {
      callback(e as Error);
      return;
    }
    this.#pump(); // records out, and events (an automatic KeyUpdate)
    const t = this.#transport;
    if (t.writableNeedDrain) t.once('drain', () => callback());
    else callback();
  }

  override _final(callback: (error?: Error | null) => void): void {
    const close = (): void => {
      const conn = this.#conn;
      if (conn !== null && !this.#failed) {
        conn.close(); // close_notify (RFC 8446 §6.1)
        this.#flushOut();
      }
      if (!this.#transport.writableEnded) this.#transport.end();
      callback();
    };
    if (this.#secure || this.#failed) close();
    else this.#afterSecure.push(close);
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    const t = this.#transport;
    if (!t.destroyed) {
      if (t.writableEnded && !t.writableFinished) {
        // Let the last records (close_notify, a fatal alert) reach the peer.
        const timer = setTimeout(() => t.destroy(), 2000);
        timer.unref();
        t.once('finish', () => {
          clearTimeout(timer);
          t.destroy();
        });
      } else {
        t.destroy();
      }
    }
    callback(error);
  }

  // ---- internals -------------------------------------------------------------------------------

  #requireConn(what: string): ClientConnection | ServerConnection {
    if (this.#conn === null || !this.#secure) throw new Error(`${what}() before the handshake completed`);
    return this.#conn;
  }

  #context(o: TLSSocketOptions): SecureContext {
    return o.secureContext ?? new SecureContext(o);
  }

  #keyLog(): KeyLogCallback {
    return (label, clientRandom, secret) => {
      const line = keyLogLine(label, clientRandom, secret);
      appendToKeyLogFile(line);
      const buf = Buffer.from(line);
      this.#options.keyLog?.(buf);
      this.emit('keylog', buf);
    };
  }

  #clientConnection(o: TLSSocketOptions): ClientConnection {
    const ctx = this.#context(o);
    const host = o.host ?? 'localhost';
    const sni = o.servername ?? (IP_LITERAL.test(host) ? undefined : host);
    const identityHost = o.servername || host;
    const rejectUnauthorized = o.rejectUnauthorized !== false;
    const verifier = policyVerifier(
      { store: ctx.trust, rejectUnauthorized, host: identityHost, ...(o.checkServerIdentity === undefined ? {} : { checkServerIdentity: o.checkServerIdentity }) },
      this.#auth,
    );
    const common = commonConfig(o);
    const shares = o.keyShareGroups === undefined ? undefined : groupsFrom(o.keyShareGroups, 'keyShareGroups');
    const cfgOptions: ClientConfigOptions = {
      ...common,
      verifier,
      ...(sni === undefined || sni === '' ? {} : { serverName: sni }),
      ...(shares === undefined ? {} : { keyShareGroups: shares }),
      ...(ctx.chain !== undefined && ctx.key !== undefined ? { clientCertificate: { chain: ctx.chain, key: ctx.signer(common.provider) as Signer } } : {}),
      keyLog: this.#keyLog(),
    };
    const cfg = clientConfig(cfgOptions);
    this.servername = sni ?? false;
    let session = o.session === undefined ? null : decodeSession(o.session);
    // A session for a suite we no longer offer is simply not resumed (node ignores a bad session).
    if (session !== null && !cfg.cipherSuites.includes(session.cipherSuite)) session = null;
    let earlyData = o.earlyData;
    if (earlyData !== undefined && (session === null || session.maxEarlyDataSize < earlyData.length)) {
      // No ticket allowing 0-RTT: the data goes after the handshake instead.
      this.#earlyRejected = true;
      this.#earlyData = earlyData;
      earlyData = undefined;
    } else this.#earlyData = earlyData;
    return new ClientConnection(cfg, { ...(session === null ? {} : { session }), ...(earlyData === undefined ? {} : { earlyData }) });
  }

  #serverConnection(ctx: SecureContext, sniContext: SecureContext | null): ServerConnection {
    const o = this.#options;
    const certificates: ServerCertificate[] = [];
    const main = sniContext ?? ctx;
    const provider = o.provider ?? nobleProvider;
    const mainSigner = main.signer(provider);
    if (main.chain !== undefined && mainSigner !== undefined) certificates.push({ chain: main.chain, key: mainSigner });
    for (const extra of o.certificates ?? []) {
      const signer = extra.context.signer(provider);
      if (extra.context.chain === undefined || signer === undefined) throw new TypeError('options.certificates: each context needs cert and key');
      certificates.push({ chain: extra.context.chain, key: signer, serverNames: extra.serverNames });
    }
    if (certificates.length === 0) throw new TypeError('a server needs options.cert and options.key (or a secureContext with them)');
    const rejectUnauthorized = o.rejectUnauthorized !== false;
    const clientAuth = o.clientAuth ?? (o.requestCert === true ? (rejectUnauthorized ? 'required' : 'optional') : 'none');
    const cfgOptions: ServerConfigOptions = {
      ...commonConfig(o),
      certificates,
      clientAuth,
      ...(clientAuth === 'none' ? {} : { clientVerifier: policyVerifier({ store: ctx.trust, rejectUnauthorized }, this.#auth) }),
      ...(o.ticketSealer === undefined ? {} : { ticketSealer: o.ticketSealer }),
      ...(o.ticketSealer === undefined || o.ticketsPerHandshake === undefined ? {} : { ticketsPerHandshake: o.ticketsPerHandshake }),
      ...(o.maxEarlyData === undefined ? {} : { maxEarlyDataSize: o.maxEarlyData }),
      // One replay filter per server, not per connection (RFC 8446 §8).
      ...(o.antiReplay === undefined ? {} : { antiReplay: o.antiReplay }),
      keyLog: this.#keyLog(),
    };
    return new ServerConnection(serverConfig(cfgOptions));
  }

  #attach(): void {
    const t = this.#transport;
    t.on('data', (chunk: Buffer | string) => this.#onTransportData(typeof chunk === 'string' ? Buffer.from(chunk) : chunk));
    t.on('end', () => {
      if (!this.#secure && !this.#failed) {
        this.destroy(disconnected());
        return;
      }
      // TCP closed without close_notify: end our readable side (node:tls does not treat it as an error).
      if (!this.readableEnded) this.push(null);
    });
    t.on('error', (e: Error) => this.destroy(e));
    t.on('close', () => {
      if (this.destroyed) return;
      this.destroy(!this.#secure && !this.#failed ? disconnected() : undefined);
    });
    t.on('timeout', () => this.emit('timeout'));
    t.on('connect', () => this.emit('connect'));
  }

  #onTransportData(chunk: Buffer): void {
    if (this.destroyed) return;
    if (this.#conn === null) {
      this.#holdForSni(chunk);
      return;
    }
    this.#conn.feed(chunk);
    this.#pump();
  }

  #holdForSni(chunk: Buffer): void {
    const held = this.#held as Buffer[];
    held.push(chunk);
    const all = Buffer.concat(held);
    const name = peekServerName(all);
    if (name === undefined) return; // need more bytes
    this.#held = null;
    this.#transport.pause();
    const cb = this.#options.SNICallback as NonNullable<TLSSocketOptions['SNICallback']>;
    const proceed = (err: Error | null, ctx?: SecureContext): void => {
      if (this.destroyed) return;
      if (err) {
        this.destroy(err);
        return;
      }
      try {
        this.#conn = this.#serverConnection(this.#context(this.#options), ctx ?? null);
      } catch (e) {
        this.destroy(e as Error);
        return;
      }
      this.#transport.resume();
      this.#conn.feed(all);
      this.#pump();
      const pending = this.#beforeConn.splice(0);
      for (const f of pending) f();
    };
    if (name === null) proceed(null);
    else cb(name, proceed);
  }

  #flushOut(): void {
    const c = this.#conn;
    if (c === null) return;
    for (let out = c.pull(); out !== null; out = c.pull()) {
      if (!this.#transport.destroyed && !this.#transport.writableEnded) this.#transport.write(out);
    }
  }

  #pump(): void {
    const c = this.#conn;
    if (c === null) return;
    this.#flushOut();
    for (let ev = c.poll(); ev !== null; ev = c.poll()) {
      this.#onEvent(ev);
      this.#flushOut();
      if (this.destroyed) return;
    }
    const pending = c.pending;
    if (pending !== null && !this.#waiting) {
      this.#waiting = true;
      void pending.then(() => {
        this.#waiting = false;
        if (!this.destroyed) this.#pump();
      });
    }
  }

  #push(data: Uint8Array): void {
    if (!this.push(toBuffer(data)) && !this.#readPaused) {
      this.#readPaused = true;
      this.#transport.pause();
    }
  }

  #onEvent(ev: TlsEvent): void {
    switch (ev.type) {
      case 'handshake_complete':
        this.#onSecure(ev.info);
        return;
      case 'application_data':
      case 'early_data':
        this.#push(ev.data);
        return;
      case 'early_data_rejected':
        this.#earlyRejected = true;
        return;
      case 'session_ticket':
        this.#session = encodeSession(ev.ticket);
        this.emit('session', this.#session);
        return;
      case 'key_update':
        this.emit('keyUpdate', ev.direction);
        return;
      case 'client_certificate':
        // Post-handshake authentication (RFC 8446 §4.6.2): verified by the engine's client verifier.
        this.emit('clientCertificate', ev.peerCertificates, ev.signatureScheme);
        return;
      case 'peer_closed':
        this.#closeNotify = true;
        if (!this.readableEnded) this.push(null);
        return;
      case 'error': {
        this.#failed = true;
        this.#flushOut(); // the fatal alert
        if (!this.#transport.writableEnded) this.#transport.end();
        const pending = this.#afterSecure.splice(0);
        this.destroy(ev.error);
        for (const f of pending) f();
        return;
      }
    }
  }

  #onSecure(info: HandshakeInfo): void {
    this.#info = info;
    this.#secure = true;
    this.alpnProtocol = info.alpn ?? false;
    if (this.#isServer) this.servername = info.serverName ?? false;
    if (info.resumed) {
      // No certificate in a resumption: trust carries over from the verified connection.
      this.#auth.authorized = this.#isServer ? this.#auth.authorized : true;
    } else if (this.#isServer && info.peerCertificates.length === 0) {
      this.#auth.authorized = false;
      this.#auth.authorizationError = this.#auth.authorizationError ?? 'UNABLE_TO_GET_ISSUER_CERT';
    }
    this.authorized = this.#auth.authorized;
    this.authorizationError = this.#auth.authorizationError;
    const early = this.#earlyData;
    if (early !== undefined && (this.#earlyRejected || !info.earlyDataAccepted)) {
      // Refused 0-RTT data was not delivered: send it now (RFC 8446 §4.2.10).
      this.#earlyData = undefined;
      (this.#conn as ClientConnection).write(early);
      this.#flushOut();
    }
    this.emit(this.#isServer ? 'secure' : 'secureConnect');
    const pending = this.#afterSecure.splice(0);
    for (const f of pending) f();
  }
}
