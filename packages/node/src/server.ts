/**
 * `createServer()`: a `net.Server` whose connections are TLS, like node's `tls.Server`: each accepted
 * socket becomes a `TLSSocket` and is announced with `'secureConnection'` once the handshake is done;
 * a connection that fails before that is reported as `'tlsClientError'`. Session tickets are sealed
 * under a key of this server (random unless `ticketKeys` is given), so clients can resume; as with
 * node:tls, `setSecureContext` draws a new random key unless ticket keys were given, so a session
 * issued under the previous context (its certificate, its client CAs) is not resumed under the new one.
 */
import { randomBytes } from 'node:crypto';
import { Server as NetServer, type Socket } from 'node:net';
import type { CryptoProvider } from '@puretls/crypto';
import { createStrikeRegister, createTicketSealer, type AntiReplay, type TicketSealer } from '@puretls/tls';
import { SecureContext, createSecureContext, type SecureContextOptions } from './secure-context.js';
import { resolveProvider, type ServerSideOptions } from './options.js';
import { shareServerConfig } from './server-config.js';
import { TLSSocket } from './tls-socket.js';
import type { TLSSocketOptions } from './options.js';

export interface ServerOptions extends ServerSideOptions {
  /** 32 bytes protecting session tickets (node takes 48; ours is one AES-256-GCM key). */
  readonly ticketKeys?: Uint8Array;
  /** Ours: NewSessionTicket messages after each full handshake (default 1; 0 disables resumption). */
  readonly ticketsPerHandshake?: number;
  /** As node:tls: each accepted `TLSSocket` starts paused (`resume()` or read it); the handshake still runs. */
  readonly pauseOnConnect?: boolean;
  /** Milliseconds a client gets to complete the handshake (default 120000, as node; 0: no limit). */
  readonly handshakeTimeout?: number;
}

/** `setSecureContext` options: node's, with `ticketKeys` to keep sessions valid across the change. */
export interface SetSecureContextOptions extends SecureContextOptions {
  readonly ticketKeys?: Uint8Array;
}

function checkTicketKeys(keys: unknown): Uint8Array {
  if (!(keys instanceof Uint8Array) || keys.length !== 32) throw new TypeError('options.ticketKeys must be 32 bytes');
  return new Uint8Array(keys);
}

export class Server extends NetServer {
  #options: ServerOptions;
  #context: SecureContext;
  readonly #provider: CryptoProvider;
  #sealer: TicketSealer | undefined;
  /** Ticket keys the caller gave (constructor or setSecureContext): they outlive a context change. */
  #ticketKeysGiven: boolean;
  readonly #antiReplay: AntiReplay | undefined;
  readonly #extra: { context: SecureContext; serverNames: string[] }[] = [];
  /** What every accepted socket gets, so they share one engine config; rebuilt when a context changes. */
  #socketOptions: TLSSocketOptions | null = null;

