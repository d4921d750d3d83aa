/**
 * The sans-IO DTLS 1.3 connection core (RFC 9147) shared by client and server. It drives the TLS 1.3
 * handshake states of @puretls/tls through their io seam and adds what datagrams need: epochs and
 * the unified header (§4), record number encryption (§4.2.3), the replay window (§4.5.1), silent
 * discard of invalid records (§4.5.2), handshake fragmentation and reassembly (§5.2, §5.5), flights
 * with ACKs and retransmission on the caller's clock (§5.8, §7), KeyUpdate (§8), CIDs (§9).
 *
 * Datagrams in: `feedDatagram(bytes, now)`; datagrams out: `pullDatagram()`; timers: `nextTimeout()`
 * and `onTimeout(now)`. No socket, timer or clock of its own.
 */
import type { CryptoProvider } from '@puretls/crypto';
import { _internal, AlertDescription, TlsError, type AlertDescriptionName, type CipherSuite, type HandshakeInfo } from '@puretls/tls';
import { decodeAck, encodeAck, type RecordNumber } from './ack.js';
import type { DatagramSettings } from './config.js';
import { ContentType, EXT_CONNECTION_ID, HANDSHAKE_HEADER_LENGTH, HS_CLIENT_HELLO, HS_NEW_CONNECTION_ID, HS_REQUEST_CONNECTION_ID, HS_SERVER_HELLO, MAX_EPOCH, PLAINTEXT_HEADER_LENGTH } from './constants.js';
import type { DtlsEvent, DtlsHandshakeInfo } from './events.js';
import { Flight, OutMessage, type MessageKind } from './flight.js';
import { decodeNewConnectionId, decodeRequestConnectionId, encodeNewConnectionId } from './handshake/connection-id.js';
import { encodeFragment, parseFragments, tlsForm } from './handshake/framing.js';
import { Reassembler } from './handshake/reassembly.js';
import { epochKeys, recordNonce, type EpochKeys } from './record/epoch.js';
import { ciphertextOverhead, encodePlaintext, parseDatagram, sealRecord, type CiphertextRecord, type ParsedRecord } from './record/records.js';
import { reconstructSequence, ReplayWindow } from './record/replay-window.js';

type KeyScheduleContext = _internal.KeyScheduleContext;
type State = _internal.State;
type Step = _internal.Step;
type RawHandshake = _internal.RawHandshake;
type HandshakeMessage = _internal.HandshakeMessage;

const fail: (code: string, alert: AlertDescriptionName, message: string) => never = _internal.fail;
const EMPTY = new Uint8Array(0);
const HS_KEY_UPDATE = 24;
const HS_NEW_SESSION_TICKET = 4;
const ALERT_CLOSE_NOTIFY = 0;
const ALERT_LEVEL_FATAL = 2;
const ALERT_LEVEL_WARNING = 1;
/** Undecryptable records kept for an epoch whose keys are not known yet (RFC 9147 §4.2.1). */
const MAX_FUTURE_RECORDS = 32;
const MAX_CIDS = 16;
/** Failed authentications tolerated per key by default (RFC 9147 §4.5.3, Appendix B). */
const FORGERY_LIMITS: Record<string, number> = { 'AES-128-GCM': 2 ** 36, 'AES-256-GCM': 2 ** 36, 'CHACHA20-POLY1305': 2 ** 36, 'AES-128-CCM': 2 ** 23.5, 'AES-128-CCM-8': 2 ** 7 };

export interface Common {
  readonly provider: CryptoProvider;
  readonly maxHandshakeMessageSize: number;
  readonly keyUpdateAfterRecords: number | undefined;
  readonly datagram: DatagramSettings;
}

interface ReadEpoch {
  readonly keys: EpochKeys;
  readonly window: ReplayWindow;
  failures: number;
}

interface TrafficState {
  readonly ks: KeyScheduleContext;
  readonly suite: CipherSuite;
  readonly readSecret: Uint8Array;
  readonly writeSecret: Uint8Array;
  readonly exporterMasterSecret: Uint8Array;
}

export abstract class DtlsConnection {
  protected readonly common: Common;
  // ---- record layer: write side
  readonly #writeKeys = new Map<number, EpochKeys>();
  readonly #writeSeq = new Map<number, number>();
  #writeEpoch = 0;
  #nextWriteEpoch = 2;
  #earlyWrite: { epoch: number; secret: Uint8Array } | null = null;
  // ---- record layer: read side
  #readEpochs: ReadEpoch[] = [];
  #readEpoch = 0;
  #nextReadEpoch = 2;
  #future: CiphertextRecord[] = [];
  #retryFuture = false;
  // ---- handshake layer
  #sendSeq = 0;
  readonly #reasm: Reassembler;
  #state: State | null = null;
  #waiting: string | null = null;
  #pending: Promise<void> | null = null;
  #newMessages: OutMessage[] = [];
  #flight: Flight | null = null;
  #post: Flight | null = null;
  readonly #sentRecords = new Map<string, { msg: OutMessage; start: number; end: number }[]>();
  #ackList: RecordNumber[] = [];
  #ackNow = false;
  #ackDeadline: number | null = null;
  #peerRetransmitted = false;
  /** The contiguous stream of fragments received so far: message, next offset, its length (RFC 9147 §7.1). */
  #stream = { seq: -1, offset: 0, length: 0 };
  #complete = false;
  #traffic: TrafficState | null = null;
  #keyUpdate: { msg: OutMessage; next: EpochKeys } | null = null;
  #keyUpdateQueued: boolean | null = null;
  #recordsInEpoch = 0;
  // ---- CIDs (RFC 9146, RFC 9147 §9)
  protected cidNegotiated = false;
  protected sendCid: Uint8Array = EMPTY;
  protected recvCids: Uint8Array[] = [];
  protected recvCidLength = 0;
  #spareCids: Uint8Array[] = [];
  #ncidOutstanding = false;
  #rcidOutstanding = false;
  // ---- output, events, lifecycle
  #datagram: Uint8Array[] = [];
  #datagramLength = 0;
  #out: Uint8Array[] = [];
  #events: DtlsEvent[] = [];
  #appQueue: Uint8Array[] = [];
  #now: number;
  #error: TlsError | null = null;
  #readClosed = false;
  #closedAt: RecordNumber | null = null;
  #writeClosed = false;
  #info: DtlsHandshakeInfo | null = null;
  /** Datagrams handed out so far (for tests and statistics). */
  datagramsSent = 0;
  /** Records that authenticated (an adapter may follow a peer's new address only after one: RFC 9146 §6). */
  recordsAuthenticated = 0;
  /** False for a server until a cookie or the handshake proved the client's address (RFC 9147 §5.1). */
  protected addressValidated = true;
  #bytesIn = 0;
  #bytesOut = 0;

