/**
 * The DTLS 1.3 client: the TLS 1.3 client states (`ExpectServerHello` ...) behind the datagram core,
 * and 0-RTT in epoch 1 right after the ClientHello (RFC 9147 §6.1; see early-data.ts).
 */
import { _internal, type ClientTicket, type HandshakeInfo } from '@puretls/tls';
import type { DtlsClientConfig } from './config.js';
import { ContentType, EXT_CONNECTION_ID } from './constants.js';
import { DtlsConnection } from './connection.js';
import { earlyDataList, exportEarly, type EarlyExporter } from './early-data.js';
import { EARLY_EPOCH } from './record/record-layer.js';
import { ticketFrom } from './tickets.js';

const EMPTY = new Uint8Array(0);

export interface DtlsClientOptions {
  /** Overrides the config's server name. */
  readonly serverName?: string;
  /** The caller's clock at creation (ms); default `config.now()`. */
  readonly now?: number;
  /** A session from a `session_ticket` event to resume (PSK with (EC)DHE). */
  readonly session?: ClientTicket;
  /**
   * 0-RTT data sent with the resumption (needs `session` whose ticket allows early data; in total at
   * most its max_early_data_size): each element is one record in its own datagram of epoch 1, sent
   * right after the ClientHello and never retransmitted (RFC 9147 §6.1; datagram semantics: some may
   * be lost). `handshakeInfo.earlyDataAccepted` or an `early_data_rejected` event tells the outcome;
   * refused data was not delivered.
   */
  readonly earlyData?: Uint8Array | readonly Uint8Array[];
}

export class DtlsClientConnection extends DtlsConnection {
  readonly #offeredCid: Uint8Array | undefined;
  readonly #config: DtlsClientConfig;
  readonly #serverName: string | undefined;
  /** What a NewSessionTicket needs (RFC 8446 §4.6.1): set once the handshake completed. */
  #resumption: { ks: _internal.KeyScheduleContext; rms: Uint8Array; info: HandshakeInfo } | null = null;
  #earlyExporter: EarlyExporter | null = null;

