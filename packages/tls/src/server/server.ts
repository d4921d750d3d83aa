/**
 * The TLS 1.3 server connection (RFC 8446 §4 from the server's side). The handshake states live in
 * `expect-*.ts`; negotiation choices in `select.ts`, PSKs in `psk.ts`, HelloRetryRequest in
 * `hello-retry.ts`.
 */
import { SignatureScheme } from '@puretls/crypto';
import type { KeyLog, ServerConfig } from '../config.js';
import type { CertificateVerifier } from '../verifier.js';
import { ExtensionType as E } from '../constants.js';
import { Connection } from '../connection.js';
import { fail } from '../errors.js';
import type { HandshakeInfo } from '../events.js';
import type { KeyScheduleContext } from '../key-schedule/secrets.js';
import { Transcript } from '../key-schedule/transcript.js';
import { writeU16List } from '../messages/extensions.js';
import type { RawHandshake } from '../messages/handshake.js';
import type { Step } from '../state.js';
import { issueTickets } from '../ticket-messages.js';
import { PostHandshakeAuth } from './post-handshake-auth.js';
import { ExpectClientHello } from './expect-client-hello.js';
import type { ServerIo, Shared } from './shared.js';

export interface ServerConnectionOptions {
  /** Checks client certificates on this connection instead of the config's `clientVerifier`. */
  readonly clientVerifier?: CertificateVerifier;
  /** This connection's key log, instead of the config's. */
  readonly keyLog?: KeyLog;
}

export class ServerConnection extends Connection {
  readonly #config: ServerConfig;
  #earlyBudget = -1;
  #info: HandshakeInfo | null = null;
  readonly #shared: Shared;
  /** The transcript through the client's Finished: post-handshake authentication starts from it. */
  #handshakeTranscript: Transcript | null = null;
  #pha: PostHandshakeAuth | null = null;
  #ticketNonce = 0;
  /** The tickets of the handshake went out with the first flight. */
  #ticketsSent = false;

  readonly #clientVerifier: CertificateVerifier | undefined;