  protected constructor(common: Common, now: number) {
    if (!Number.isFinite(now)) throw new TypeError('now must be a finite number of milliseconds');
    this.common = common;
    this.#now = now;
    this.#reasm = new Reassembler(common.maxHandshakeMessageSize);
    this.#writeSeq.set(0, 0);
  }

  // ---- public API --------------------------------------------------------------------------------

  get state(): string {
    if (this.#error !== null) return 'Failed';
    if (this.#readClosed && this.#writeClosed) return 'Closed';
    if (this.#waiting !== null) return `Waiting:${this.#waiting}`;
    return this.#state?.name ?? 'Start';
  }

  get error(): TlsError | null {
    return this.#error;
  }

  /** Settles when an asynchronous step (certificate verification, signing) finishes; then pull again. */
  get pending(): Promise<void> | null {
    return this.#pending;
  }

  get handshakeInfo(): DtlsHandshakeInfo | null {
    return this.#info;
  }

  get canWrite(): boolean {
    return this.#traffic !== null && !this.#writeClosed && this.#error === null;
  }

  /** The current sending epoch (2 during the handshake, 3 after it, +1 per acknowledged KeyUpdate). */
  get epoch(): number {
    return this.#writeEpoch;
  }

  /** CIDs the peer may put in records to us (for demultiplexing by the adapter). */
  get localConnectionIds(): readonly Uint8Array[] {
    return this.recvCids.map((c) => c.slice());
  }

  /** The largest application write that fits in one datagram. */
  get maxDatagramPayload(): number {
    const tag = this.#writeKeys.get(this.#writeEpoch)?.aead.tagLength ?? 16;
    return this.common.datagram.mtu - ciphertextOverhead(this.sendCid.length, tag, 16);
  }

  /** A datagram from the peer, at time `now` (ms). Invalid records are dropped silently (RFC 9147 §4.5.2). */
  feedDatagram(bytes: Uint8Array, now: number): void {
    if (!(bytes instanceof Uint8Array)) throw new TypeError('bytes must be a Uint8Array');
    if (!Number.isFinite(now)) throw new TypeError('now must be a finite number of milliseconds');
    this.#now = Math.max(this.#now, now);
    // After close_notify, records numbered before it still count (RFC 9147 §5.10).
    if (this.#error !== null) return;
    if (!this.addressValidated) this.#bytesIn += bytes.length;
    this.#guard(() => {
      let at = 0;
      for (;;) {
        const cidLength = this.recvCidLength;
        const { records, end } = parseDatagram(bytes, cidLength, at);
        let stop = false;
        for (const r of records) {
          if (this.#error !== null) break;
          if (r.kind === 'ciphertext' && !this.#cidOk(r)) {
            stop = true;
            break;
          }
          this.#record(r, true);
        }
        this.#run();
        // A ServerHello earlier in this datagram may have just negotiated the CID of what follows.
        if (stop || end >= bytes.length || this.recvCidLength === cidLength || this.#error !== null) break;
        at = end;
      }
    });
    this.#flushDatagram();
  }

  /** The next datagram to send, or null. */
  pullDatagram(): Uint8Array | null {
    const d = this.#out.shift();
    if (d === undefined) return null;
    this.datagramsSent++;
    return d;
  }

  poll(): DtlsEvent | null {
    return this.#events.shift() ?? null;
  }

  /** When `onTimeout` should next be called (ms, same clock as `now`), or null. */
  nextTimeout(): number | null {
    if (this.#error !== null) return null;
    let t: number | null = null;
    for (const d of [this.#flight?.deadline, this.#post?.deadline, this.#ackDeadline]) {
      if (d !== null && d !== undefined && (t === null || d < t)) t = d;
    }
    return t;
  }

  /** Runs the timers due at `now`: retransmissions (RFC 9147 §5.8) and delayed ACKs (§7.1). */
  onTimeout(now: number): void {
    if (!Number.isFinite(now)) throw new TypeError('now must be a finite number of milliseconds');
    this.#now = Math.max(this.#now, now);
    if (this.#error !== null) return;
    this.#guard(() => {
      for (const f of [this.#flight, this.#post]) {
        if (f === null || f.deadline === null || f.deadline > this.#now) continue;
        if (f.retransmissions >= this.common.datagram.maxRetransmissions) {
          fail('HANDSHAKE_TIMEOUT', 'internal_error', `no answer after ${f.retransmissions + 1} transmissions of a flight`);
        }
        f.backoff();
        this.#transmit(f);
      }
      if (this.#ackDeadline !== null && this.#ackDeadline <= this.#now) this.#sendAck();
    });
    this.#flushDatagram();
  }

  /**
   * Application data: one call is one record in one datagram (datagram semantics). Before the
   * handshake completes it is queued. RangeError when it cannot fit the MTU.
   */
  send(data: Uint8Array): void {
    if (!(data instanceof Uint8Array)) throw new TypeError('data must be a Uint8Array');
    if (this.#error !== null) throw this.#error;
    if (this.#writeClosed) throw new Error('send after close()');
    if (data.length > this.maxDatagramPayload) throw new RangeError(`data of ${data.length} bytes does not fit one datagram (max ${this.maxDatagramPayload})`);
    if (this.#traffic === null) {
      if (this.#appQueue.length >= 256) throw new RangeError('too many writes queued before the handshake completed');
      this.#appQueue.push(data.slice());
      return;
    }
    this.#guard(() => this.#sendApplication(data));
    this.#flushDatagram();
  }

  /** `send()` under the name the TLS engine uses. */
  write(data: Uint8Array): void {
    this.send(data);
  }

  /** Sends a KeyUpdate (RFC 9147 §8); the new keys are used once the peer acknowledges it. */
  keyUpdate(requestPeer = false): void {
    if (this.#error !== null) throw this.#error;
    if (this.#traffic === null) throw new Error('keyUpdate() before the handshake completed');
    if (this.#writeClosed) throw new Error('keyUpdate() after close()');
    this.#guard(() => this.#startKeyUpdate(requestPeer));
    this.#flushDatagram();
  }

  /** close_notify (not retransmitted: RFC 9147 §5.10); reading continues. */
  close(): void {
    if (this.#error !== null || this.#writeClosed) return;
    this.#guard(() => {
      this.#sendRecordNow(this.#writeEpoch, ContentType.alert, Uint8Array.of(ALERT_LEVEL_WARNING, ALERT_CLOSE_NOTIFY));
      this.#writeClosed = true;
      this.#post = null;
    });
    this.#flushDatagram();
  }

  exportKeyingMaterial(label: string, context: Uint8Array, length: number): Uint8Array {
    if (typeof label !== 'string') throw new TypeError('label must be a string');
    if (!(context instanceof Uint8Array)) throw new TypeError('context must be a Uint8Array');
    if (!Number.isInteger(length) || length < 0 || length > 0xffff) throw new RangeError('length must be 0..65535');
    const t = this.#traffic;
    if (t === null || !this.#complete) throw new Error('exportKeyingMaterial() before the handshake completed');
    return _internal.exportKeyingMaterial(t.ks, t.exporterMasterSecret, label, context, length);
  }

  /**
   * Sends fresh CIDs of our length to the peer (RFC 9147 §9): they become valid for records to us.
   * Needs a negotiated non-empty receive CID and no NewConnectionId awaiting its ACK.
   */
  newConnectionIds(count = 1, usage: 'cid_immediate' | 'cid_spare' = 'cid_spare'): readonly Uint8Array[] {
    if (!Number.isInteger(count) || count < 1 || count > 8) throw new RangeError('count must be 1..8');
    if (usage !== 'cid_immediate' && usage !== 'cid_spare') throw new TypeError("usage must be 'cid_immediate' or 'cid_spare'");
    if (!this.#complete || !this.cidNegotiated || this.recvCidLength === 0) throw new Error('newConnectionIds() needs a negotiated non-empty connection ID');
    if (this.#ncidOutstanding) throw new Error('a NewConnectionId is still awaiting its ACK');
    const cids: Uint8Array[] = [];
    this.#guard(() => {
      for (let i = 0; i < count; i++) cids.push(this.common.provider.randomBytes(this.recvCidLength));
      this.#sendNewConnectionIds(cids, usage);
    });
    this.#flushDatagram();
    return cids.map((c) => c.slice());
  }

  /** Asks the peer for `count` spare CIDs (RFC 9147 §9). */
  requestConnectionIds(count: number): void {
    if (!Number.isInteger(count) || count < 1 || count > 255) throw new RangeError('count must be 1..255');
    if (!this.#complete || !this.cidNegotiated || this.sendCid.length === 0) throw new Error('requestConnectionIds() needs a negotiated non-empty connection ID to send');
    if (this.#rcidOutstanding) throw new Error('an earlier RequestConnectionId is unfulfilled');
    this.#guard(() => {
      this.#rcidOutstanding = true;
      this.#queuePost(HS_REQUEST_CONNECTION_ID, Uint8Array.of(count), 'request_connection_id');
    });
    this.#flushDatagram();
  }

  /** Switches our records to the next spare CID the peer gave us (e.g. on a new path); false if none. */
  rotateConnectionId(): boolean {
    const next = this.#spareCids.shift();
    if (next === undefined) return false;
    this.sendCid = next;
    return true;
  }

  // ---- for subclasses ----------------------------------------------------------------------------

  protected start(step: Step): void {
    this.#guard(() => {
      this.#advance(step);
      this.#run();
    });
    this.#flushDatagram();
  }

  protected emit(e: DtlsEvent): void {
    this.#events.push(e);
  }

  /** Queues a handshake message of the current flight; returns its TLS form for the transcript. */
  protected sendHandshake(m: HandshakeMessage | Uint8Array): Uint8Array {
    const raw = m instanceof Uint8Array ? m : _internal.encodeHandshake(m);
    const type = raw[0] as number;
    this.#newMessages.push(new OutMessage(this.#nextMessageSeq(), type, raw.subarray(4), this.#writeEpoch, 'handshake'));
    return raw;
  }

  protected setWriteKeys(ks: KeyScheduleContext, suite: CipherSuite, secret: Uint8Array): void {
    const early = this.#earlyWrite;
    if (early !== null && early.secret.length === secret.length && early.secret.every((b, i) => b === secret[i])) {
      // Installed ahead for ACKs: keep its keys and record numbers.
      this.#earlyWrite = null;
      this.#writeEpoch = early.epoch;
      this.#recordsInEpoch = 0;
      return;
    }
    const epoch = this.#nextWriteEpoch++;
    this.#writeKeys.set(epoch, epochKeys(this.common.provider, ks, suite, secret, epoch));
    this.#writeSeq.set(epoch, 0);
    this.#writeEpoch = epoch;
    this.#recordsInEpoch = 0;
  }

  /**
   * The client's handshake write keys, installed as soon as they are known so that ACKs of the
   * server's epoch-2 records can go in epoch 2 (RFC 9147 §7) before the client's own flight.
   */
  protected installWriteKeysEarly(ks: KeyScheduleContext, suite: CipherSuite, secret: Uint8Array): void {
    const epoch = this.#nextWriteEpoch++;
    this.#writeKeys.set(epoch, epochKeys(this.common.provider, ks, suite, secret, epoch));
    this.#writeSeq.set(epoch, 0);
    this.#earlyWrite = { epoch, secret: secret.slice() };
  }

  protected setReadKeys(ks: KeyScheduleContext, suite: CipherSuite, secret: Uint8Array): void {
    this.#installReadEpoch(epochKeys(this.common.provider, ks, suite, secret, this.#nextReadEpoch++));
  }

  protected enterTraffic(t: TrafficState): void {
    this.#traffic = t;
    this.setWriteKeys(t.ks, t.suite, t.writeSecret);
  }

  protected switchReadToTraffic(): void {
    const t = this.#traffic;
    if (t === null) throw new Error('no traffic state');
    this.setReadKeys(t.ks, t.suite, t.readSecret);
  }

  protected get traffic(): TrafficState | null {
    return this.#traffic;
  }

  /** The handshake is complete in both directions for us: events, queued writes. */
  protected completeHandshake(info: HandshakeInfo, ackPeer: boolean): void {
    this.#complete = true;
    this.addressValidated = true;
    // The server acknowledges the client's final flight (RFC 9147 §5.7 note 1).
    if (ackPeer) this.#ackNow = true;
    const { version: _v, ...rest } = info;
    this.#info = Object.freeze({
      ...rest,
      version: 'DTLSv1.3',
      connectionId: this.cidNegotiated ? { send: this.sendCid.slice(), receive: (this.recvCids[0] ?? EMPTY).slice() } : null,
    });
    this.emit({ type: 'handshake_complete', info: this.#info });
    const q = this.#appQueue;
    this.#appQueue = [];
    for (const d of q) this.#sendApplication(d);
  }

  /** Hook to look at a hello before its state does (CID negotiation). */
  protected abstract inspect(m: RawHandshake): void;

  protected get now(): number {
    return this.#now;
  }

  /** Record sequence numbers of epoch 0 continue from the client's (RFC 6347 §4.2.1 style, for stateless servers). */
  protected mirrorPlaintextSeq(seq: number): void {
    const cur = this.#writeSeq.get(0) ?? 0;
    if (seq > cur) this.#writeSeq.set(0, seq);
  }

  /** A server taking over after a stateless HelloRetryRequest continues the message_seq spaces. */
  protected resumeAt(seq: number): void {
    if (this.#reasm.next !== 0 || this.#sendSeq !== 0) return;
    this.#reasm.skipTo(seq);
    this.#sendSeq = seq;
    this.#stream = { seq: seq - 1, offset: 0, length: 0 };
  }

  protected onPlaintextHello(_seq: number, _messageSeq: number, _type: number): void {}

  // ---- record input ------------------------------------------------------------------------------

  #cidOk(r: CiphertextRecord): boolean {
    // RFC 9146 §3 / RFC 9147 §9.1: records must carry exactly the CID negotiated for us.
    if (this.recvCidLength === 0) return r.cid === null;
    if (r.cid === null) return false;
    const cid = r.cid;
    return this.recvCids.some((c) => c.length === cid.length && c.every((b, i) => b === cid[i]));
  }

  #record(r: ParsedRecord, fresh: boolean): void {
    if (r.kind === 'plaintext') {
      // RFC 9147 §4: DTLSPlaintext is only for epoch 0.
      if (r.epoch !== 0) return;
      this.#plaintext(r.type, r.seq, r.fragment);
      return;
    }
    const candidates = this.#readEpochs.filter((e) => (e.keys.epoch & 3) === r.epochBits);
    const re = candidates[candidates.length - 1];
    // RFC 9147 §4.5.2, §4.2.3: too short for the sequence number mask: discarded.
    if (r.body.length < 16) return;
    if (re === undefined) {
      // An epoch we cannot read yet (the handshake message that brings its keys may be late).
      if (fresh) {
        this.#future.push(r);
        if (this.#future.length > MAX_FUTURE_RECORDS) this.#future.shift();
      }
      return;
    }
    const mask = re.keys.mask(r.body);
    const header = r.header.slice();
    let low: number;
    if (r.seqLength === 1) {
      header[r.seqOffset] = (header[r.seqOffset] as number) ^ (mask[0] as number);
      low = header[r.seqOffset] as number;
    } else {
      header[r.seqOffset] = (header[r.seqOffset] as number) ^ (mask[0] as number);
      header[r.seqOffset + 1] = (header[r.seqOffset + 1] as number) ^ (mask[1] as number);
      low = ((header[r.seqOffset] as number) << 8) | (header[r.seqOffset + 1] as number);
    }
    const seq = reconstructSequence(re.window.top + 1, low, r.seqLength === 1 ? 8 : 16);
    const plain = re.keys.aead.open(recordNonce(re.keys.iv, seq), r.body, header);
    if (plain === null) {
      re.failures++;
      const limit = this.common.datagram.maxForgeryAttempts ?? FORGERY_LIMITS[re.keys.suite.aead] ?? 2 ** 23;
      // RFC 9147 §4.5.3: too many forgeries under one key closes the connection.
      if (re.failures > limit) fail('TOO_MANY_FORGERIES', 'bad_record_mac', `more than ${limit} records failed authentication`);
      return;
    }
    // RFC 9147 §4.5.1: the replay check comes after deprotection (no timing channel on the number).
    if (!re.window.check(seq)) return;
    re.window.accept(seq);
    this.recordsAuthenticated++;
    const rn = { epoch: re.keys.epoch, seq };
    // RFC 9147 §5.10: nothing after a valid close_notify counts.
    if (this.#closedAt !== null && (rn.epoch > this.#closedAt.epoch || (rn.epoch === this.#closedAt.epoch && rn.seq > this.#closedAt.seq))) return;
    // RFC 8446 §5.4: DTLSInnerPlaintext longer than 2^14 + 1 is a record_overflow.
    if (plain.length > (1 << 14) + 1) fail('RECORD_OVERFLOW', 'record_overflow', `record plaintext of ${plain.length} bytes`);
    let i = plain.length - 1;
    while (i >= 0 && plain[i] === 0) i--;
    if (i < 0) fail('NO_CONTENT_TYPE', 'unexpected_message', 'decrypted record has no content type');
    const type = plain[i] as number;
    const content = plain.subarray(0, i);
    switch (type) {
      case ContentType.handshake:
        this.#handshakeRecord(content, rn, true);
        return;
      case ContentType.ack:
        this.#ack(content, true);
        return;
      case ContentType.alert:
        this.#alert(content, rn, true);
        return;
      case ContentType.application_data:
        // RFC 8446 §5.1: application data only under application keys.
        if (re.keys.epoch < 3) fail('UNEXPECTED_APPLICATION_DATA', 'unexpected_message', `application data in epoch ${re.keys.epoch}`);
        // RFC 9147 §5.8.1: discarded until the peer's Finished is processed.
        if (!this.#complete) return;
        this.emit({ type: 'application_data', data: content.slice() });
        return;
      default:
        fail('UNKNOWN_CONTENT_TYPE', 'unexpected_message', `record of inner content type ${type}`);
    }
  }

  #plaintext(type: number, seq: number, fragment: Uint8Array): void {
    switch (type) {
      case ContentType.handshake:
        this.#handshakeRecord(fragment, { epoch: 0, seq }, false);
        return;
      case ContentType.ack:
        this.#ack(fragment, false);
        return;
      case ContentType.alert:
        // Unauthenticated: only believed before any key exists (a peer that failed on our hello).
        if (this.#readEpochs.length === 0) this.#alert(fragment, { epoch: 0, seq }, false);
        return;
      default:
        return;
    }
  }

  #handshakeRecord(content: Uint8Array, rn: RecordNumber, authenticated: boolean): void {
    const frags = parseFragments(content);
    if (frags === null) {
      if (authenticated) fail('DECODE_ERROR', 'decode_error', 'malformed handshake record');
      return;
    }
    let buffered = false;
    for (const f of frags) {
      // RFC 9147 §6.1: epoch 0 carries only ClientHello, ServerHello and HelloRetryRequest.
      if (rn.epoch === 0 && f.type !== HS_CLIENT_HELLO && f.type !== HS_SERVER_HELLO) continue;
      if (rn.epoch === 0 && this.#readEpoch !== 0) {
        // Once keys exist, a cleartext hello is only a sign that the peer resends its first flight;
        // it is never buffered, so a spoofed one cannot disturb the association.
        if (f.messageSeq < this.#reasm.next) this.#peerRetransmitted = true;
        continue;
      }
      if (rn.epoch === 0) this.onPlaintextHello(rn.seq, f.messageSeq, f.type);
      const verdict = this.#reasm.add(f, rn.epoch);
      if (verdict === 'old') {
        this.#peerRetransmitted = true;
        // RFC 9147 §7: post-handshake records are ACKed even when their message was a duplicate.
        if (this.#complete && authenticated) this.#pushAck(rn, true);
        continue;
      }
      if (verdict !== 'buffered') continue;
      buffered = true;
      // RFC 9147 §7.1: a gap (not the next message or not its next piece) calls for an ACK.
      const st = this.#stream;
      const inOrder = (f.messageSeq === st.seq && f.offset === st.offset) || (f.messageSeq === st.seq + 1 && f.offset === 0 && st.offset >= st.length);
      if (inOrder) this.#stream = { seq: f.messageSeq, offset: f.offset + f.data.length, length: f.length };
      else if (f.messageSeq > st.seq || f.offset > st.offset) this.#ackNow = true;
      // A message from the peer's next flight acknowledges ours implicitly (RFC 9147 §7.2).
      const fl = this.#flight;
      if (fl !== null && !this.#complete && f.messageSeq >= fl.peerSeqAtSend) this.#flight = null;
    }
    if (buffered) this.#pushAck(rn, false);
  }

  #pushAck(rn: RecordNumber, now: boolean): void {
    if (!this.#ackList.some((r) => r.epoch === rn.epoch && r.seq === rn.seq)) this.#ackList.push(rn);
    if (this.#ackList.length > 256) this.#ackList.shift();
    if (now) this.#ackNow = true;
  }

  #ack(content: Uint8Array, authenticated: boolean): void {
    const list = decodeAck(content);
    if (list === null) {
      if (authenticated) fail('DECODE_ERROR', 'decode_error', 'malformed ACK');
      return;
    }
    let any = false;
    for (const rn of list) {
      const entries = this.#sentRecords.get(`${rn.epoch}:${rn.seq}`);
      if (entries === undefined) continue;
      // A plaintext ACK can only vouch for plaintext records.
      if (!authenticated && rn.epoch !== 0) continue;
      for (const e of entries) e.msg.ack(e.start, e.end);
      this.#sentRecords.delete(`${rn.epoch}:${rn.seq}`);
      any = true;
    }
    if (!any) return;
    const f = this.#flight;
    if (f !== null) {
      if (f.done) {
        this.#flight = null;
      } else {
        // RFC 9147 §7.2: after a partial ACK, resend what is missing.
        this.#transmit(f);
      }
    }
    this.#postAcked();
  }

  #alert(content: Uint8Array, rn: RecordNumber, authenticated: boolean): void {
    if (content.length !== 2) {
      if (authenticated) fail('BAD_ALERT', 'decode_error', `alert record of ${content.length} bytes`);
      return;
    }
    const desc = content[1] as number;
    if (desc === ALERT_CLOSE_NOTIFY) {
      if (this.#readClosed) return;
      this.#readClosed = true;
      this.#closedAt = rn;
      // Nothing the peer sends after it counts, ACKs included: stop waiting for them.
      this.#post = null;
      this.emit({ type: 'peer_closed' });
      return;
    }
    if (desc === 90) return; // user_canceled: a close_notify follows (RFC 8446 §6.1).
    const name = _internal.alertName(desc);
    const err = new TlsError('PEER_ALERT', name ?? 'illegal_parameter', `peer sent fatal alert ${name ?? desc}`, { remote: true });
    this.#fail(err);
  }

  // ---- the handshake states ----------------------------------------------------------------------

  #run(): void {
    for (;;) {
      if (this.#pending !== null || this.#error !== null) break;
      const m = this.#reasm.take();
      if (m !== null) {
        this.#deliver(m.type, m.epoch, m.body);
        continue;
      }
      if (this.#retryFuture) {
        this.#retryFuture = false;
        const f = this.#future;
        this.#future = [];
        for (const r of f) this.#record(r, false);
        // Records still unreadable wait for the next epoch.
        for (const r of f) if (!this.#readEpochs.some((e) => (e.keys.epoch & 3) === r.epochBits)) this.#future.push(r);
        continue;
      }
      break;
    }
    if (this.#pending === null) this.#afterInput();
  }

  #deliver(type: number, epoch: number, body: Uint8Array): void {
    const raw = tlsForm(type, body);
    if (this.#complete) {
      this.#postHandshake(type, epoch, raw);
      return;
    }
    // Handshake messages must come under the keys the state expects (RFC 8446 §5.1, RFC 9147 §6.1).
    if (epoch !== this.#readEpoch) fail('WRONG_EPOCH', 'unexpected_message', `handshake message ${type} in epoch ${epoch}, expected ${this.#readEpoch}`);
    if (type === HS_NEW_CONNECTION_ID || type === HS_REQUEST_CONNECTION_ID) fail('UNEXPECTED_MESSAGE', 'unexpected_message', 'connection ID message during the handshake');
    const m = _internal.parseHandshake(raw, true);
    this.inspect(m);
    const state = this.#state;
    if (state === null) fail('UNEXPECTED_MESSAGE', 'unexpected_message', `unexpected ${m.type}`);
    this.#advance(state.handle(m));
  }

  #advance(step: Step): void {
    if (step instanceof _internal.Wait) {
      this.#waiting = step.name;
      this.#pending = step.promise.then(
        (cont) => {
          this.#waiting = null;
          this.#pending = null;
          this.#guard(() => {
            this.#advance(cont());
            this.#run();
          });
          this.#flushDatagram();
        },
        (e: unknown) => {
          this.#waiting = null;
          this.#pending = null;
          this.#fail(_internal.toTlsError(e));
          this.#flushDatagram();
        },
      );
      return;
    }
    this.#state = step;
    this.#sendNewFlight();
  }

  #sendNewFlight(): void {
    if (this.#newMessages.length === 0) return;
    const f = new Flight(this.#timerSettings(), this.#reasm.next, this.#flight?.interval ?? this.common.datagram.retransmitInitial);
    f.messages.push(...this.#newMessages);
    this.#newMessages = [];
    // The previous flight is answered; the next incoming flight starts a fresh ACK list (RFC 9147 §7).
    this.#flight = f;
    this.#ackList = [];
    this.#ackDeadline = null;
    this.#ackNow = false;
    this.#transmit(f);
  }

  #afterInput(): void {
    const f = this.#flight;
    // RFC 9147 §5.8.1 (3): the peer resent a flight we answered: resend ours.
    if (this.#peerRetransmitted && f !== null && !f.done && this.#now - f.lastSent >= f.interval / 4) this.#transmit(f);
    this.#peerRetransmitted = false;
    if (this.#ackNow) {
      this.#sendAck();
    } else if (!this.#complete && this.#ackList.length > 0 && this.#ackDeadline === null) {
      // RFC 9147 §7.1: part of a flight and no answer yet: ACK after a quarter of the timer.
      this.#ackDeadline = this.#now + (this.#flight?.interval ?? this.common.datagram.retransmitInitial) / 4;
    }
  }

  #timerSettings() {
    const d = this.common.datagram;
    return { initial: d.retransmitInitial, max: d.retransmitMax, maxRetransmissions: d.maxRetransmissions };
  }

  // ---- post-handshake messages (RFC 9147 §5.8.4, §8, §9) -------------------------------------------

  #postHandshake(type: number, epoch: number, raw: Uint8Array): void {
    // Every post-handshake flight is acknowledged explicitly (RFC 9147 §7.1).
    this.#ackNow = true;
    if (epoch !== this.#readEpoch) fail('WRONG_EPOCH', 'unexpected_message', `post-handshake message in epoch ${epoch}, expected ${this.#readEpoch}`);
    switch (type) {
      case HS_KEY_UPDATE: {
        const m = _internal.parseHandshake(raw, true);
        if (m.type !== 'key_update') fail('UNEXPECTED_MESSAGE', 'unexpected_message', 'bad KeyUpdate');
        const cur = this.#readEpochs[this.#readEpochs.length - 1] as ReadEpoch;
        const next = _internal.nextTrafficSecret(cur.keys.ks, cur.keys.secret);
        this.#installReadEpoch(epochKeys(this.common.provider, cur.keys.ks, cur.keys.suite, next, cur.keys.epoch + 1));
        this.emit({ type: 'key_update', direction: 'read' });
        // RFC 9147 §8: answer update_requested unless a KeyUpdate of ours is in flight or the epoch would pass 2^48-1.
        if (m.body.updateRequested && !this.#writeClosed && this.#keyUpdate === null && this.#writeEpoch < MAX_EPOCH) this.#startKeyUpdate(false);
        return;
      }
      case HS_NEW_SESSION_TICKET:
        // Resumption is not offered by this DTLS client: the ticket is acknowledged and dropped.
        _internal.parseHandshake(raw, true);
        return;
      case HS_NEW_CONNECTION_ID:
        this.#receiveNewConnectionIds(raw.subarray(4));
        return;
      case HS_REQUEST_CONNECTION_ID:
        this.#receiveRequestConnectionIds(raw.subarray(4));
        return;
      default:
        fail('UNEXPECTED_MESSAGE', 'unexpected_message', `unexpected handshake message ${_internal.handshakeTypeName(type)} after the handshake`);
    }
  }

  #queuePost(type: number, body: Uint8Array, kind: MessageKind): OutMessage {
    const msg = new OutMessage(this.#nextMessageSeq(), type, body, this.#writeEpoch, kind);
    let f = this.#post;
    if (f === null) {
      f = new Flight(this.#timerSettings(), this.#reasm.next, this.common.datagram.retransmitInitial);
      this.#post = f;
    }
    f.messages.push(msg);
    this.#transmitMessages(f, [msg]);
    f.sent(this.#now);
    return msg;
  }

  /** message_seq is 16 bits and never reset (RFC 9147 §5.2): past 65535 the association must end. */
  #nextMessageSeq(): number {
    if (this.#sendSeq > 0xffff) fail('MESSAGE_SEQ_EXHAUSTED', 'internal_error', 'handshake message_seq exhausted');
    return this.#sendSeq++;
  }

  #startKeyUpdate(requestPeer: boolean): void {
    // RFC 9147 §8: one KeyUpdate at a time; the next waits for the ACK.
    if (this.#keyUpdate !== null) {
      this.#keyUpdateQueued = (this.#keyUpdateQueued ?? false) || requestPeer;
      return;
    }
    if (this.#writeEpoch >= MAX_EPOCH) fail('EPOCH_EXHAUSTED', 'internal_error', 'epoch would exceed 2^48-1');
    const cur = this.#writeKeys.get(this.#writeEpoch) as EpochKeys;
    const next = epochKeys(this.common.provider, cur.ks, cur.suite, _internal.nextTrafficSecret(cur.ks, cur.secret), cur.epoch + 1);
    const msg = this.#queuePost(HS_KEY_UPDATE, Uint8Array.of(requestPeer ? 1 : 0), 'key_update');
    this.#keyUpdate = { msg, next };
  }

  #postAcked(): void {
    const f = this.#post;
    if (f === null) return;
    const ku = this.#keyUpdate;
    if (ku !== null && ku.msg.fullyAcked) {
      // RFC 9147 §8: the new keys are used only once the KeyUpdate is acknowledged.
      this.#keyUpdate = null;
      this.#writeKeys.set(ku.next.epoch, ku.next);
      this.#writeSeq.set(ku.next.epoch, 0);
      for (const e of [...this.#writeKeys.keys()]) if (e > 3 && e < ku.next.epoch - 1) this.#writeKeys.delete(e);
      this.#writeEpoch = ku.next.epoch;
      this.#nextWriteEpoch = ku.next.epoch + 1;
      this.#recordsInEpoch = 0;
      this.emit({ type: 'key_update', direction: 'write' });
      const q = this.#keyUpdateQueued;
      this.#keyUpdateQueued = null;
      if (q !== null) this.#startKeyUpdate(q);
    }
    for (const m of f.messages) if (m.fullyAcked && m.kind === 'new_connection_id') this.#ncidOutstanding = false;
    const rest = f.pending();
    if (rest.length === 0) {
      this.#post = null;
      return;
    }
    f.messages.splice(0, f.messages.length, ...rest);
  }

  #sendNewConnectionIds(cids: Uint8Array[], usage: 'cid_immediate' | 'cid_spare'): void {
    this.recvCids.push(...cids);
    while (this.recvCids.length > MAX_CIDS) this.recvCids.shift();
    this.#ncidOutstanding = true;
    this.#queuePost(HS_NEW_CONNECTION_ID, encodeNewConnectionId(cids, usage), 'new_connection_id');
  }

  #receiveNewConnectionIds(body: Uint8Array): void {
    // RFC 9147 §9: only when CIDs were negotiated and we send a non-empty one.
    if (!this.cidNegotiated || this.sendCid.length === 0) fail('UNEXPECTED_MESSAGE', 'unexpected_message', 'NewConnectionId without a negotiated non-empty connection ID');
    const { cids, usage } = decodeNewConnectionId(body);
    this.#rcidOutstanding = false;
    const fresh = [...cids];
    if (usage === 'cid_immediate') {
      const first = fresh.shift();
      if (first === undefined) fail('ILLEGAL_PARAMETER', 'illegal_parameter', 'cid_immediate with no CID');
      this.sendCid = first;
    }
    // RFC 9147 §9: extra spare CIDs may simply be discarded.
    this.#spareCids.push(...fresh);
    this.#spareCids = this.#spareCids.slice(0, MAX_CIDS);
    this.emit({ type: 'new_connection_ids', cids: cids.map((c) => c.slice()), usage });
  }

  #receiveRequestConnectionIds(body: Uint8Array): void {
    if (!this.cidNegotiated || this.recvCidLength === 0) fail('UNEXPECTED_MESSAGE', 'unexpected_message', 'RequestConnectionId without a negotiated non-empty connection ID');
    const asked = decodeRequestConnectionId(body);
    if (this.#ncidOutstanding) return;
    // RFC 9147 §9: fewer CIDs than asked (even none) is allowed.
    const count = Math.min(asked, 4);
    const cids: Uint8Array[] = [];
    for (let i = 0; i < count; i++) cids.push(this.common.provider.randomBytes(this.recvCidLength));
    this.#sendNewConnectionIds(cids, 'cid_spare');
  }

  // ---- record output -----------------------------------------------------------------------------

  #installReadEpoch(keys: EpochKeys): void {
    this.#readEpochs.push({ keys, window: new ReplayWindow(), failures: 0 });
    // Older epochs stay readable for a while for reordered records (RFC 9147 §4.2.1, §8).
    if (this.#readEpochs.length > 3) this.#readEpochs.shift();
    this.#readEpoch = keys.epoch;
    this.#retryFuture = this.#future.length > 0;
  }

  /** Sends the unacknowledged parts of a flight and arms its timer (RFC 9147 §5.8.1 SENDING). */
  #transmit(f: Flight): void {
    this.#transmitMessages(f, f.pending());
    this.#flushDatagram();
    f.sent(this.#now);
  }

  #transmitMessages(_f: Flight, msgs: OutMessage[]): void {
    const mtu = this.common.datagram.mtu;
    for (const m of msgs) {
      for (const [start, end] of m.unacked()) {
        let at = start;
        do {
          const overhead = this.#recordOverhead(m.epoch) + HANDSHAKE_HEADER_LENGTH;
          let room = mtu - this.#datagramLength - overhead;
          const left = end - at;
          // Fill the datagram, but do not cut a message into crumbs: start a new datagram instead.
          if (room < Math.min(left, 16) || room <= 0) {
            this.#flushDatagram();
            room = mtu - overhead;
          }
          let n = Math.min(left, room);
          // RFC 9147 §5.1: before the address is proven, at most `amplificationLimit` times what was received.
          const limit = this.common.datagram.amplificationLimit;
          if (!this.addressValidated && limit !== false) {
            const budget = Math.floor(limit * this.#bytesIn) - this.#bytesOut - this.#datagramLength - overhead;
            if (budget < Math.min(left, 16)) return;
            n = Math.min(n, budget);
          }
          const frag = encodeFragment(m.type, m.body.length, m.messageSeq, at, m.body.subarray(at, at + n));
          const rn = this.#appendRecord(m.epoch, ContentType.handshake, frag);
          const key = `${rn.epoch}:${rn.seq}`;
          this.#sentRecords.set(key, [{ msg: m, start: at, end: at + n }]);
          if (this.#sentRecords.size > 4096) {
            const first = this.#sentRecords.keys().next().value;
            if (first !== undefined) this.#sentRecords.delete(first);
          }
          at += n;
        } while (at < end);
      }
    }
  }

  #recordOverhead(epoch: number): number {
    if (epoch === 0) return PLAINTEXT_HEADER_LENGTH;
    const keys = this.#writeKeys.get(epoch) as EpochKeys;
    return ciphertextOverhead(this.sendCid.length, keys.aead.tagLength, HANDSHAKE_HEADER_LENGTH);
  }

  /** Seals a record into the datagram being built; returns its record number. */
  #appendRecord(epoch: number, type: number, content: Uint8Array): RecordNumber {
    const seq = this.#writeSeq.get(epoch) ?? 0;
    let rec: Uint8Array;
    if (epoch === 0) {
      // RFC 9147 §4: plaintext sequence numbers stay below 2^48.
      if (seq > MAX_EPOCH) fail('SEQUENCE_EXHAUSTED', 'internal_error', 'plaintext sequence numbers exhausted');
      rec = encodePlaintext(type, 0, seq, content);
    } else {
      const keys = this.#writeKeys.get(epoch);
      if (keys === undefined) fail('INTERNAL_ERROR', 'internal_error', `no keys for epoch ${epoch}`);
      if (seq >= Number.MAX_SAFE_INTEGER) fail('SEQUENCE_EXHAUSTED', 'internal_error', 'record sequence numbers exhausted');
      rec = sealRecord(keys, seq, type, content, this.sendCid);
    }
    this.#writeSeq.set(epoch, seq + 1);
    if (this.#datagramLength + rec.length > this.common.datagram.mtu) this.#flushDatagram();
    this.#datagram.push(rec);
    this.#datagramLength += rec.length;
    return { epoch, seq };
  }

  #sendRecordNow(epoch: number, type: number, content: Uint8Array): void {
    this.#appendRecord(epoch, type, content);
    this.#flushDatagram();
  }

  #flushDatagram(): void {
    if (this.#datagram.length === 0) return;
    const out = new Uint8Array(this.#datagramLength);
    let at = 0;
    for (const r of this.#datagram) {
      out.set(r, at);
      at += r.length;
    }
    this.#datagram = [];
    this.#datagramLength = 0;
    if (!this.addressValidated) this.#bytesOut += out.length;
    this.#out.push(out);
  }

  #sendAck(): void {
    this.#ackNow = false;
    this.#ackDeadline = null;
    // RFC 9147 §7: the ACK goes in the highest epoch we can send in, at least that of each record it covers.
    const epoch = Math.max(this.#writeEpoch, ...this.#writeKeys.keys());
    const list = this.#ackList.filter((r) => r.epoch <= epoch);
    if (this.#writeClosed && this.#complete) return;
    this.#appendRecord(epoch, ContentType.ack, encodeAck(list, Math.floor((this.common.datagram.mtu - 64) / 16)));
    // Post-handshake, each record is acknowledged once (RFC 9147 §7).
    if (this.#complete) this.#ackList = [];
  }

  #sendApplication(data: Uint8Array): void {
    this.#appendRecord(this.#writeEpoch, ContentType.application_data, data);
    this.#flushDatagram();
    this.#recordsInEpoch++;
    const keys = this.#writeKeys.get(this.#writeEpoch) as EpochKeys;
    // RFC 9147 §4.5.3: update the key before the AEAD's limit.
    const limit = this.common.keyUpdateAfterRecords ?? keys.suite.recordLimit;
    if (this.#recordsInEpoch >= limit && this.#keyUpdate === null) this.#startKeyUpdate(false);
  }

  // ---- failure -----------------------------------------------------------------------------------

  #guard(f: () => void): void {
    if (this.#error !== null) return;
    try {
      f();
    } catch (e) {
      this.#fail(_internal.toTlsError(e));
    }
  }

  #fail(err: TlsError): void {
    if (this.#error !== null) return;
    this.#error = err;
    this.#flight = null;
    this.#post = null;
    this.#ackDeadline = null;
    this.#datagram = [];
    this.#datagramLength = 0;
    if (!err.remote && !this.#writeClosed) {
      try {
        // Alerts are not retransmitted (RFC 9147 §5.10).
        this.#sendRecordNow(this.#writeEpoch, ContentType.alert, Uint8Array.of(ALERT_LEVEL_FATAL, alertCode(err.alert)));
      } catch {
        // Nothing more can be said to the peer.
      }
    }
    this.#writeClosed = true;
    this.emit({ type: 'error', error: err });
  }
}

function alertCode(name: AlertDescriptionName): number {
  return AlertDescription[name];
}
