/**
 * The TLS 1.3 client connection (RFC 8446 §4 from the client's side). The handshake states live in
 * `expect-*.ts`, each named for the message it expects and handling only that one.
 */
import { copyBytes } from '../bytes.js';
import type { ClientConfig, KeyLog } from '../config.js';
import { TLS12 } from '../constants.js';
import { Connection } from '../connection.js';
import { fail, TlsError } from '../errors.js';
import type { HandshakeInfo } from '../events.js';
import type { KeyScheduleContext } from '../key-schedule/secrets.js';
import { Transcript } from '../key-schedule/transcript.js';
import type { RawHandshake } from '../messages/handshake.js';
import { ticketFrom } from '../ticket-messages.js';
import { sessionUsable, type ClientTicket } from '../tickets.js';
import { waitForProvider, type Step } from '../state.js';
import { CipherSuite } from '../suites.js';
import type { CertificateVerifier } from '../verifier.js';
import { answerCertificateRequest } from './post-handshake-auth.js';
import { ExpectServerHello } from './expect-server-hello.js';
import { earlyKeys } from './early-data.js';
import { newKeyPair, sendClientHello, type ClientIo, type Shared } from './shared.js';

export interface ClientConnectionOptions {
  /** Overrides the config's server name for this connection. */
  readonly serverName?: string;
  /** A ticket from an earlier connection to resume. */
  readonly session?: ClientTicket;
  /** Data to send as 0-RTT with the resumption (needs a ticket allowing early data). */
  readonly earlyData?: Uint8Array;
  /** Checks the server's certificate on this connection instead of the config's verifier. */
  readonly verifier?: CertificateVerifier;
  /** This connection's key log, instead of the config's (see `ClientConfigOptions.keyLog`). */
  readonly keyLog?: KeyLog;
}

export class ClientConnection extends Connection {
  readonly #config: ClientConfig;
  #rms: Uint8Array | null = null;
  #info: HandshakeInfo | null = null;
  #ks: KeyScheduleContext | null = null;
  /** The transcript through our Finished: post-handshake authentication starts from it. */
  #handshakeTranscript: Transcript | null = null;
  readonly #serverName: string | undefined;

  constructor(config: ClientConfig, options: ClientConnectionOptions = {}) {
    if (config === null || typeof config !== 'object' || typeof config.verifier?.verify !== 'function') {
      throw new TypeError('config must come from clientConfig() (a verifier is required)');
    }
    if (options.verifier !== undefined && (options.verifier === null || typeof options.verifier.verify !== 'function')) {
      throw new TypeError('options.verifier must be a CertificateVerifier');
    }
    if (options.keyLog !== undefined && typeof options.keyLog !== 'function') throw new TypeError('options.keyLog must be a function');
    super(config, options.keyLog);
    this.#config = config;
    const serverName = options.serverName ?? config.serverName;
    this.#serverName = serverName;
    if (options.session !== undefined && (options.session === null || typeof options.session !== 'object')) {
      throw new TypeError('options.session must be a ClientTicket (from a session_ticket event)');
    }
    if (options.session !== undefined && !config.cipherSuites.includes(options.session.cipherSuite)) {
      throw new TypeError('options.session: its cipher suite is not enabled in the config');
    }
    // An explicit session first, then the configured external PSK, then a stored ticket. An explicit
    // session that is expired or was issued under another SNI is not offered (RFC 9846 §4.7.1): a
    // full handshake, as with a stored one, never an error.
    const explicit = options.session;
    const dropped = explicit !== undefined && !sessionUsable(explicit, serverName, config.now());
    const session = explicit !== undefined ? (dropped ? undefined : explicit) : config.externalPsk !== undefined ? undefined : storedTicket(config, serverName);
    let earlyData = options.earlyData;
    if (earlyData !== undefined) {
      if (!(earlyData instanceof Uint8Array)) throw new TypeError('options.earlyData must be a Uint8Array');
      const given = explicit ?? session;
      if (given === undefined || given.maxEarlyDataSize === 0) throw new TypeError('options.earlyData needs a session whose ticket allows early data');
      if (earlyData.length > given.maxEarlyDataSize) throw new RangeError(`options.earlyData exceeds the ticket's max_early_data_size ${given.maxEarlyDataSize}`);
      earlyData = session === undefined ? undefined : copyBytes(earlyData);
    }
    const provider = config.provider;
    // Order of randomness: client random, then legacy_session_id (compatibility mode).
    const random = provider.randomBytes(32);
    const sessionId = config.compatibilityMode ? provider.randomBytes(32) : new Uint8Array(0);
    const io: ClientIo = {
      send: (msg) => this.sendHandshake(msg),
      sendCcs: () => this.sendChangeCipherSpec(),
      setRecordVersion: (v) => this.setRecordVersion(v),
      setWriteKeys: (ks, suite, secret) => this.setWriteKeys(ks, suite, secret),
      clearWriteKeys: () => this.clearWriteKeys(),
      setReadKeys: (ks, suite, secret) => this.setReadKeys(ks, suite, secret),
      sendEarlyData: (d) => this.sendEarlyApplicationData(d),
      setCcsAllowed: (v) => {
        this.ccsAllowed = v;
      },
      setPeerRecordSizeLimit: (n) => this.setPeerRecordSizeLimit(n),
      limitReceivedRecords: (n) => this.limitReceivedRecords(n),
      complete: (info, t, rms) => {
        this.#handshakeTranscript = s.transcript.fork();
        this.#rms = rms;
        this.#info = info;
        this.#ks = t.ks;
        this.enterTraffic(t);
        this.readApplicationData = true;
        this.handshakeComplete = true;
        this.emit({ type: 'handshake_complete', info });
      },
      emitEarlyDataRejected: () => this.emit({ type: 'early_data_rejected' }),
      keyLog: (label, secret) => this.logSecret(label, random, secret),
      finished: (sent, received) => this.setFinished(sent, received),
    };
    const s: Shared = {
      io,
      config,
      verifier: options.verifier,
      serverName,
      random,
      sessionId,
      session,
      externalPsk: session === undefined ? config.externalPsk : undefined,
      earlyData,
      transcript: new Transcript(provider),
      sentExtensions: new Set(),
      keyShares: [],
      helloRetry: false,
      ccsSent: false,
      earlyDataSent: false,
    };
    const firstFlight = (): Step => {
      s.keyShares = config.keyShareGroups.map((g) => ({ group: g, keyPair: newKeyPair(s, g) }));
      // RFC 8446 §5.1: the initial ClientHello may use record version 0x0301 for compatibility.
      this.setRecordVersion(0x0301);
      sendClientHello(s, undefined);
      this.flushHandshake();
      this.setRecordVersion(TLS12);
      this.ccsAllowed = true;
      if (earlyData !== undefined && session !== undefined) {
        // RFC 8446 §4.2.10: 0-RTT under client_early_traffic_secret, right after the ClientHello.
        if (config.compatibilityMode) {
          this.sendChangeCipherSpec();
          s.ccsSent = true;
        }
        const k = earlyKeys(s, session);
        this.setEarlyExporter(k.ks, k.earlyExporterMasterSecret);
        this.setWriteKeys(k.ks, k.suite, k.clientEarlyTrafficSecret);
        this.sendEarlyApplicationData(earlyData);
        s.earlyDataSent = true;
      }
      return new ExpectServerHello(s, undefined);
    };
    // A lazy provider may still have to load the key-share groups (and the 0-RTT suite's AEAD): the
    // first flight then waits for it (state Waiting:Provider), and a failure building it fails the connection.
    const early = earlyData !== undefined && session !== undefined ? [CipherSuite[session.cipherSuite].aead] : [];
    // The session was not offered: its 0-RTT data was not sent either (the application resends it).
    if (dropped && options.earlyData !== undefined) this.emit({ type: 'early_data_rejected', reason: 'session_unusable' });
    const loading = provider.prepare?.({ groups: config.keyShareGroups, aeads: early });
    if (loading !== undefined && loading !== null) {
      this.start(waitForProvider(loading, firstFlight));
      return;
    }
    let first: Step;
    try {
      first = firstFlight();
    } catch (e) {
      // Local failure while building the first flight (a bad hook or key): refuse loudly.
      if (e instanceof TlsError) throw new Error(`cannot start the handshake: ${e.message}`, { cause: e });
      throw e;
    }
    this.start(first);
  }

