/**
 * The DTLS 1.3 server: the TLS 1.3 server states (`ExpectClientHello` ...) behind the datagram core;
 * accepted 0-RTT is read in epoch 1 beside the handshake (RFC 9147 §5.6, §6.1; see early-data.ts).
 */
import { _internal } from '@puretls/tls';
import { vec8 } from './client.js';
import type { DtlsServerConfig } from './config.js';
import { EXT_CONNECTION_ID, HS_CLIENT_HELLO } from './constants.js';
import { DtlsConnection } from './connection.js';
import { configForPeer } from './cookie.js';
import { EarlyBudget, exportEarly, type EarlyExporter } from './early-data.js';
import { issueTickets } from './tickets.js';

const EMPTY = new Uint8Array(0);

export interface DtlsServerOptions {
  /** The client's address as bytes (binds cookies to it, RFC 9147 §5.1). */
  readonly peer?: Uint8Array;
  /** The caller's clock at creation (ms); default `config.now()`. */
  readonly now?: number;
}

export class DtlsServerConnection extends DtlsConnection {
  readonly #config: DtlsServerConfig;
  #myCid: Uint8Array | undefined;
  #ticketNonce = 0;
  #cidExtension: { type: number; data: Uint8Array }[] = [];
  readonly #early = new EarlyBudget();
  #earlyExporter: EarlyExporter | null = null;

  constructor(config: DtlsServerConfig, options: DtlsServerOptions = {}) {
    if (config === null || typeof config !== 'object' || config.datagram === undefined || config.variant === undefined) {
      throw new TypeError('config must come from dtlsServerConfig()');
    }
    if (options.peer !== undefined && !(options.peer instanceof Uint8Array)) throw new TypeError('options.peer must be a Uint8Array');
    super(config, options.now ?? config.now());
    this.#config = config;
    this.addressValidated = config.datagram.amplificationLimit === false;
    const peer = options.peer ?? EMPTY;
    const io: _internal.ServerIo = {
      send: (m) => this.sendHandshake(m),
      sendCcs: () => undefined,
      setWriteKeys: (ks, suite, secret) => this.setWriteKeys(ks, suite, secret),
      setReadKeys: (ks, suite, secret) => this.setReadKeys(ks, suite, secret),
      // RFC 8449: our records keep to the client's limit too (the MTU bounds them anyway).
      setPeerRecordSizeLimit: (n) => {
        this.records.peerRecordSizeLimit = n;
      },
      limitReceivedRecords: (n) => {
        this.records.ourRecordSizeLimit = n;
      },
      allowCcs: () => undefined,
      keyLog: (label, clientRandom, secret) => config.keyLog?.(label, clientRandom.slice(), secret.slice()),
      setEarlyExporter: (ks, secret) => {
        this.#earlyExporter = { ks, secret };
      },
      // Refused 0-RTT needs no skipping here: its epoch-1 records have no keys and are dropped.
      skipEarlyData: () => undefined,
      acceptEarlyData: (max) => {
        if (max >= 0) this.#early.accept(max);
      },
      setEarlyReadKeys: (ks, suite, secret) => this.records.setEarlyReadKeys(ks, suite, secret),
      earlyDataRefused: (reason) => this.emit({ type: 'early_data_rejected', reason }),
      enterTraffic: (t) => this.enterTraffic(t),
      complete: (info, rms, ks) => {
        this.switchReadToTraffic();
        this.completeHandshake(info, true);
        // RFC 8446 §4.6.1 over DTLS (RFC 9147 §5.8.4): tickets as post-handshake messages.
        const tickets = issueTickets(config, info, rms, ks, this.#ticketNonce);
        this.#ticketNonce += tickets.length;
        for (const t of tickets) this.sendPostHandshake(t, 'new_session_ticket');
      },
      serverHelloExtensions: () => this.#cidExtension,
    };
    // The first ClientHello picks the cookie key (current or previous period) before the TLS state runs.
    const first: _internal.State = {
      name: 'ExpectClientHello',
      handle: (m) => {
        const cookie = m.type === 'client_hello' ? _internal.findExtension(m.body.extensions, 44) : undefined;
        const cookieValue = cookie === undefined ? undefined : _internal.parseBody(cookie.data, (r) => r.vec16(1), 'cookie');
        const cfg = configForPeer(config, peer, cookieValue);
        const s: _internal.ServerShared = { io, config: cfg, transcript: new _internal.Transcript(config.provider), ccsSent: false };
        return new _internal.ExpectClientHello(s, undefined).handle(m);
      },
    };
    this.start(first);
  }

  /** RFC 8446 §4.2.10: accepted 0-RTT, within max_early_data_size. */
  protected override onEarlyData(data: Uint8Array): void {
    this.#early.take(data.length);
    this.emit({ type: 'early_data', data });
  }

  /** RFC 8446 §7.5: the early exporter (only on a connection that accepted 0-RTT). */
  exportEarlyKeyingMaterial(label: string, context: Uint8Array, length: number): Uint8Array {
    return exportEarly(this.#earlyExporter, label, context, length);
  }

  protected override onPlaintextHello(seq: number, messageSeq: number, type: number): void {
    if (type !== HS_CLIENT_HELLO) return;
    this.mirrorPlaintextSeq(seq);
    // After a stateless HelloRetryRequest the second ClientHello has message_seq 1 (RFC 9147 §5.2).
    if (this.#config.cookies !== undefined && messageSeq > 0) this.resumeAt(messageSeq);
  }

  protected inspect(m: _internal.RawHandshake): void {
    if (m.type !== 'client_hello') return;
    // A cookie we issued proves the address (an invalid one fails the handshake right after).
    if (this.#config.cookies !== undefined && _internal.findExtension(m.body.extensions, 44) !== undefined) this.addressValidated = true;
    const len = this.#config.datagram.connectionIdLength;
    const ext = _internal.findExtension(m.body.extensions, EXT_CONNECTION_ID);
    if (ext === undefined || len === undefined) {
      this.#cidExtension = [];
      this.cid.cidNegotiated = false;
      return;
    }
    // RFC 9146 §3: the client's value is what we send; ours goes in the ServerHello.
    this.cid.sendCid = _internal.parseBody(ext.data, (r) => r.vec8(0, 255), 'connection_id').slice();
    this.#myCid ??= len > 0 ? this.#config.provider.randomBytes(len) : EMPTY;
    this.cid.cidNegotiated = true;
    this.cid.recvCidLength = len;
    this.cid.recvCids = len > 0 ? [this.#myCid] : [];
    this.#cidExtension = [{ type: EXT_CONNECTION_ID, data: vec8(this.#myCid) }];
  }
}
