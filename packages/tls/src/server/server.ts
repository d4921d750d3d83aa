/**
 * The TLS 1.3 server connection (RFC 8446 §4 from the server's side). The handshake states live in
 * `expect-*.ts`; negotiation choices in `select.ts`, PSKs in `psk.ts`, HelloRetryRequest in
 * `hello-retry.ts`.
 */
import { Reader, Writer } from '@puretls/wire';
import type { ServerConfig } from '../config.js';
import { ExtensionType as E } from '../constants.js';
import { Connection } from '../connection.js';
import { fail } from '../errors.js';
import type { HandshakeInfo } from '../events.js';
import { resumptionPsk, type KeyScheduleContext } from '../key-schedule/secrets.js';
import { Transcript } from '../key-schedule/transcript.js';
import { encode, type Extension } from '../messages/extensions.js';
import type { CipherSuite as Suite } from '../suites.js';
import { ExpectClientHello } from './expect-client-hello.js';
import type { ServerIo, Shared } from './shared.js';

export class ServerConnection extends Connection {
  readonly #config: ServerConfig;
  #earlyBudget = -1;
  #info: HandshakeInfo | null = null;

  constructor(config: ServerConfig) {
    if (config === null || typeof config !== 'object' || !Array.isArray(config.certificates)) {
      throw new TypeError('config must come from serverConfig()');
    }
    super(config);
    this.#config = config;
    const io: ServerIo = {
      send: (msg) => this.sendHandshake(msg),
      sendCcs: () => this.sendChangeCipherSpec(),
      setWriteKeys: (ks, suite, secret) => this.setWriteKeys(ks, suite, secret),
      setReadKeys: (ks, suite, secret) => this.setReadKeys(ks, suite, secret),
      setPeerRecordSizeLimit: (n) => this.setPeerRecordSizeLimit(n),
      setEarlyExporter: (ks, secret) => this.setEarlyExporter(ks, secret),
      keyLog: (label, clientRandom, secret) => this.logSecret(label, clientRandom, secret),
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
      complete: (info, rms, ks, suite) => {
        this.#info = info;
        this.skipEarlyData = null;
        this.switchReadToTraffic();
        this.readApplicationData = true;
        this.handshakeComplete = true;
        this.ccsAllowed = false;
        this.emit({ type: 'handshake_complete', info });
        this.#sendTickets(info, rms, ks, suite);
      },
    };
    const s: Shared = { io, config, transcript: new Transcript(config.provider), ccsSent: false };
    this.start(new ExpectClientHello(s, undefined));
    // With stateless retries this connection may continue after a HelloRetryRequest sent by another
    // one, so the client's compatibility-mode CCS can precede the ClientHello it sees.
    if (config.statelessRetry !== undefined) this.ccsAllowed = true;
  }

  get handshakeInfo(): HandshakeInfo | null {
    return this.#info;
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

  #sendTickets(info: HandshakeInfo, rms: Uint8Array, ks: KeyScheduleContext, suite: Suite): void {
    const cfg = this.#config;
    const sealer = cfg.ticketSealer;
    if (sealer === undefined) return;
    for (let i = 0; i < cfg.ticketsPerHandshake; i++) {
      const nonce = new Writer().u16(i).finish();
      const ageAddBytes = cfg.provider.randomBytes(4);
      const ageAdd = new Reader(ageAddBytes).u32();
      const psk = resumptionPsk(ks, rms, nonce);
      const ticket = sealer.seal({
        psk,
        cipherSuite: suite.name,
        issuedAt: cfg.now(),
        lifetime: cfg.ticketLifetime,
        ageAdd,
        maxEarlyDataSize: cfg.maxEarlyDataSize,
        alpn: info.alpn,
        serverName: info.serverName,
      });
      const exts: Extension[] = cfg.maxEarlyDataSize > 0 ? [{ type: E.early_data, data: encode((w) => w.u32(cfg.maxEarlyDataSize)) }] : [];
      this.sendHandshake({ type: 'new_session_ticket', body: { ticketLifetime: cfg.ticketLifetime, ticketAgeAdd: ageAdd, ticketNonce: nonce, ticket, extensions: exts } });
    }
    this.flushHandshake();
  }
}