  /** Negotiated parameters once the handshake is complete. */
  get handshakeInfo(): HandshakeInfo | null {
    return this.#info;
  }

  protected override onPostHandshake(m: RawHandshake): Step | void {
    if (m.type === 'certificate_request') {
      // RFC 8446 §4.6.2: without post_handshake_auth offered, a CertificateRequest is unexpected.
      if (!this.#config.postHandshakeAuth) fail('UNEXPECTED_MESSAGE', 'unexpected_message', 'post-handshake CertificateRequest without post_handshake_auth');
      const t = this.handshakeTraffic;
      if (t === null || this.#handshakeTranscript === null) fail('UNEXPECTED_MESSAGE', 'unexpected_message', 'CertificateRequest before the handshake completed');
      // After our close_notify nothing more can be sent: the request goes unanswered.
      if (!this.canWrite) return;
      return answerCertificateRequest({
        config: this.#config,
        transcript: this.#handshakeTranscript.fork(),
        ks: t.ks,
        writeSecret: () => t.writeSecret,
        send: (msg) => this.sendHandshake(msg),
      }, m);
    }
    if (m.type !== 'new_session_ticket') fail('UNEXPECTED_MESSAGE', 'unexpected_message', `unexpected ${m.type} after the handshake`);
    const info = this.#info as HandshakeInfo;
    const ticket = ticketFrom(m.body, this.#ks as KeyScheduleContext, this.#rms as Uint8Array, info, this.#serverName, this.#config.now());
    if (ticket === null) return; // RFC 8446 §4.6.1: lifetime zero means "do not resume".
    if (this.#serverName !== undefined) this.#config.ticketStore?.put(this.#serverName, ticket);
    this.emit({ type: 'session_ticket', ticket });
  }
}

/** Takes at most this many tickets from a store looking for a usable one. */
const MAX_STORE_TAKES = 32;

/** A usable ticket from the store: same server, enabled suite, not expired (RFC 9846 §4.7.1). */
function storedTicket(config: ClientConfig, serverName: string | undefined): ClientTicket | undefined {
  const store = config.ticketStore;
  if (store === undefined || serverName === undefined) return undefined;
  const now = config.now();
  const usable = (t: ClientTicket): boolean => config.cipherSuites.includes(t.cipherSuite) && sessionUsable(t, serverName, now);
  // A store may ignore `usable` and hand the same ticket out again (one with `reuse`): the search
  // ends at the first repeat, and in any case after a bounded number of takes.
  const seen = new Set<ClientTicket>();
  for (let i = 0; i < MAX_STORE_TAKES; i++) {
    const t = store.take(serverName, now, usable);
    if (t === undefined || seen.has(t)) return undefined;
    if (usable(t)) return t;
    seen.add(t);
  }
  return undefined;
}