  constructor(config: DtlsClientConfig, options: DtlsClientOptions = {}) {
    if (config === null || typeof config !== 'object' || config.datagram === undefined || config.variant === undefined) {
      throw new TypeError('config must come from dtlsClientConfig()');
    }
    super(config, options.now ?? config.now());
    if (options.session !== undefined && (options.session === null || typeof options.session !== 'object')) {
      throw new TypeError('options.session must be a ClientTicket (from a session_ticket event)');
    }
    if (options.session !== undefined && !config.cipherSuites.includes(options.session.cipherSuite)) {
      throw new TypeError('options.session: its cipher suite is not enabled in the config');
    }
    const checkedEarly = options.earlyData === undefined ? undefined : earlyDataList(options.earlyData, options.session);
    this.#config = config;
    this.#serverName = options.serverName ?? config.serverName;
    // An explicit session that is expired or was issued under another SNI is not offered (RFC 9846
    // §4.7.1): a full handshake, its 0-RTT not sent (reported below, for the application to resend).
    const dropped = options.session !== undefined && !_internal.sessionUsable(options.session, this.#serverName, config.now());
    const session = dropped ? undefined : options.session;
    const early = session === undefined ? undefined : checkedEarly;
    const provider = config.provider;
    const random = provider.randomBytes(32);
    const len = config.datagram.connectionIdLength;
    this.#offeredCid = len === undefined ? undefined : len > 0 ? provider.randomBytes(len) : EMPTY;
    const offered = this.#offeredCid;
    const io: _internal.ClientIo = {
      send: (m) => this.sendHandshake(m),
      // RFC 9147 §5: no change_cipher_spec, no compatibility mode.
      sendCcs: () => undefined,
      setRecordVersion: () => undefined,
      setWriteKeys: (ks, suite, secret) => this.setWriteKeys(ks, suite, secret),
      // After a HelloRetryRequest: the second ClientHello goes in epoch 0 again, 0-RTT is over.
      clearWriteKeys: () => this.records.clearEarlyWrite(),
      setReadKeys: (ks, suite, secret) => this.setReadKeys(ks, suite, secret),
      // 0-RTT goes out from the constructor, in epoch 1 (the TLS states never call this).
      sendEarlyData: () => {
        throw new Error('0-RTT over DTLS is sent by the constructor');
      },
      setCcsAllowed: () => undefined,
      // RFC 8449: our records keep to the server's limit too (the MTU bounds them anyway).
      setPeerRecordSizeLimit: (n) => {
        this.records.peerRecordSizeLimit = n;
      },
      limitReceivedRecords: (n) => {
        this.records.ourRecordSizeLimit = n;
      },
      complete: (info, t, rms) => {
        this.#resumption = { ks: t.ks, rms, info };
        this.enterTraffic(t);
        this.completeHandshake(info, false);
      },
      emitEarlyDataRejected: () => this.emit({ type: 'early_data_rejected' }),
      keyLog: (label, secret) => config.keyLog?.(label, random.slice(), secret.slice()),
      // RFC 9147 §5.1 / RFC 9146 §3: offer connection_id with the CID we want to receive.
      clientHelloExtensions: () => (offered === undefined ? [] : [{ type: EXT_CONNECTION_ID, data: vec8(offered) }]),
      handshakeWriteSecretKnown: (ks, suite, secret) => this.installWriteKeysEarly(ks, suite, secret),
    };
    const s: _internal.ClientShared = {
      io,
      config,
      serverName: options.serverName ?? config.serverName,
      random,
      sessionId: EMPTY,
      session,
      earlyData: early === undefined ? undefined : concat(early),
      transcript: new _internal.Transcript(provider),
      sentExtensions: new Set(),
      keyShares: [],
      helloRetry: false,
      ccsSent: false,
      earlyDataSent: false,
    };
    const max = this.maxDatagramPayload;
    const big = early?.find((d) => d.length > max);
    if (big !== undefined) throw new RangeError(`options.earlyData: an element of ${big.length} bytes does not fit one datagram (max ${max})`);
    const firstFlight = (): _internal.Step => {
      s.keyShares = config.keyShareGroups.map((g) => ({ group: g, keyPair: _internal.newKeyPair(s, g) }));
      _internal.sendClientHello(s, undefined);
      if (early !== undefined && session !== undefined) {
        // RFC 8446 §4.2.10 / RFC 9147 §6.1: client_early_traffic_secret, epoch 1.
        const k = _internal.earlyKeys(s, session);
        this.#earlyExporter = { ks: k.ks, secret: k.earlyExporterMasterSecret };
        this.records.setEarlyWriteKeys(k.ks, k.suite, k.clientEarlyTrafficSecret);
        s.earlyDataSent = true;
      }
      return new _internal.ExpectServerHello(s, undefined);
    };
    // After the ClientHello's datagram: each early message in a record and a datagram of its own. Not
    // once the 0-RTT keys are gone: input that came during a provider wait can hold a HelloRetryRequest,
    // which ends 0-RTT (RFC 8446 §4.2.10) and has already reported the early data rejected.
    const sendEarly = (): void => {
      if (this.error !== null || !s.earlyDataSent || this.records.writeKeys(EARLY_EPOCH) === undefined) return;
      for (const d of early ?? []) {
        this.records.append(EARLY_EPOCH, ContentType.application_data, d);
        this.records.flush();
      }
    };
    // A lazy provider may still have to load the key-share groups (and the 0-RTT suite's AEAD): the
    // first flight then waits for it (Waiting:Provider), early data right behind it.
    if (dropped && checkedEarly !== undefined) this.emit({ type: 'early_data_rejected', reason: 'session_unusable' });
    const needs = { groups: config.keyShareGroups, aeads: early !== undefined && session !== undefined ? [_internal.CipherSuite[session.cipherSuite].aead] : [] };
    const loading = provider.prepare?.(needs);
    if (loading !== undefined && loading !== null) {
      this.start(_internal.waitForProvider(loading, firstFlight));
      void this.pending?.then(() => this.guarded(sendEarly));
      return;
    }
    let first: _internal.Step;
    try {
      first = firstFlight();
    } catch (e) {
      throw new Error(`cannot start the handshake: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
    }
    this.start(first);
    sendEarly();
  }

  /** RFC 8446 §7.5: the early exporter (only on a connection that sent 0-RTT). */
  exportEarlyKeyingMaterial(label: string, context: Uint8Array, length: number): Uint8Array {
    return exportEarly(this.#earlyExporter, label, context, length);
  }

  protected override onSessionTicket(raw: Uint8Array): void {
    const r = this.#resumption;
    if (r === null) _internal.fail('UNEXPECTED_MESSAGE', 'unexpected_message', 'NewSessionTicket before the handshake completed');
    const ticket = ticketFrom(raw, r.ks, r.rms, r.info, this.#serverName, this.#config.now());
    if (ticket === null) return;
    if (this.#serverName !== undefined) this.#config.ticketStore?.put(this.#serverName, ticket);
    this.emit({ type: 'session_ticket', ticket });
  }

  protected inspect(m: _internal.RawHandshake): void {
    if (m.type !== 'server_hello' || m.body.isHelloRetryRequest) return;
    const ext = _internal.findExtension(m.body.extensions, EXT_CONNECTION_ID);
    if (ext === undefined || this.#offeredCid === undefined) return;
    // RFC 9146 §3: the server's value is the CID we put in our records.
    this.cid.sendCid = _internal.parseBody(ext.data, (r) => r.vec8(0, 255), 'connection_id').slice();
    this.cid.cidNegotiated = true;
    this.cid.recvCidLength = this.#offeredCid.length;
    this.cid.recvCids = this.#offeredCid.length > 0 ? [this.#offeredCid] : [];
  }
}

export function vec8(b: Uint8Array): Uint8Array {
  const out = new Uint8Array(1 + b.length);
  out[0] = b.length;
  out.set(b, 1);
  return out;
}

function concat(list: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(list.reduce((n, d) => n + d.length, 0));
  let at = 0;
  for (const d of list) {
    out.set(d, at);
    at += d.length;
  }
  return out;
}
