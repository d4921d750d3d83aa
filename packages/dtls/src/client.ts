/** The DTLS 1.3 client: the TLS 1.3 client states (`ExpectServerHello` ...) behind the datagram core. */
import { _internal, type ClientTicket, type HandshakeInfo } from '@puretls/tls';
import type { DtlsClientConfig } from './config.js';
import { EXT_CONNECTION_ID } from './constants.js';
import { DtlsConnection } from './connection.js';
import { ticketFrom } from './tickets.js';

const EMPTY = new Uint8Array(0);

export interface DtlsClientOptions {
  /** Overrides the config's server name. */
  readonly serverName?: string;
  /** The caller's clock at creation (ms); default `config.now()`. */
  readonly now?: number;
  /** A session from a `session_ticket` event to resume (PSK with (EC)DHE; no 0-RTT over DTLS). */
  readonly session?: ClientTicket;
}

export class DtlsClientConnection extends DtlsConnection {
  readonly #offeredCid: Uint8Array | undefined;
  readonly #config: DtlsClientConfig;
  readonly #serverName: string | undefined;
  /** What a NewSessionTicket needs (RFC 8446 §4.6.1): set once the handshake completed. */
  #resumption: { ks: _internal.KeyScheduleContext; rms: Uint8Array; info: HandshakeInfo } | null = null;

  constructor(config: DtlsClientConfig, options: DtlsClientOptions = {}) {
    if (config === null || typeof config !== 'object' || config.datagram === undefined || config.variant === undefined) {
      throw new TypeError('config must come from dtlsClientConfig()');
    }
    super(config, options.now ?? config.now());
    if (options.session !== undefined && !config.cipherSuites.includes(options.session.cipherSuite)) {
      throw new TypeError('options.session: its cipher suite is not enabled in the config');
    }
    this.#config = config;
    this.#serverName = options.serverName ?? config.serverName;
    const provider = config.provider;
    const random = provider.randomBytes(32);
    const len = config.datagram.connectionIdLength;
    this.#offeredCid = len === undefined ? undefined : len > 0 ? provider.randomBytes(len) : EMPTY;
    const offered = this.#offeredCid;
    const io: _internal.ClientIo = {
      send: (m) => this.sendHandshake(m),
      // RFC 9147 §5: no change_cipher_spec, no compatibility mode, no 0-RTT here.
      sendCcs: () => undefined,
      setRecordVersion: () => undefined,
      setWriteKeys: (ks, suite, secret) => this.setWriteKeys(ks, suite, secret),
      clearWriteKeys: () => undefined,
      setReadKeys: (ks, suite, secret) => this.setReadKeys(ks, suite, secret),
      sendEarlyData: () => {
        throw new Error('0-RTT is not supported over DTLS by this engine');
      },
      setCcsAllowed: () => undefined,
      // The path MTU bounds our records; record_size_limit is not offered.
      setPeerRecordSizeLimit: () => undefined,
      complete: (info, t, rms) => {
        this.#resumption = { ks: t.ks, rms, info };
        this.enterTraffic(t);
        this.completeHandshake(info, false);
      },
      emitEarlyDataRejected: () => undefined,
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
      session: options.session,
      earlyData: undefined,
      transcript: new _internal.Transcript(provider),
      sentExtensions: new Set(),
      keyShares: [],
      helloRetry: false,
      ccsSent: false,
      earlyDataSent: false,
    };
    try {
      s.keyShares = config.keyShareGroups.map((g) => ({ group: g, keyPair: _internal.newKeyPair(s, g) }));
      _internal.sendClientHello(s, undefined);
    } catch (e) {
      throw new Error(`cannot start the handshake: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
    }
    this.start(new _internal.ExpectServerHello(s, undefined));
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