  constructor(config: ServerConfig, options: ServerConnectionOptions = {}) {
    if (config === null || typeof config !== 'object' || !Array.isArray(config.certificates)) {
      throw new TypeError('config must come from serverConfig()');
    }
    if (options === null || typeof options !== 'object') throw new TypeError('options must be an object');
    if (options.clientVerifier !== undefined && (options.clientVerifier === null || typeof options.clientVerifier.verify !== 'function')) {
      throw new TypeError('options.clientVerifier must be a CertificateVerifier');
    }
    if (options.keyLog !== undefined && typeof options.keyLog !== 'function') throw new TypeError('options.keyLog must be a function');
    super(config, options.keyLog);
    this.#config = config;
    this.#clientVerifier = options.clientVerifier ?? config.clientVerifier;
    const io: ServerIo = {
      send: (msg) => this.sendHandshake(msg),
      sendCcs: () => this.sendChangeCipherSpec(),
      setWriteKeys: (ks, suite, secret) => this.setWriteKeys(ks, suite, secret),
      setReadKeys: (ks, suite, secret) => this.setReadKeys(ks, suite, secret),
      setPeerRecordSizeLimit: (n) => this.setPeerRecordSizeLimit(n),
      limitReceivedRecords: (n, fromNextReadKey) => this.limitReceivedRecords(n, fromNextReadKey),
      setEarlyExporter: (ks, secret) => this.setEarlyExporter(ks, secret),
      keyLog: (label, clientRandom, secret) => this.logSecret(label, clientRandom, secret),
      finished: (sent, received) => this.setFinished(sent, received),
      allowCcs: () => {
        this.ccsAllowed = true;
      },
      skipEarlyData: (v) => {
        this.skipEarlyData = v;
      },
      acceptEarlyData: (max) => {
        this.#earlyBudget = max;
        this.readApplicationData = max >= 0;
      },
      enterTraffic: (t) => this.enterTraffic(t),
      earlyDataRefused: (reason) => this.emit({ type: 'early_data_rejected', reason }),
      complete: (info, rms, ks, suite) => {
        this.#handshakeTranscript = s.transcript.fork();
        this.#info = info;
        this.skipEarlyData = null;
        this.switchReadToTraffic();
        this.readApplicationData = true;
        this.handshakeComplete = true;
        this.ccsAllowed = false;
        this.emit({ type: 'handshake_complete', info });
        if (!this.#ticketsSent) this.#sendTickets(info, rms, ks);
      },
      sendTicketsEarly: (info, rms, ks) => {
        this.#ticketsSent = true;
        this.#sendTickets(info, rms, ks);
      },
    };
    const s: Shared = { io, config, transcript: new Transcript(config.provider), ccsSent: false, clientVerifier: this.#clientVerifier };
    this.#shared = s;
    this.start(new ExpectClientHello(s, undefined));
    // With stateless retries this connection may continue after a HelloRetryRequest sent by another
    // one, so the client's compatibility-mode CCS can precede the ClientHello it sees.
    if (config.statelessRetry !== undefined) this.ccsAllowed = true;
  }

  get handshakeInfo(): HandshakeInfo | null {
    return this.#info;
  }

  /** Whether the client offered post-handshake authentication (RFC 8446 §4.2.6). */
  get postHandshakeAuthOffered(): boolean {
    return this.#shared.postHandshakeAuth === true;
  }

  /**
   * Asks the client for a certificate after the handshake (RFC 8446 §4.6.2). The answer arrives as a
   * `client_certificate` event (an empty chain when the client declines and `required` is false).
   * Throws if the handshake is not complete, the client did not offer post_handshake_auth, there is
   * no `clientVerifier`, or a request is outstanding.
   */
  requestClientCertificate(options: { readonly required?: boolean } = {}): void {
    if (this.error !== null) throw this.error;
    const t = this.handshakeTraffic;
    if (!this.handshakeComplete || t === null || this.#handshakeTranscript === null) throw new Error('requestClientCertificate() before the handshake completed');
    if (!this.canWrite) throw new Error('requestClientCertificate() after close()');
    if (!this.postHandshakeAuthOffered) throw new Error('the client did not offer post_handshake_auth');
    if (this.#clientVerifier === undefined) throw new TypeError('requestClientCertificate() needs a clientVerifier (config or connection options)');
    if (this.#pha !== null) throw new Error('a post-handshake CertificateRequest is outstanding');
    const cfg = this.#config;
    // RFC 8446 §4.3.2: a context unique within the connection and unpredictable.
    const context = cfg.provider.randomBytes(16);
    const requested = cfg.signatureSchemes.filter((x) => !x.startsWith('rsa_pkcs1')).map((x) => SignatureScheme[x]);
    const transcript = this.#handshakeTranscript.fork();
    const cr = this.sendHandshake({ type: 'certificate_request', body: { certificateRequestContext: context, extensions: [{ type: E.signature_algorithms, data: writeU16List(requested) }] } });
    transcript.update(cr);
    this.flushHandshake();
    this.#pha = new PostHandshakeAuth({
      config: cfg,
      verifier: this.#clientVerifier,
      transcript,
      context,
      requested,
      required: options.required === true,
      ks: t.ks,
      readSecret: () => t.readSecret,
      done: (chain, scheme) => {
        this.#pha = null;
        this.emit({ type: 'client_certificate', peerCertificates: chain, signatureScheme: scheme });
      },
    });
  }

  protected override onPostHandshake(m: RawHandshake): Step | void {
    // RFC 8446 §4.6.2: Certificate, CertificateVerify and Finished only in answer to our request.
    if (this.#pha === null) fail('UNEXPECTED_MESSAGE', 'unexpected_message', `unexpected ${m.type} after the handshake`);
    return this.#pha.handle(m);
  }

  protected override onApplicationData(data: Uint8Array): void {
    if (this.handshakeComplete) {
      this.emit({ type: 'application_data', data });
      return;
    }
    // 0-RTT data (RFC 8446 §4.2.10): bounded by max_early_data_size.
    this.#earlyBudget -= data.length;
    if (this.#earlyBudget < 0) fail('TOO_MUCH_EARLY_DATA', 'unexpected_message', 'early data exceeds max_early_data_size');
    this.emit({ type: 'early_data', data });
  }

  #sendTickets(info: HandshakeInfo, rms: Uint8Array, ks: KeyScheduleContext): void {
    const tickets = issueTickets(this.#config, info, ks, rms, this.#ticketNonce, this.#config.maxEarlyDataSize);
    this.#ticketNonce += tickets.length;
    for (const body of tickets) this.sendHandshake({ type: 'new_session_ticket', body });
    this.flushHandshake();
  }
}
