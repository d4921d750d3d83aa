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
import {
  ClientConnection,
  ServerConnection,
  clientConfig,
  serverConfig,
  type ClientConfigOptions,
  type CertificateVerifier as EngineVerifier,
  type HandshakeInfo,
  type ServerCertificate,
  type ServerConfig,
  type ServerConfigOptions,
  type Signer,
  type TlsEvent,
} from '@puretls/tls';
import { appendToKeyLogFile, keyLogLine, type KeyLogCallback } from './keylog.js';
import { groupsFrom } from './names.js';
import { checkVersions, commonConfig, IP_LITERAL, type Cipher, type TLSSocketOptions } from './options.js';
import { peerCertificate, type PeerCertificate } from './peer-certificate.js';
import { SecureContext } from './secure-context.js';
import { decodeSession, encodeSession, type SessionVerification } from './session.js';
import { serverConfigFor } from './server-config.js';
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
  #conn: ClientConnection | ServerConnection;
  #info: HandshakeInfo | null = null;
  #session: Buffer | undefined = undefined;
  /** Client: how the server was verified on the connection the offered session came from. */
  #resumedVerification: SessionVerification | null = null;
  /** Server: the client verifier and whether it rejects, to judge a chain restored from a ticket. */
  #clientPolicy: { verifier: EngineVerifier; reject: boolean } | null = null;
  /** The handshake's outcome is published ('secure' / 'secureConnect' emitted). */
  #secure = false;
  #waiting = false;
  /** The transport is paused while the engine waits for an asynchronous step (see #pump). */
  #inputHeld = false;
  #readPaused = false;
  #earlyData: Uint8Array | undefined = undefined;
  #earlyRejected = false;
  #failed = false;
  #afterSecure: (() => void)[] = [];
  #closeNotify = false;
  /** Our readable side has its end (close_notify, or the transport's). */
  #readEnded = false;
  /**
   * A write made before 'secure': held, its callback not called, so the stream buffers what follows
   * and write() returns false past the high-water mark, as node:tls does (the engine would queue it
   * without bound). It goes out after any refused early data, which was written first.
   */
  #held: { chunk: Buffer; callback: (error?: Error | null) => void } | null = null;

  constructor(socket: Duplex, options: TLSSocketOptions = {}) {
    super({ allowHalfOpen: options.allowHalfOpen ?? false });
    if (!(socket instanceof Duplex)) throw new TypeError('socket must be a Duplex (a net.Socket)');
    if (options === null || typeof options !== 'object') throw new TypeError('options must be an object');
    checkVersions(options);
    this.#transport = socket;
    this.#isServer = options.isServer === true;
    this.#options = options;
    this.#conn = this.#isServer ? this.#serverConnection() : this.#clientConnection(options);
    this.#attach();
    this.#pump();
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
   * The verify_data of the Finished message we sent in the handshake (RFC 8446 §4.4.4), as node's
   * `getFinished()` returns it in TLS 1.3; undefined before the handshake completed.
   */
  getFinished(): Buffer | undefined {
    const f = this.#conn.finished;
    return f === null ? undefined : toBuffer(f.sent);
  }

  /** The verify_data of the peer's Finished message (see `getFinished`). */
  getPeerFinished(): Buffer | undefined {
    const f = this.#conn.finished;
    return f === null ? undefined : toBuffer(f.received);
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
      if (!this.#inputHeld) this.#transport.resume();
    }
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    if (!this.#secure) {
      this.#held = { chunk, callback };
      return;
    }
    const conn = this.#conn;
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

  /** Writes queued while the transport drained go out together: full records, one socket write. */
  override _writev(chunks: { chunk: Buffer; encoding: BufferEncoding }[], callback: (error?: Error | null) => void): void {
    const first = chunks[0];
    if (chunks.length === 1 && first !== undefined) this._write(first.chunk, first.encoding, callback);
    else this._write(Buffer.concat(chunks.map((c) => c.chunk)), first?.encoding ?? 'binary', callback);
  }

  override _final(callback: (error?: Error | null) => void): void {
    const close = (): void => {
      const conn = this.#conn;
      if (!this.#failed) conn.close(); // close_notify (RFC 8446 §6.1)
      // Records still being sealed (an asynchronous AEAD: Web Crypto) go out before the end.
      const end = (): void => {
        this.#flushOut();
        const pending = conn.pending;
        if (pending !== null && !this.#transport.destroyed) {
          void pending.then(end, end);
          return;
        }
        if (!this.#transport.writableEnded) this.#transport.end();
        callback();
      };
      end();
    };
    if (this.#secure || this.#failed) close();
    else this.#afterSecure.push(close);
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    // A write held for the handshake ends with the socket (node:tls calls it back too, with the
    // error if any); the writes behind it fail with ERR_STREAM_DESTROYED.
    const held = this.#held;
    this.#held = null;
    held?.callback(error);
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
    if (!this.#secure) throw new Error(`${what}() before the handshake completed`);
    return this.#conn;
  }

  #context(o: TLSSocketOptions): SecureContext {
    return o.secureContext ?? new SecureContext(o);
  }

  #keyLog(): KeyLogCallback {
    return (label, clientRandom, secret) => {
      const file = process.env['SSLKEYLOGFILE'];
      // Lines are only formatted for a reader (node:tls too logs only with a listener): ten per handshake.
      if ((file === undefined || file === '') && this.#options.keyLog === undefined && this.listenerCount('keylog') === 0) return;
      const line = keyLogLine(label, clientRandom, secret);
      appendToKeyLogFile(line, file);
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
    const common = commonConfig(o);
    const verifier = policyVerifier(
      { store: ctx.trust, provider: common.provider, rejectUnauthorized, host: identityHost, ...(o.checkServerIdentity === undefined ? {} : { checkServerIdentity: o.checkServerIdentity }) },
      this.#auth,
    );
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
    const saved = o.session === undefined ? null : decodeSession(o.session);
    let session = saved?.ticket ?? null;
    // A session for a suite we no longer offer is simply not resumed (node ignores a bad session).
    if (session !== null && !cfg.cipherSuites.includes(session.cipherSuite)) session = null;
    // RFC 8446 §4.2.11: resume only with the server name of the original session.
    if (session !== null && session.serverName !== (cfg.serverName ?? null)) session = null;
    // A resumption shows no certificate: never resume a session whose server failed verification
    // when this connection requires it (a full handshake verifies again). Node resumes and then
    // fails with the recorded error; refusing to offer the ticket reaches the same end unless the
    // server is now trusted.
    if (session !== null && rejectUnauthorized && saved?.authorized !== true) session = null;
    this.#resumedVerification = session === null || saved === null ? null : { authorized: saved.authorized, authorizationError: saved.authorizationError };
    let earlyData = o.earlyData;
    if (earlyData !== undefined && (session === null || session.maxEarlyDataSize < earlyData.length)) {
      // No ticket allowing 0-RTT: the data goes after the handshake instead.
      this.#earlyRejected = true;
      this.#earlyData = earlyData;
      earlyData = undefined;
    } else this.#earlyData = earlyData;
    return new ClientConnection(cfg, { ...(session === null ? {} : { session }), ...(earlyData === undefined ? {} : { earlyData }) });
  }

  #serverConnection(): ServerConnection {
    const o = this.#options;
    const ctx = this.#context(o);
    const cfg = serverConfigFor(o, ctx);
    // The verifier records its outcome on this socket; the config is shared by the server's sockets.
    const reject = o.rejectUnauthorized !== false;
    const clientVerifier = cfg.clientAuth === 'none' ? undefined : policyVerifier({ store: ctx.trust, provider: cfg.provider, rejectUnauthorized: reject }, this.#auth);
    if (clientVerifier !== undefined) this.#clientPolicy = { verifier: clientVerifier, reject };
    return new ServerConnection(cfg, { keyLog: this.#keyLog(), ...(clientVerifier === undefined ? {} : { clientVerifier }) });
  }

  #attach(): void {
    const t = this.#transport;
    t.on('data', (chunk: Buffer | string) => this.#onTransportData(typeof chunk === 'string' ? Buffer.from(chunk) : chunk));
    // A 'data' listener does not restart a stream paused by its owner (STARTTLS after a plaintext
    // phase read with pause()): the socket is ours now, let it flow (node:tls reads it too).
    t.resume();
    const onEnd = (): void => {
      // Records still being opened (an asynchronous step) come before the end of the stream.
      const pending = this.#conn.pending;
      if (pending !== null && !this.destroyed) {
        void pending.then(onEnd, onEnd);
        return;
      }
      // The engine is done with the handshake even if 'secure' waits (a client chain verified again).
      if (this.#info === null && !this.#failed) {
        this.destroy(disconnected());
        return;
      }
      // TCP closed without close_notify: end our readable side (node:tls does not treat it as an error).
      this.#endReadable();
      // The transport is half-open by construction; without allowHalfOpen our side ends too, as a
      // net.Socket's does at the peer's FIN (after what is still queued, and a close_notify).
      if (!this.allowHalfOpen && !this.writableEnded) this.end();
    };
    t.on('end', onEnd);
    t.on('error', (e: Error) => this.destroy(e));
    t.on('close', () => {
      if (this.destroyed) return;
      // Both directions ended cleanly: what the peer sent is still in our readable buffer. Destroying
      // would drop it; the socket closes once it is read (autoDestroy), as a net.Socket does.
      if (this.#secure && this.#readEnded && this.writableEnded) return;
      this.destroy(!this.#secure && !this.#failed ? disconnected() : undefined);
    });
    t.on('timeout', () => this.emit('timeout'));
    t.on('connect', () => this.emit('connect'));
  }

  #onTransportData(chunk: Buffer): void {
    if (this.destroyed) return;
    this.#conn.feed(chunk);
    this.#pump();
  }

  #flushOut(): void {
    const c = this.#conn;
    for (let out = c.pull(); out !== null; out = c.pull()) {
      if (!this.#transport.destroyed && !this.#transport.writableEnded) this.#transport.write(out);
    }
  }

  #pump(): void {
    const c = this.#conn;
    this.#flushOut();
    for (let ev = c.poll(); ev !== null; ev = c.poll()) {
      this.#onEvent(ev);
      this.#flushOut();
      if (this.destroyed) return;
    }
    const pending = c.pending;
    if (pending === null) {
      if (this.#inputHeld) {
        this.#inputHeld = false;
        if (!this.#readPaused) this.#transport.resume();
      }
      return;
    }
    // An asynchronous step (a signer, or a record opened on Web Crypto): hold the transport meanwhile,
    // so the engine's bounded input buffer (maxPendingInput) does not fill up.
    if (!this.#inputHeld) {
      this.#inputHeld = true;
      this.#transport.pause();
    }
    if (!this.#waiting) {
      this.#waiting = true;
      void pending.then(() => {
        this.#waiting = false;
        if (!this.destroyed) this.#pump();
      });
    }
  }

  #endReadable(): void {
    if (this.#readEnded || this.destroyed) return;
    this.#readEnded = true;
    this.push(null);
    // Emits 'end' now if nothing is buffered, even with no reader (as net.Socket does at EOF).
    this.read(0);
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
        this.#session = encodeSession(ev.ticket, { authorized: this.authorized, authorizationError: this.authorizationError });
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
        this.#endReadable();
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
    this.alpnProtocol = info.alpn ?? false;
    if (this.#isServer) this.servername = info.serverName ?? false;
    if (info.resumed) {
      if (!this.#isServer) {
        // No certificate in a resumption: the outcome recorded with the session carries over (node:tls
        // restores it from the OpenSSL session the same way). A PSK handshake without one is unverified.
        const v = this.#resumedVerification;
        this.#auth.authorized = v?.authorized ?? false;
        this.#auth.authorizationError = v === null ? 'UNABLE_TO_GET_ISSUER_CERT' : v.authorizationError;
      } else if (info.peerCertificates.length > 0 && this.#clientPolicy !== null) {
        // The ticket kept the client's chain (RFC 8446 §4.6.1). Rejecting, the server issued that ticket
        // only after the chain verified (as OpenSSL keeps the verify result in its session); otherwise
        // verify it again to learn authorized / authorizationError before 'secure'.
        const { verifier, reject } = this.#clientPolicy;
        if (reject) {
          this.#auth.authorized = true;
          this.#auth.authorizationError = undefined;
        } else {
          // The connection may fail meanwhile (a bad record after the Finished): no 'secure' then.
          verifier.verify({ chain: info.peerCertificates, usage: 'clientAuth', now: new Date() }).then(
            () => {
              if (!this.destroyed) this.#secured();
            },
            (e: unknown) => this.destroy(e instanceof Error ? e : new Error(String(e))),
          );
          return;
        }
      }
    } else if (this.#isServer && info.peerCertificates.length === 0) {
      this.#auth.authorized = false;
      this.#auth.authorizationError = this.#auth.authorizationError ?? 'UNABLE_TO_GET_ISSUER_CERT';
    }
    this.#secured();
  }

  /** The handshake's outcome is known: publish it and emit 'secure' / 'secureConnect'. */
  #secured(): void {
    this.#secure = true;
    this.authorized = this.#auth.authorized;
    this.authorizationError = this.#auth.authorizationError;
    const early = this.#earlyData;
    if (early !== undefined && (this.#earlyRejected || this.#info?.earlyDataAccepted !== true)) {
      // Refused 0-RTT data was not delivered: send it now (RFC 8446 §4.2.10), before what was
      // written after it (held until now).
      this.#earlyData = undefined;
      (this.#conn as ClientConnection).write(early);
      this.#flushOut();
    }
    const held = this.#held;
    if (held !== null) {
      this.#held = null;
      this._write(held.chunk, 'binary', held.callback);
      if (this.destroyed) return;
    }
    this.emit(this.#isServer ? 'secure' : 'secureConnect');
    const pending = this.#afterSecure.splice(0);
    for (const f of pending) f();
  }
}
