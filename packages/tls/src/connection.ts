/**
 * The sans-IO connection core shared by client and server: record input (deframing, decryption,
 * change_cipher_spec tolerance, alerts, handshake reassembly bounded by a limit), record output
 * (`record/output.ts`, plus the automatic KeyUpdate), events,
 * asynchronous steps as a waiting state, and sticky failure with the alert queued.
 *
 * The handshake logic lives in `client/` and `server/` as states named for what they expect.
 */
import type { CryptoProvider, KeyPair, NamedGroupName } from '@puretls/crypto';
import { copyBytes } from './bytes.js';
import { AlertDescription, AlertLevel, alertName, ContentType, MAX_PLAINTEXT, type AlertDescriptionName } from './constants.js';
import { TlsError, fail, toTlsError } from './errors.js';
import type { TlsEvent } from './events.js';
import { encodeHandshake, type HandshakeMessage, type RawHandshake } from './messages/handshake.js';
import { HandshakeReassembler } from './record/handshake-reassembly.js';
import { Wait, type State, type Step } from './state.js';
import { RecordDeframer, type RawRecord } from './record/deframer.js';
import type { PaddingPolicy } from './record/fragmenter.js';
import { RecordOutput } from './record/output.js';
import { RecordOpener, RecordSealer } from './record/protection.js';
import type { CipherSuite } from './suites.js';
import type { KeyScheduleContext } from './key-schedule/secrets.js';
import { exportKeyingMaterial, nextTrafficSecret } from './key-schedule/secrets.js';
import { Fifo } from './fifo.js';
import { trafficKeys } from './key-schedule/traffic.js';

/**
 * Records and messages in a row that carry no application data: empty application data records,
 * KeyUpdates, NewSessionTickets, post-handshake CertificateRequests, change_cipher_spec, ignored
 * warning alerts. Each is legal, but a peer looping on them costs us work (a KeyUpdate derives keys, a
 * CertificateRequest a signature) without bound; other stacks cap the same (OpenSSL 32 empty records,
 * BoringSSL 32 KeyUpdates, Go 16 post-handshake messages).
 */
const MAX_NON_ADVANCING = 32;

/** What protection adds to a TLS 1.3 record's plaintext at least: the inner content type and a 16-byte tag. */
const EARLY_RECORD_EXPANSION = 17;

export interface CommonSettings {
  readonly provider: CryptoProvider;
  readonly now: () => number;
  readonly padding: PaddingPolicy | undefined;
  readonly maxHandshakeMessageSize: number;
  /** Optional so configs made before this limit existed keep working (default 256 KiB). */
  readonly maxPendingInput?: number;
  readonly keyUpdateAfterRecords: number | undefined;
  readonly keyPair: ((group: NamedGroupName) => KeyPair) | undefined;
  readonly keyLog: ((label: string, clientRandom: Uint8Array, secret: Uint8Array) => void) | undefined;
}

/** Traffic secrets of the established connection, for KeyUpdate and exporters. */
interface TrafficState {
  readonly ks: KeyScheduleContext;
  readonly suite: CipherSuite;
  readSecret: Uint8Array;
  writeSecret: Uint8Array;
  readonly exporterMasterSecret: Uint8Array;
}

/** The verify_data of each side's Finished (RFC 8446 §4.4.4), as node:tls's getFinished()/getPeerFinished(). */
export interface FinishedMessages {
  /** Our Finished. */
  readonly sent: Uint8Array;
  /** The peer's Finished. */
  readonly received: Uint8Array;
}

/** Caller checks of the exporters (RFC 8446 §7.5): a local misuse throws. */
function checkExporterArgs(label: unknown, context: unknown, length: number): void {
  if (typeof label !== 'string') throw new TypeError('label must be a string');
  if (!(context instanceof Uint8Array)) throw new TypeError('context must be a Uint8Array');
  if (!Number.isInteger(length) || length < 0 || length > 0xffff) throw new RangeError('length must be 0..65535');
}