  constructor(options: ServerOptions = {}, listener?: (socket: TLSSocket) => void) {
    // The TCP sockets stay half-open: a TLSSocket ends its transport itself, after its last records
    // (which an asynchronous AEAD may still be sealing when the peer's FIN arrives). `allowHalfOpen`
    // applies to the TLSSocket, as with node:tls.
    super({ allowHalfOpen: true, pauseOnConnect: options?.pauseOnConnect === true });
    if (options === null || typeof options !== 'object') throw new TypeError('options must be an object');
    this.#options = options;
    this.#context = options.secureContext ?? createSecureContext(options);
    if (options.SNICallback === undefined && (this.#context.chain === undefined || this.#context.key === undefined) && (options.certificates ?? []).length === 0) {
      throw new TypeError('options.cert and options.key (or a secureContext with them) are required');
    }
    if (options.handshakeTimeout !== undefined && (!Number.isFinite(options.handshakeTimeout) || options.handshakeTimeout < 0)) {
      throw new RangeError('options.handshakeTimeout must be a non-negative number of milliseconds');
    }
    // A key we cannot sign with is the caller's mistake: say so now, not at the first connection.
    const provider = resolveProvider(options.provider);
    this.#context.signer(provider);
    this.#provider = provider;
    this.#ticketKeysGiven = options.ticketKeys !== undefined;
    this.#sealer = this.#newSealer(options.ticketKeys === undefined ? randomBytes(32) : checkTicketKeys(options.ticketKeys));
    this.#antiReplay = (options.maxEarlyData ?? 0) > 0 ? createStrikeRegister({ window: 20_000 }) : undefined;
    if (listener !== undefined) this.on('secureConnection', listener);
    this.on('connection', (raw: Socket) => this.#onConnection(raw));
  }

  /** Serves `context` to clients asking for `hostname` by SNI (exact name). */
  addContext(hostname: string, context: SecureContext | SecureContextOptions): void {
    if (typeof hostname !== 'string' || hostname === '') throw new TypeError('hostname must be a non-empty string');
    const ctx = context instanceof SecureContext ? context : createSecureContext(context);
    this.#extra.push({ context: ctx, serverNames: [hostname.toLowerCase()] });
    this.#socketOptions = null;
  }

  /**
   * Replaces the key material for new connections. Sessions issued before are not resumed after it
   * (a new random ticket key, as node:tls), unless ticket keys were given, here or to the server.
   */
  setSecureContext(options: SetSecureContextOptions): void {
    if (options === null || typeof options !== 'object') throw new TypeError('options must be an object');
    const keys = options.ticketKeys === undefined ? undefined : checkTicketKeys(options.ticketKeys);
    const context = createSecureContext(options);
    context.signer(this.#provider);
    this.#context = context;
    if (keys !== undefined) {
      this.#ticketKeysGiven = true;
      this.#sealer = this.#newSealer(keys);
    } else if (!this.#ticketKeysGiven) {
      // A resumption shows no certificate: a client verified under the old context's CAs (or a
      // server certificate now replaced) must not come back in without a full handshake.
      this.#sealer = this.#newSealer(randomBytes(32));
    }
    this.#socketOptions = null;
  }

  #newSealer(keys: Uint8Array): TicketSealer | undefined {
    return this.#options.ticketsPerHandshake === 0 ? undefined : createTicketSealer(this.#provider, keys);
  }

  #onConnection(raw: Socket): void {
    const o = this.#options;
    let socket: TLSSocket;
    try {
      this.#socketOptions ??= shareServerConfig({
        ...o,
        isServer: true,
        secureContext: this.#context,
        certificates: [...(o.certificates ?? []), ...this.#extra],
        ...(this.#sealer === undefined ? {} : { ticketSealer: this.#sealer }),
        ...(this.#antiReplay === undefined ? {} : { antiReplay: this.#antiReplay }),
      });
      socket = new TLSSocket(raw, this.#socketOptions);
      // The TLSSocket takes the paused state a net.Server gives its socket (node:tls does the same).
      if (o.pauseOnConnect === true) socket.pause();
    } catch (e) {
      raw.destroy();
      this.emit('tlsClientError', e, undefined);
      return;
    }
    const onError = (e: Error): void => {
      this.emit('tlsClientError', e, socket);
    };
    socket.on('error', onError);
    const limit = o.handshakeTimeout ?? 120_000;
    const timer =
      limit > 0
        ? setTimeout(() => socket.destroy(Object.assign(new Error('TLS handshake timeout'), { code: 'ERR_TLS_HANDSHAKE_TIMEOUT' })), limit)
        : undefined;
    timer?.unref();
    socket.once('close', () => clearTimeout(timer));
    socket.once('secure', () => {
      clearTimeout(timer);
      socket.off('error', onError);
      this.emit('secureConnection', socket);
    });
  }
}

export function createServer(options: ServerOptions = {}, listener?: (socket: TLSSocket) => void): Server {
  return new Server(options, listener);
}