export abstract class Connection {
  protected readonly settings: CommonSettings;
  #deframer = new RecordDeframer();
  #reader: RecordOpener | null = null;
  readonly #output: RecordOutput;
  #events = new Fifo<TlsEvent>();
  readonly #handshakeIn: HandshakeReassembler;
  #state: State | null = null;
  #waitingFor: string | null = null;
  #pending: Promise<void> | null = null;
  #error: TlsError | null = null;
  #readClosed = false;
  #writeClosed = false;
  /** close() came before our side of the handshake was done: close_notify follows it; writing is over now. */
  #closeDeferred = false;
  #appOutQueue: Uint8Array[] = [];
  #traffic: TrafficState | null = null;
  #earlyExporter: { ks: KeyScheduleContext; secret: Uint8Array } | null = null;
  #finished: FinishedMessages | null = null;
  #keyUpdatePending = false;
  /** Records and messages received in a row without application data (see MAX_NON_ADVANCING). */
  #nonAdvancing = 0;
  /** KeyUpdates we asked the peer for and it still owes: its answers are not counted as no progress. */
  #updatesAsked = 0;
  /** We answered a KeyUpdate request and sent no application data since. */
  #answeredSinceData = false;
  /** Requests came after that answer: one more KeyUpdate goes before our next application data. */
  #keyUpdateOwed = false;
  /** Whether any protected record was opened: before that, the peer may still send a cleartext alert. */
  #openedAny = false;
  /** Our record_size_limit once negotiated (RFC 8449 §4), enforced on every record opened since. */
  #recordSizeLimit: number | null = null;
  /** Negotiated while the peer still writes 0-RTT: enforced from its next read key (see `limitReceivedRecords`). */
  #recordSizeLimitNext: number | null = null;
  /** While true, an unprotected change_cipher_spec of value 1 is dropped (RFC 9846 §5). */
  protected ccsAllowed = false;
  /** While true, decrypted application_data records are handed to `onApplicationData`. */
  protected readApplicationData = false;
  /** Set when the peer's Finished was accepted: later handshake messages are post-handshake. */
  protected handshakeComplete = false;
  /** Server: 0-RTT being skipped after rejecting it (bytes still allowed) and how. */
  protected skipEarlyData: { remaining: number; trialDecrypt: boolean } | null = null;

  /** The connection's key log: its own (an option of the connection) or the config's. */
  readonly #keyLog: CommonSettings['keyLog'];

  protected constructor(settings: CommonSettings, keyLog?: CommonSettings['keyLog']) {
    this.settings = settings;
    this.#keyLog = keyLog ?? settings.keyLog;
    this.#output = new RecordOutput(settings.padding);
    this.#handshakeIn = new HandshakeReassembler(settings.maxHandshakeMessageSize);
  }

  // ---- public API --------------------------------------------------------------------------------

  /** The current state: `Expect...`, `Waiting:...`, `Connected`, `Closed` or `Failed`. */
  get state(): string {
    if (this.#error !== null) return 'Failed';
    if (this.#readClosed && this.#writeClosed) return 'Closed';
    if (this.#waitingFor !== null) return `Waiting:${this.#waitingFor}`;
    return this.#state?.name ?? 'Start';
  }

  /** The error that failed the connection, if any (sticky). */
  get error(): TlsError | null {
    return this.#error;
  }

  /**
   * Settles when an asynchronous step finishes (then `pull()` and `poll()` again); null if none. Steps
   * are a signer or verifier, and, with an AEAD that has asynchronous forms (Web Crypto), each
   * application data record being opened or sealed.
   */
  get pending(): Promise<void> | null {
    return this.#pending ?? this.#output.inFlight;
  }

  /** True once application data can be written (handshake complete on our side). */
  get canWrite(): boolean {
    return this.#traffic !== null && !this.#writeClosed && this.#error === null;
  }

  /**
   * The verify_data of the handshake's Finished messages, ours and the peer's (RFC 8446 §4.4.4);
   * null until the handshake completed. Copies: the caller may keep or change them.
   */
  get finished(): FinishedMessages | null {
    const f = this.#finished;
    return f === null ? null : Object.freeze({ sent: f.sent.slice(), received: f.received.slice() });
  }

  /** Bytes from the peer, in any split. Peer misbehaviour fails the connection (see `error`). */
  feed(bytes: Uint8Array): void {
    if (!(bytes instanceof Uint8Array)) throw new TypeError('bytes must be a Uint8Array');
    if (this.#error !== null || this.#readClosed) return;
    try {
      this.#deframer.push(bytes);
      // While an asynchronous step is pending nothing is consumed: bound what a peer can pile up.
      // internal_error, because this is a local resource limit (RFC 8446 §6.2: "unrelated to the
      // peer or the correctness of the protocol"), not proof the peer broke the protocol.
      const limit = this.settings.maxPendingInput ?? 262144;
      if (this.#pending !== null && this.#deframer.buffered > limit) {
        fail('PENDING_INPUT_LIMIT', 'internal_error', `more than ${limit} bytes fed while waiting for ${this.#waitingFor ?? 'an asynchronous step'}`);
      }
    } catch (e) {
      this.#fail(toTlsError(e));
      return;
    }
    this.#run();
    // Records were read in place: keep what is left before the caller reuses its bytes.
    this.#deframer.release();
  }

  /** The next bytes to send to the peer, or null. */
  pull(): Uint8Array | null {
    return this.#output.pull();
  }

  /** The next event, or null. */
  poll(): TlsEvent | null {
    return this.#events.shift() ?? null;
  }

  /**
   * Application data. Before the handshake completes it is queued and sent once it does.
   * Throws after `close()` or failure (a local misuse).
   */
  write(data: Uint8Array): void {
    if (!(data instanceof Uint8Array)) throw new TypeError('data must be a Uint8Array');
    if (this.#error !== null) throw this.#error;
    if (this.#writeClosed || this.#closeDeferred) throw new Error('write after close()');
    if (this.#traffic === null) {
      this.#appOutQueue.push(copyBytes(data));
      return;
    }
    this.#guard(() => this.#writeApplicationData(data));
  }

  /**
   * Sends close_notify and closes our write side (RFC 9846 §6.1); reading continues. Before our side of
   * the handshake is done (our Finished sent), close_notify waits for it and for the data written
   * before close(): the peer ignores everything after a close_notify, the rest of the handshake
   * included, so sending it at once would leave the handshake unfinishable.
   */
  close(): void {
    if (this.#error !== null || this.#writeClosed || this.#closeDeferred) return;
    if (this.#traffic === null) {
      this.#closeDeferred = true;
      return;
    }
    this.#guard(() => this.#sendCloseNotify());
  }

  /**
   * Abandons the handshake: sends user_canceled and then close_notify (RFC 9846 §6.1) and fails the
   * connection with code `CANCELED`. Once the handshake is complete it is `close()`, as the RFC
   * advises. Nothing is sent by a client whose ClientHello never went out.
   */
  cancel(): void {
    if (this.#error !== null) return;
    if (this.handshakeComplete) {
      this.close();
      return;
    }
    this.#output.dropHandshake();
    if (!this.#writeClosed && this.#state !== null) {
      try {
        this.#sendAlert('user_canceled', AlertLevel.warning);
        this.#sendAlert('close_notify', AlertLevel.warning);
      } catch {
        // Nothing more can be said to the peer.
      }
    }
    this.#closeDeferred = false;
    this.#appOutQueue = [];
    this.#readClosed = true;
    this.#fail(new TlsError('CANCELED', 'user_canceled', 'the handshake was canceled'), false);
  }

  /** Sends a KeyUpdate; with `requestPeer` the peer must update its sending key too (RFC 8446 §4.6.3). */
  keyUpdate(requestPeer = false): void {
    if (this.#error !== null) throw this.#error;
    if (this.#traffic === null) throw new Error('keyUpdate() before the handshake completed');
    if (this.#writeClosed) throw new Error('keyUpdate() after close()');
    this.#guard(() => this.#sendKeyUpdate(requestPeer));
  }

  /** TLS-Exporter (RFC 8446 §7.5), after the handshake. */
  exportKeyingMaterial(label: string, context: Uint8Array, length: number): Uint8Array {
    checkExporterArgs(label, context, length);
    if (this.#traffic === null) throw new Error('exportKeyingMaterial() before the handshake completed');
    const t = this.#traffic;
    return exportKeyingMaterial(t.ks, t.exporterMasterSecret, label, context, length);
  }

  /**
   * The early exporter (RFC 9846 §7.5), from early_exporter_master_secret: available to a client
   * that sent 0-RTT and to a server that accepted it. Its keys are not forward secret, and 0-RTT
   * may be replayed: use it only where that is acceptable.
   */
  exportEarlyKeyingMaterial(label: string, context: Uint8Array, length: number): Uint8Array {
    checkExporterArgs(label, context, length);
    if (this.#earlyExporter === null) throw new Error('exportEarlyKeyingMaterial() without 0-RTT on this connection');
    return exportKeyingMaterial(this.#earlyExporter.ks, this.#earlyExporter.secret, label, context, length);
  }

  // ---- for the handshake states ------------------------------------------------------------------

  protected start(state: Step): void {
    this.#guard(() => this.#advance(state));
  }

  /** Records both Finished messages once the handshake reached them (see `finished`). */
  protected setFinished(sent: Uint8Array, received: Uint8Array): void {
    this.#finished = { sent: sent.slice(), received: received.slice() };
  }

  protected setEarlyExporter(ks: KeyScheduleContext, secret: Uint8Array): void {
    this.#earlyExporter = { ks, secret };
  }

  /** Hands a secret to the configured key log (NSS key log labels). */
  protected logSecret(label: string, clientRandom: Uint8Array, secret: Uint8Array): void {
    this.#keyLog?.(label, clientRandom.slice(), secret.slice());
  }

  protected emit(e: TlsEvent): void {
    // The handshake's own records (a compatibility-mode change_cipher_spec) do not count after it.
    if (e.type === 'handshake_complete') this.#nonAdvancing = 0;
    this.#events.push(e);
  }

  /** Queues a handshake message under the current write key; records are cut at flushes. */
  protected sendHandshake(m: HandshakeMessage | Uint8Array): Uint8Array {
    const raw = m instanceof Uint8Array ? m : encodeHandshake(m);
    this.#output.queueHandshake(raw);
    return raw;
  }

  /** Writes queued handshake messages as records under the current key (coalesced, then fragmented). */
  protected flushHandshake(): void {
    this.#output.flushHandshake((type, content) => this.#sendRecord(type, content));
  }

  /** A legacy change_cipher_spec record (RFC 8446 §D.4). */
  protected sendChangeCipherSpec(): void {
    this.flushHandshake();
    this.#output.plaintext(ContentType.change_cipher_spec, Uint8Array.of(1));
  }

  /** Record-layer version for cleartext records (0x0301 for an initial ClientHello). */
  protected setRecordVersion(v: number): void {
    this.flushHandshake();
    this.#output.setRecordVersion(v);
  }

  protected setWriteKeys(ks: KeyScheduleContext, suite: CipherSuite, secret: Uint8Array): void {
    this.flushHandshake();
    this.#output.setWriter(new RecordSealer(ks.provider, suite, trafficKeys(ks, suite, secret)));
  }

  /** Back to cleartext records (the second ClientHello after 0-RTT was attempted). */
  protected clearWriteKeys(): void {
    this.flushHandshake();
    this.#output.setWriter(null);
  }

  protected setReadKeys(ks: KeyScheduleContext, suite: CipherSuite, secret: Uint8Array): void {
    // RFC 8446 §5.1: handshake messages MUST NOT span a key change.
    if (this.#handshakeIn.partial) fail('HANDSHAKE_SPANS_KEY_CHANGE', 'unexpected_message', 'handshake data left over at a key change');
    this.#reader = new RecordOpener(ks.provider, suite, trafficKeys(ks, suite, secret));
    if (this.#recordSizeLimitNext !== null) {
      this.#recordSizeLimit = this.#recordSizeLimitNext;
      this.#recordSizeLimitNext = null;
    }
    if (this.#recordSizeLimit !== null) this.#reader.maxInnerPlaintext = this.#recordSizeLimit;
  }

  /**
   * Enforces the record_size_limit we advertised, now that the peer sent one too (RFC 8449 §4: a
   * larger record is a fatal record_overflow). It covers protected records only, and those the peer
   * sealed knowing our limit: with `fromNextReadKey` (a server that accepted 0-RTT, whose early records
   * the client sent before seeing our EncryptedExtensions) it starts at the next read key.
   */
  protected limitReceivedRecords(limit: number, fromNextReadKey = false): void {
    if (fromNextReadKey) {
      this.#recordSizeLimitNext = limit;
      return;
    }
    this.#recordSizeLimit = limit;
    const r = this.#reader;
    if (r === null) return;
    r.maxInnerPlaintext = limit;
    // The client learns of it in EncryptedExtensions, whose records the server sealed under that limit.
    if (r.largestOpened > limit) fail('RECORD_OVERFLOW', 'record_overflow', `record plaintext of ${r.largestOpened} bytes exceeds our record_size_limit ${limit}`);
  }

  /** Limits our outgoing records to the peer's record_size_limit (RFC 8449 §4). */
  protected setPeerRecordSizeLimit(limit: number): void {
    this.#output.setPeerRecordSizeLimit(limit);
  }

  /** The handshake is complete for writing: application traffic keys, exporter, queued writes. */
  protected enterTraffic(t: TrafficState): void {
    this.#traffic = t;
    this.setWriteKeys(t.ks, t.suite, t.writeSecret);
    const queued = this.#appOutQueue;
    this.#appOutQueue = [];
    for (const d of queued) this.#writeApplicationData(d);
    if (this.#closeDeferred) {
      this.#closeDeferred = false;
      this.#sendCloseNotify();
    }
  }

  protected switchReadToTraffic(): void {
    const t = this.#traffic;
    if (t === null) throw new Error('no traffic state');
    this.setReadKeys(t.ks, t.suite, t.readSecret);
  }

  /** Sends application data under the current write key before traffic keys exist (0-RTT). */
  protected sendEarlyApplicationData(data: Uint8Array): void {
    this.flushHandshake();
    for (const f of this.#output.fragments(data)) this.#sendRecord(ContentType.application_data, f);
  }

  protected get handshakeTraffic(): TrafficState | null {
    return this.#traffic;
  }

  /** Application data from the peer (traffic or early data); subclasses route it. */
  protected onApplicationData(data: Uint8Array): void {
    this.emit({ type: 'application_data', data });
  }

  /**
   * Post-handshake messages other than KeyUpdate (NewSessionTicket, post-handshake authentication).
   * A returned step (e.g. a `Wait` on a signer or verifier) is run like a handshake step.
   */
  protected onPostHandshake(m: RawHandshake): Step | void {
    fail('UNEXPECTED_MESSAGE', 'unexpected_message', `unexpected ${m.type} after the handshake`);
  }

  // ---- internals ---------------------------------------------------------------------------------

  #sendCloseNotify(): void {
    this.flushHandshake();
    this.#sendAlert('close_notify', AlertLevel.warning);
    this.#writeClosed = true;
  }

  #guard(f: () => void): void {
    if (this.#error !== null) return;
    try {
      f();
    } catch (e) {
      this.#fail(toTlsError(e));
    }
  }

  #advance(step: Step): void {
    if (step instanceof Wait) {
      // Messages already queued wait too, so a flight is coalesced as if the step were synchronous.
      this.#waitingFor = step.name;
      this.#pending = step.promise.then(
        (cont) => {
          this.#waitingFor = null;
          this.#pending = null;
          this.#guard(() => this.#advance(cont()));
          this.#run();
        },
        (e: unknown) => {
          this.#waitingFor = null;
          this.#pending = null;
          this.#fail(toTlsError(e));
        },
      );
      return;
    }
    this.#state = step;
    this.flushHandshake();
  }

  #run(): void {
    this.#guard(() => {
      while (this.#pending === null && this.#error === null && !this.#readClosed) {
        const m = this.#handshakeIn.next();
        if (m !== null) {
          this.#handleHandshake(m);
          continue;
        }
        const rec = this.#deframer.next();
        if (rec === null) break;
        this.#handleRecord(rec);
      }
      if (this.#pending === null) this.flushHandshake();
    });
  }

  #handleRecord(rec: RawRecord): void {
    if (rec.type === ContentType.change_cipher_spec) {
      // RFC 9846 §5: a single 0x01 is dropped during the handshake; anything else is unexpected.
      if (!this.ccsAllowed || rec.fragment.length !== 1 || rec.fragment[0] !== 1) {
        fail('UNEXPECTED_CHANGE_CIPHER_SPEC', 'unexpected_message', 'change_cipher_spec outside the handshake or not 0x01');
      }
      this.#noProgress('change_cipher_spec');
      // RFC 9846 §5.1: no other record between the fragments of a handshake message, this one included.
      if (this.#handshakeIn.partial) fail('INTERLEAVED_HANDSHAKE', 'unexpected_message', 'change_cipher_spec inside a fragmented handshake message');
      return;
    }
    let type = rec.type;
    let content = rec.fragment;
    if (this.#reader !== null && rec.type === ContentType.alert && !this.#openedAny && !this.handshakeComplete) {
      // A peer that failed on our cleartext hello has no keys yet: its alert comes in the clear.
      this.#handleAlert(rec.fragment);
      return;
    }
    if (this.#reader !== null) {
      if (rec.type !== ContentType.application_data) {
        // RFC 8446 §5: once protected, every record is application_data on the outside.
        fail('UNPROTECTED_RECORD', 'unexpected_message', `cleartext record of type ${rec.type} after keys were set`);
      }
      if (this.#reader.async && this.handshakeComplete && this.skipEarlyData === null) {
        // Opened asynchronously (Web Crypto): a step like a signer's, so records stay in order and
        // a KeyUpdate takes effect before the next record is opened (RFC 8446 §4.6.3).
        this.#pending = this.#reader.openAsync(rec.header, rec.fragment).then(
          (opened) => {
            this.#pending = null;
            this.#openedAny = true;
            this.#guard(() => this.#dispatch(opened.type, opened.content));
            this.#run();
          },
          (e: unknown) => {
            this.#pending = null;
            this.#fail(toTlsError(e));
          },
        );
        return;
      }
      if (this.skipEarlyData !== null && this.skipEarlyData.trialDecrypt) {
        // RFC 8446 §4.2.10: skip rejected 0-RTT records that do not decrypt, within max_early_data_size.
        const seq = this.#reader.seq;
        try {
          const opened = this.#reader.open(rec.header, rec.fragment);
          this.skipEarlyData = null;
          this.#openedAny = true;
          type = opened.type;
          content = opened.content;
        } catch (e) {
          // Only a record that fails to authenticate is skipped: one that opens is the client's
          // handshake, whose other faults (e.g. record_overflow) stand.
          if (!(e instanceof TlsError) || e.code !== 'BAD_RECORD_MAC') throw e;
          this.#reader.seq = seq;
          this.#skipEarly(rec.fragment.length);
          return;
        }
      } else {
        const opened = this.#reader.open(rec.header, rec.fragment);
        this.#openedAny = true;
        type = opened.type;
        content = opened.content;
      }
    } else if (rec.type === ContentType.application_data) {
      if (this.skipEarlyData !== null) {
        this.#skipEarly(rec.fragment.length);
        return;
      }
      fail('UNEXPECTED_APPLICATION_DATA', 'unexpected_message', 'application data before keys were set');
    } else if (rec.fragment.length > MAX_PLAINTEXT) {
      fail('RECORD_OVERFLOW', 'record_overflow', `plaintext record of ${rec.fragment.length} bytes exceeds 2^14`);
    }
    this.#dispatch(type, content);
  }

  /** A record's content by its (inner) type. */
  #dispatch(type: number, content: Uint8Array): void {
    switch (type) {
      case ContentType.handshake:
        // RFC 8446 §5.1: no zero-length handshake fragments; no interleaving is possible here.
        if (content.length === 0) fail('EMPTY_HANDSHAKE_RECORD', 'unexpected_message', 'zero-length handshake record');
        this.#handshakeIn.append(content);
        return;
      case ContentType.alert:
        this.#handleAlert(content);
        return;
      case ContentType.application_data:
        if (!this.readApplicationData) fail('UNEXPECTED_APPLICATION_DATA', 'unexpected_message', 'application data before the handshake completed');
        // RFC 8446 §5.1: handshake messages must not be interleaved with other record types.
        if (this.#handshakeIn.partial) fail('INTERLEAVED_HANDSHAKE', 'unexpected_message', 'application data inside a fragmented handshake message');
        if (content.length === 0) this.#noProgress('empty application data records');
        else this.#nonAdvancing = 0;
        this.onApplicationData(content); // the opener's own bytes (see OpenedRecord)
        return;
      case ContentType.change_cipher_spec:
        // RFC 9846 §5: a protected change_cipher_spec is an unexpected_message.
        fail('PROTECTED_CHANGE_CIPHER_SPEC', 'unexpected_message', 'change_cipher_spec inside a protected record');
      // falls through (fail never returns)
      default:
        fail('UNKNOWN_CONTENT_TYPE', 'unexpected_message', `record of inner content type ${type}`);
    }
  }

  /** Counts a skipped 0-RTT record of `ciphertext` bytes against the budget. */
  #skipEarly(ciphertext: number): void {
    const s = this.skipEarlyData as { remaining: number; trialDecrypt: boolean };
    // RFC 9846 §4.7.1: only the plaintext counts, not the inner type byte nor the tag: they are taken
    // off (a 16-byte tag; CCM-8's 8 only makes this lenient), so a client within max_early_data_size
    // is never cut off. Padding cannot be told apart: the budget allows some. Every record costs at
    // least one byte, so the number of records skipped stays bounded too.
    s.remaining -= Math.max(1, ciphertext - EARLY_RECORD_EXPANSION);
    // RFC 9846 §4.3.10: past max_early_data_size the server aborts with unexpected_message.
    if (s.remaining < 0) fail('TOO_MUCH_EARLY_DATA', 'unexpected_message', 'rejected early data exceeds max_early_data_size');
  }

  /** One more record or message without application data; past MAX_NON_ADVANCING in a row, a failure. */
  #noProgress(what: string): void {
    if (++this.#nonAdvancing > MAX_NON_ADVANCING) {
      fail('TOO_MANY_NON_DATA_RECORDS', 'unexpected_message', `more than ${MAX_NON_ADVANCING} records or messages in a row without application data (last: ${what})`);
    }
  }

  #handleHandshake(m: RawHandshake): void {
    if (this.handshakeComplete) {
      // Post-handshake messages (RFC 8446 §4.6). Those a peer sends unasked count as no progress; a
      // KeyUpdate answering one of our update_requested ones does not (RFC 8446 §4.6.3 owes it us).
      if (m.type === 'key_update' && this.#updatesAsked > 0) this.#updatesAsked--;
      else if (m.type === 'key_update' || m.type === 'new_session_ticket' || m.type === 'certificate_request') this.#noProgress(m.type);
      if (m.type === 'key_update') {
        this.#receiveKeyUpdate(m.body.updateRequested);
        return;
      }
      const next = this.onPostHandshake(m);
      if (next !== undefined) this.#advance(next);
      return;
    }
    const state = this.#state;
    if (state === null) fail('UNEXPECTED_MESSAGE', 'unexpected_message', `unexpected ${m.type}`);
    this.#advance(state.handle(m));
  }

  #receiveKeyUpdate(requested: boolean): void {
    const t = this.#traffic as TrafficState;
    // RFC 8446 §4.6.3: a KeyUpdate must be the last message of its record.
    if (this.#handshakeIn.partial) fail('HANDSHAKE_SPANS_KEY_CHANGE', 'unexpected_message', 'data after KeyUpdate in the same record');
    t.readSecret = nextTrafficSecret(t.ks, t.readSecret);
    this.setReadKeys(t.ks, t.suite, t.readSecret);
    this.emit({ type: 'key_update', direction: 'read' });
    if (!requested || this.#writeClosed || this.#keyUpdatePending) return;
    // RFC 8446 §4.6.3: our KeyUpdate must precede our next application data record, and a side that
    // stays silent answers several requests with one. The first is answered now; later ones before
    // our next data, once: a peer flooding requests without reading gets no more bytes than it sends.
    if (this.#answeredSinceData) {
      this.#keyUpdateOwed = true;
      return;
    }
    this.#sendKeyUpdate(false);
    this.#answeredSinceData = true;
  }

  #sendKeyUpdate(requestPeer: boolean): void {
    const t = this.#traffic as TrafficState;
    if (requestPeer) this.#updatesAsked++;
    this.#keyUpdatePending = true;
    this.sendHandshake({ type: 'key_update', body: { updateRequested: requestPeer } });
    this.flushHandshake();
    this.#keyUpdatePending = false;
    t.writeSecret = nextTrafficSecret(t.ks, t.writeSecret);
    this.setWriteKeys(t.ks, t.suite, t.writeSecret);
    this.emit({ type: 'key_update', direction: 'write' });
  }

  #writeApplicationData(data: Uint8Array): void {
    if (data.length === 0) return;
    if (this.#keyUpdateOwed) {
      this.#keyUpdateOwed = false;
      this.#sendKeyUpdate(false);
    }
    this.#answeredSinceData = false;
    const w = this.#output.writer;
    if (w !== null && w.async) {
      // Sealed asynchronously (Web Crypto), one record at a time, numbered and placed now.
      for (const f of this.#output.fragments(data)) {
        const sealer = this.#output.writer as NonNullable<typeof w>;
        this.#output.recordAsync(ContentType.application_data, f, (e) => this.#fail(toTlsError(e)));
        // RFC 9846 §5.5: update the key before the AEAD's record limit.
        const limit = this.settings.keyUpdateAfterRecords ?? sealer.suite.recordLimit;
        if (this.#traffic !== null && !this.#keyUpdatePending && Number(sealer.seq) >= limit) this.#sendKeyUpdate(false);
      }
      return;
    }
    if (w === null) {
      for (const f of this.#output.fragments(data)) this.#sendRecord(ContentType.application_data, f);
      return;
    }
    // The records of one write are sealed into one buffer, up to the key's record limit, then a KeyUpdate.
    for (let at = 0; at < data.length; ) {
      const sealer = this.#output.writer as NonNullable<typeof w>;
      const limit = this.settings.keyUpdateAfterRecords ?? sealer.suite.recordLimit;
      at = this.#output.records(ContentType.application_data, data, at, Math.max(1, limit - Number(sealer.seq)));
      // RFC 9846 §5.5: update the key before the AEAD's record limit.
      if (this.#traffic !== null && !this.#keyUpdatePending && Number(sealer.seq) >= limit) this.#sendKeyUpdate(false);
    }
  }

  #sendRecord(type: number, content: Uint8Array): void {
    this.#output.record(type, content);
    const w = this.#output.writer;
    if (w === null) return;
    // RFC 9846 §5.5: update the key before the AEAD's record limit (never inside the handshake).
    const limit = this.settings.keyUpdateAfterRecords ?? w.suite.recordLimit;
    if (this.#traffic !== null && !this.#keyUpdatePending && type === ContentType.application_data && Number(w.seq) >= limit) {
      this.#sendKeyUpdate(false);
    }
  }

  #handleAlert(content: Uint8Array): void {
    // RFC 9846 §5.4: a zero-length Alert (like a zero-length Handshake) is an unexpected_message.
    if (content.length === 0) fail('EMPTY_ALERT_RECORD', 'unexpected_message', 'zero-length alert record');
    // RFC 8446 §6: an alert is exactly two bytes, never fragmented or coalesced.
    if (content.length !== 2) fail('BAD_ALERT', 'decode_error', `alert record of ${content.length} bytes`);
    if (this.#handshakeIn.partial) fail('INTERLEAVED_HANDSHAKE', 'unexpected_message', 'alert inside a fragmented handshake message');
    const desc = content[1] as number;
    if (desc === AlertDescription.close_notify || desc === AlertDescription.user_canceled) {
      if (!this.handshakeComplete) {
        // Nothing counts after a close_notify (RFC 9846 §6.1), so the handshake can never complete;
        // user_canceled says the same of it. A typed failure, not a close: no alert in reply.
        this.#readClosed = true;
        const canceled = desc === AlertDescription.user_canceled;
        const err = canceled
          ? new TlsError('PEER_CANCELED', 'user_canceled', 'the peer canceled the handshake (user_canceled)', { remote: true })
          : new TlsError('PEER_CLOSED_IN_HANDSHAKE', 'close_notify', 'the peer sent close_notify before the handshake completed', { remote: true });
        this.#fail(err);
        return;
      }
      // After the handshake user_canceled means nothing more: a close_notify follows (RFC 9846 §6.1).
      if (desc === AlertDescription.user_canceled) {
        this.#noProgress('user_canceled alerts');
        return;
      }
      this.#readClosed = true;
      this.emit({ type: 'peer_closed' });
      return;
    }
    const name = alertName(desc);
    // RFC 8446 §6.2: every other alert is fatal, whatever its level.
    const err = new TlsError('PEER_ALERT', name ?? 'illegal_parameter', `peer sent fatal alert ${name ?? desc}`, { remote: true });
    this.#error = err;
    this.emit({ type: 'error', error: err });
  }

  #sendAlert(name: AlertDescriptionName, level: number): void {
    this.#sendRecord(ContentType.alert, Uint8Array.of(level, AlertDescription[name]));
  }

  /** `alert`: false when the alerts were sent already (cancel()). */
  #fail(err: TlsError, alert = true): void {
    if (this.#error !== null) return;
    this.#error = err;
    this.#output.dropHandshake();
    // A client whose first flight never went out (it waited for the provider) has no peer to tell:
    // the server has had no ClientHello, so no alert either, as when building it fails at once.
    if (alert && !err.remote && !this.#writeClosed && this.#state !== null) {
      try {
        this.#sendAlert(err.alert, AlertLevel.fatal);
      } catch {
        // Nothing more can be said to the peer.
      }
    }
    this.#writeClosed = true;
    this.emit({ type: 'error', error: err });
  }
}
