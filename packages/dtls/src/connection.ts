/**
 * The sans-IO DTLS 1.3 connection core (RFC 9147) shared by client and server. It drives the TLS 1.3
 * handshake states of @puretls/tls through their io seam and adds what datagrams need: epochs and
 * the unified header (§4), record number encryption (§4.2.3), the replay window (§4.5.1), silent
 * discard of invalid records (§4.5.2), handshake fragmentation and reassembly (§5.2, §5.5), flights
 * with ACKs and retransmission on the caller's clock (§5.8, §7), KeyUpdate (§8), CIDs (§9).
 *
 * Datagrams in: `feedDatagram(bytes, now)`; datagrams out: `pullDatagram()`; timers: `nextTimeout()`
 * and `onTimeout(now)`. No socket, timer or clock of its own.
 *
 * This file holds the public API and the driving of the TLS states; the parts live beside it:
 * `record/record-layer.ts` (epochs, protection, datagrams), `record-input.ts` (what records carry),
 * `reliability.ts` with `ack-tracker.ts` and `handshake/fragmenter.ts` (flights, ACKs, timers),
 * `post-handshake.ts` (KeyUpdate, CIDs).
 */
import type { CryptoProvider } from '@puretls/crypto';
import { _internal, AlertDescription, TlsError, type AlertDescriptionName, type CipherSuite, type HandshakeInfo } from '@puretls/tls';
import type { RecordNumber } from './ack.js';
import type { DatagramSettings } from './config.js';
import { ContentType, HS_NEW_CONNECTION_ID, HS_REQUEST_CONNECTION_ID } from './constants.js';
import type { DtlsEvent, DtlsHandshakeInfo } from './events.js';
import { tlsForm } from './handshake/framing.js';
import { Reassembler } from './handshake/reassembly.js';
import { PostHandshake, type CidState, type PostHandshakeHost } from './post-handshake.js';
import type { EpochKeys } from './record/epoch.js';
import { RecordInput, type RecordInputHost } from './record-input.js';
import { RecordLayer } from './record/record-layer.js';
import { parseDatagram } from './record/records.js';
import { Reliability, type ReliabilityHost } from './reliability.js';

type KeyScheduleContext = _internal.KeyScheduleContext;
type State = _internal.State;
type Step = _internal.Step;
type RawHandshake = _internal.RawHandshake;
type HandshakeMessage = _internal.HandshakeMessage;

const fail: (code: string, alert: AlertDescriptionName, message: string) => never = _internal.fail;
const EMPTY = new Uint8Array(0);
const ALERT_CLOSE_NOTIFY = 0;
const ALERT_LEVEL_FATAL = 2;
const ALERT_LEVEL_WARNING = 1;

export interface Common {
  readonly provider: CryptoProvider;
  /** The config's clock: the time base of every `now` the caller passes. */
  readonly now: () => number;
  readonly maxHandshakeMessageSize: number;
  readonly keyUpdateAfterRecords: number | undefined;
  readonly datagram: DatagramSettings;
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
  readonly #rl: RecordLayer;
  readonly #in: RecordInput;
  readonly #rel: Reliability;
  readonly #post: PostHandshake;
  // ---- handshake layer
  readonly #reasm: Reassembler;
  #state: State | null = null;
  #waiting: string | null = null;
  #pending: Promise<void> | null = null;
  #complete = false;
  #traffic: TrafficState | null = null;
  #recordsInEpoch = 0;
  // ---- CIDs (RFC 9146, RFC 9147 §9)
  protected readonly cid: CidState = { cidNegotiated: false, sendCid: EMPTY, recvCids: [], recvCidLength: 0 };
  // ---- output, events, lifecycle
  #events = new _internal.Fifo<DtlsEvent>();
  #appQueue: Uint8Array[] = [];
  #now: number;
  #error: TlsError | null = null;
  #writeClosed = false;
  /** close() came before the handshake completed: close_notify follows it; sending is over now. */
  #closeDeferred = false;
  #info: DtlsHandshakeInfo | null = null;
  /** Datagrams handed out so far (for tests and statistics). */
  datagramsSent = 0;
  /** Records that authenticated (an adapter may follow a peer's new address only after one: RFC 9146 §6). */
  recordsAuthenticated = 0;
  /**
   * Authenticated records of the datagrams fed that were newer than every record authenticated before
   * them: RFC 9146 §6 lets an adapter follow a new peer address only for such a record (a delayed older
   * one from the previous address must not move it back).
   */
  newerRecordsAuthenticated = 0;
  #newestRecord: RecordNumber | null = null;
  /** False for a server until a cookie or the handshake proved the client's address (RFC 9147 §5.1). */
  protected addressValidated = true;

  protected constructor(common: Common, now: number) {
    if (!Number.isFinite(now)) throw new TypeError('now must be a finite number of milliseconds');
    this.common = common;
    this.#now = now;
    this.#reasm = new Reassembler(common.maxHandshakeMessageSize);
    this.#rl = new RecordLayer(common.provider, common.datagram, () => this.cid.sendCid, () => !this.addressValidated);
    this.#rel = new Reliability(this.#rl, common.datagram, this.#reliabilityHost());
    this.#post = new PostHandshake(this.#postHost());
    this.#in = new RecordInput(this.#inputHost());
  }

  // ---- public API --------------------------------------------------------------------------------

  get state(): string {
    if (this.#error !== null) return 'Failed';
    if (this.#in.readClosed && this.#writeClosed) return 'Closed';
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
    return this.#rl.writeEpoch;
  }

  /** CIDs the peer may put in records to us (for demultiplexing by the adapter). */
  get localConnectionIds(): readonly Uint8Array[] {
    return this.cid.recvCids.map((c) => c.slice());
  }

  /** The largest application write that fits in one datagram. */
  get maxDatagramPayload(): number {
    return this.#rl.maxDatagramPayload;
  }

  /** A datagram from the peer, at time `now` (ms). Invalid records are dropped silently (RFC 9147 §4.5.2). */
  feedDatagram(bytes: Uint8Array, now: number): void {
    if (!(bytes instanceof Uint8Array)) throw new TypeError('bytes must be a Uint8Array');
    this.#advanceClock(now);
    // After close_notify, records numbered before it still count (RFC 9147 §5.10).
    if (this.#error !== null) return;
    if (!this.addressValidated) this.#rl.bytesIn += bytes.length;
    this.#guard(() => {
      let at = 0;
      for (;;) {
        const cidLength = this.cid.recvCidLength;
        const { records, end } = parseDatagram(bytes, cidLength, at);
        let stop = false;
        for (const r of records) {
          if (this.#error !== null) break;
          if (r.kind === 'ciphertext' && !this.#in.cidOk(r)) {
            stop = true;
            break;
          }
          this.#in.record(r, true);
        }
        this.#run();
        // A ServerHello earlier in this datagram may have just negotiated the CID of what follows.
        if (stop || end >= bytes.length || this.cid.recvCidLength === cidLength || this.#error !== null) break;
        at = end;
      }
    });
    this.#rl.flush();
  }

  /** The next datagram to send, or null. */
  pullDatagram(): Uint8Array | null {
    const d = this.#rl.pull();
    if (d === null) return null;
    this.datagramsSent++;
    return d;
  }

  poll(): DtlsEvent | null {
    return this.#events.shift() ?? null;
  }

  /** When `onTimeout` should next be called (ms, same clock as `now`), or null. */
  nextTimeout(): number | null {
    if (this.#error !== null) return null;
    return this.#rel.nextTimeout();
  }

  /** Runs the timers due at `now`: retransmissions (RFC 9147 §5.8) and delayed ACKs (§7.1). */
  onTimeout(now: number): void {
    this.#advanceClock(now);
    if (this.#error !== null) return;
    this.#guard(() => this.#rel.onTimeout());
    this.#rl.flush();
  }

  /**
   * Application data: one call is one record in one datagram (datagram semantics). Before the
   * handshake completes it is queued. RangeError when it cannot fit the MTU.
   */
  send(data: Uint8Array): void {
    if (!(data instanceof Uint8Array)) throw new TypeError('data must be a Uint8Array');
    if (this.#error !== null) throw this.#error;
    if (this.#writeClosed || this.#closeDeferred) throw new Error('send after close()');
    if (data.length > this.maxDatagramPayload) throw new RangeError(`data of ${data.length} bytes does not fit one datagram (max ${this.maxDatagramPayload})`);
    if (this.#traffic === null) {
      if (this.#appQueue.length >= 256) throw new RangeError('too many writes queued before the handshake completed');
      this.#appQueue.push(_internal.copyBytes(data));
      return;
    }
    this.#guard(() => this.#sendApplication(data));
    this.#rl.flush();
  }

  /** `send()` under the name the TLS engine uses. */
  write(data: Uint8Array): void {
    this.send(data);
  }

  /**
   * Sends a KeyUpdate (RFC 9147 §8); the new keys are used once the peer acknowledges it. `now` (default
   * the config's clock) starts its retransmission timer: the time of the last datagram or timeout
   * would put the deadline in the past after an idle period, and resend at once.
   */
  keyUpdate(requestPeer = false, now: number = this.common.now()): void {
    if (this.#error !== null) throw this.#error;
    this.#advanceClock(now);
    if (this.#traffic === null) throw new Error('keyUpdate() before the handshake completed');
    if (this.#writeClosed) throw new Error('keyUpdate() after close()');
    this.#guard(() => this.#post.startKeyUpdate(requestPeer));
    this.#rl.flush();
  }

  /**
   * close_notify (not retransmitted: RFC 9147 §5.10); reading continues. Before the handshake completed
   * it waits for that, and for the messages sent before close(): the peer ignores what follows a
   * close_notify, the rest of the handshake included.
   */
  close(): void {
    if (this.#error !== null || this.#writeClosed || this.#closeDeferred) return;
    if (!this.#complete) {
      this.#closeDeferred = true;
      return;
    }
    this.#guard(() => this.#sendCloseNotify());
    this.#rl.flush();
  }

  /**
   * Abandons the handshake: user_canceled and then close_notify (RFC 9846 §6.1; not retransmitted,
   * RFC 9147 §5.10), and the connection fails with code `CANCELED`. Once the handshake is complete it
   * is `close()`, as the RFC advises.
   */
  cancel(): void {
    if (this.#error !== null) return;
    if (this.#complete) {
      this.close();
      return;
    }
    this.#closeDeferred = false;
    this.#appQueue = [];
    this.#fail(new TlsError('CANCELED', 'user_canceled', 'the handshake was canceled'), [
      [ALERT_LEVEL_WARNING, AlertDescription.user_canceled],
      [ALERT_LEVEL_WARNING, ALERT_CLOSE_NOTIFY],
    ]);
    this.#rl.flush();
  }

  #sendCloseNotify(): void {
    this.#rl.sendNow(this.#rl.writeEpoch, ContentType.alert, Uint8Array.of(ALERT_LEVEL_WARNING, ALERT_CLOSE_NOTIFY));
    this.#writeClosed = true;
    this.#post.flight = null;
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
  newConnectionIds(count = 1, usage: 'cid_immediate' | 'cid_spare' = 'cid_spare', now: number = this.common.now()): readonly Uint8Array[] {
    if (!Number.isInteger(count) || count < 1 || count > 8) throw new RangeError('count must be 1..8');
    this.#advanceClock(now);
    if (usage !== 'cid_immediate' && usage !== 'cid_spare') throw new TypeError("usage must be 'cid_immediate' or 'cid_spare'");
    if (!this.#complete || !this.cid.cidNegotiated || this.cid.recvCidLength === 0) throw new Error('newConnectionIds() needs a negotiated non-empty connection ID');
    if (this.#post.ncidOutstanding) throw new Error('a NewConnectionId is still awaiting its ACK');
    const cids: Uint8Array[] = [];
    this.#guard(() => {
      for (let i = 0; i < count; i++) cids.push(this.common.provider.randomBytes(this.cid.recvCidLength));
      this.#post.sendNewConnectionIds(cids, usage);
    });
    this.#rl.flush();
    return cids.map((c) => c.slice());
  }

  /** Asks the peer for `count` spare CIDs (RFC 9147 §9); `now` as for keyUpdate(). */
  requestConnectionIds(count: number, now: number = this.common.now()): void {
    if (!Number.isInteger(count) || count < 1 || count > 255) throw new RangeError('count must be 1..255');
    this.#advanceClock(now);
    if (!this.#complete || !this.cid.cidNegotiated || this.cid.sendCid.length === 0) throw new Error('requestConnectionIds() needs a negotiated non-empty connection ID to send');
    if (this.#post.rcidOutstanding) throw new Error('an earlier RequestConnectionId is unfulfilled');
    this.#guard(() => this.#post.requestConnectionIds(count));
    this.#rl.flush();
  }

  /** Switches our records to the next spare CID the peer gave us (e.g. on a new path); false if none. */
  rotateConnectionId(): boolean {
    const next = this.#post.nextSpareCid();
    if (next === undefined) return false;
    this.cid.sendCid = next;
    return true;
  }

  // ---- for subclasses ----------------------------------------------------------------------------

  protected start(step: Step): void {
    this.#guard(() => {
      this.#advance(step);
      this.#run();
    });
    this.#rl.flush();
  }

  /** `f` as the connection's own step: what it throws fails the connection (with its alert). */
  protected guarded(f: () => void): void {
    this.#guard(f);
    this.#rl.flush();
  }

  protected emit(e: DtlsEvent): void {
    this.#events.push(e);
  }

  /** Queues a handshake message of the current flight; returns its TLS form for the transcript. */
  protected sendHandshake(m: HandshakeMessage | Uint8Array): Uint8Array {
    const raw = m instanceof Uint8Array ? m : _internal.encodeHandshake(m);
    const type = raw[0] as number;
    this.#rel.queue(type, raw.subarray(4));
    return raw;
  }

  protected setWriteKeys(ks: KeyScheduleContext, suite: CipherSuite, secret: Uint8Array): void {
    this.#rl.setWriteKeys(ks, suite, secret);
    this.#recordsInEpoch = 0;
  }

  /**
   * The client's handshake write keys, installed as soon as they are known so that ACKs of the
   * server's epoch-2 records can go in epoch 2 (RFC 9147 §7) before the client's own flight.
   */
  protected installWriteKeysEarly(ks: KeyScheduleContext, suite: CipherSuite, secret: Uint8Array): void {
    this.#rl.installWriteKeysEarly(ks, suite, secret);
  }

  protected setReadKeys(ks: KeyScheduleContext, suite: CipherSuite, secret: Uint8Array): void {
    this.#rl.setReadKeys(ks, suite, secret);
    // Only authenticated fragments may complete the messages of the new epoch (RFC 9147 §4.5.2, §6.1).
    this.#reasm.discardEpoch(0);
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

  /** The record layer, for the 0-RTT epoch (RFC 9147 §6.1; see client.ts, server.ts). */
  protected get records(): RecordLayer {
    return this.#rl;
  }

  /** A record of 0-RTT data (epoch 1): only a server that accepted it has the keys to read one. */
  protected onEarlyData(_data: Uint8Array): void {
    fail('UNEXPECTED_APPLICATION_DATA', 'unexpected_message', '0-RTT data on a connection that did not accept it');
  }

  /** The handshake is complete in both directions for us: events, queued writes. */
  protected completeHandshake(info: HandshakeInfo, ackPeer: boolean): void {
    this.#complete = true;
    this.addressValidated = true;
    // The server acknowledges the client's final flight (RFC 9147 §5.7 note 1).
    if (ackPeer) this.#rel.acks.now = true;
    const { version: _v, ...rest } = info;
    this.#info = Object.freeze({
      ...rest,
      version: 'DTLSv1.3',
      connectionId: this.cid.cidNegotiated ? { send: this.cid.sendCid.slice(), receive: (this.cid.recvCids[0] ?? EMPTY).slice() } : null,
    });
    this.emit({ type: 'handshake_complete', info: this.#info });
    const q = this.#appQueue;
    this.#appQueue = [];
    for (const d of q) this.#sendApplication(d);
    if (this.#closeDeferred) {
      this.#closeDeferred = false;
      this.#sendCloseNotify();
    }
  }

  /** Hook to look at a hello before its state does (CID negotiation). */
  protected abstract inspect(m: RawHandshake): void;

  protected get now(): number {
    return this.#now;
  }

  /** Record sequence numbers of epoch 0 continue from the client's (RFC 6347 §4.2.1 style, for stateless servers). */
  protected mirrorPlaintextSeq(seq: number): void {
    this.#rl.mirrorPlaintextSeq(seq);
  }

  /** A server taking over after a stateless HelloRetryRequest continues the message_seq spaces. */
  protected resumeAt(seq: number): void {
    if (this.#reasm.next !== 0 || !this.#rel.fresh) return;
    this.#reasm.skipTo(seq);
    this.#rel.resumeAt(seq);
  }

  protected onPlaintextHello(_seq: number, _messageSeq: number, _type: number): void {}

  /** A NewSessionTicket from the peer (TLS form); a server has no use for one: parsed and dropped. */
  protected onSessionTicket(raw: Uint8Array): void {
    _internal.parseHandshake(raw, true);
  }

  /** Sends a post-handshake message (TLS form), retransmitted until acknowledged (RFC 9147 §5.8.4). */
  protected sendPostHandshake(raw: Uint8Array, kind: 'new_session_ticket'): void {
    this.#post.queue(raw[0] as number, raw.subarray(4), kind);
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
      if (this.#rl.retryFuture) {
        this.#rl.retryFuture = false;
        const f = this.#rl.takeFuture();
        for (const r of f) this.#in.record(r, false);
        // Records still unreadable wait for the next epoch.
        this.#rl.keepUnreadable(f);
        continue;
      }
      break;
    }
    if (this.#pending === null) this.#rel.afterInput();
  }

  #deliver(type: number, epoch: number, body: Uint8Array): void {
    const raw = tlsForm(type, body);
    if (this.#complete) {
      this.#postHandshake(type, epoch, raw);
      return;
    }
    // Handshake messages must come under the keys the state expects (RFC 8446 §5.1, RFC 9147 §6.1).
    if (epoch !== this.#rl.readEpoch) fail('WRONG_EPOCH', 'unexpected_message', `handshake message ${type} in epoch ${epoch}, expected ${this.#rl.readEpoch}`);
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
          this.#rl.flush();
        },
        (e: unknown) => {
          this.#waiting = null;
          this.#pending = null;
          this.#fail(_internal.toTlsError(e));
          this.#rl.flush();
        },
      );
      return;
    }
    this.#state = step;
    this.#rel.sendNewFlight();
  }

  // ---- post-handshake messages (RFC 9147 §5.8.4, §8, §9) -------------------------------------------

  #postHandshake(type: number, epoch: number, raw: Uint8Array): void {
    // Every post-handshake flight is acknowledged explicitly (RFC 9147 §7.1).
    this.#rel.acks.now = true;
    const cur = this.#rl.readEpoch;
    // RFC 9147 §8: the peer sends under its old keys until its KeyUpdate is ACKed, so what follows
    // that KeyUpdate may come in the epoch before ours; never an older one, nor a handshake epoch.
    const previous = epoch === cur - 1 && epoch >= 3;
    if (epoch !== cur && !previous) fail('WRONG_EPOCH', 'unexpected_message', `post-handshake message in epoch ${epoch}, expected ${cur}`);
    this.#post.receive(type, raw, previous);
  }

  #inputHost(): RecordInputHost {
    const self = this;
    return {
      rl: this.#rl,
      rel: this.#rel,
      reasm: this.#reasm,
      cid: this.cid,
      get complete() {
        return self.#complete;
      },
      authenticated: (rn, fresh) => {
        this.recordsAuthenticated++;
        const n = this.#newestRecord;
        if (n !== null && (rn.epoch < n.epoch || (rn.epoch === n.epoch && rn.seq <= n.seq))) return;
        this.#newestRecord = rn;
        // A record kept for later came in an earlier datagram, perhaps from another address.
        if (fresh) this.newerRecordsAuthenticated++;
      },
      onPlaintextHello: (seq, messageSeq, type) => this.onPlaintextHello(seq, messageSeq, type),
      emit: (e) => this.emit(e),
      earlyData: (d) => this.onEarlyData(d),
      peerClosed: () => {
        // Nothing the peer sends after it counts, ACKs included: stop waiting for them.
        this.#post.flight = null;
        this.emit({ type: 'peer_closed' });
      },
      fail: (err) => this.#fail(err),
    };
  }

  #reliabilityHost(): ReliabilityHost {
    const self = this;
    return {
      get now() {
        return self.#now;
      },
      get complete() {
        return self.#complete;
      },
      get writeClosed() {
        return self.#writeClosed;
      },
      get addressValidated() {
        return self.addressValidated;
      },
      get peerNextSeq() {
        return self.#reasm.next;
      },
      get postFlight() {
        return self.#post.flight;
      },
      postAcked: () => this.#post.acked(),
    };
  }

  #postHost(): PostHandshakeHost {
    const self = this;
    return {
      rl: this.#rl,
      provider: this.common.provider,
      settings: this.common.datagram,
      cids: this.cid,
      get now() {
        return self.#now;
      },
      get writeClosed() {
        return self.#writeClosed;
      },
      get peerNextSeq() {
        return self.#reasm.next;
      },
      get initialTimer() {
        return self.#rel.initialTimer;
      },
      nextMessageSeq: () => this.#rel.nextMessageSeq(),
      emit: (e) => this.emit(e),
      transmitMessages: (msgs) => this.#rel.transmitMessages(msgs),
      writeEpochChanged: () => {
        this.#recordsInEpoch = 0;
      },
      sessionTicket: (raw) => this.onSessionTicket(raw),
    };
  }

  // ---- record output -----------------------------------------------------------------------------

  #sendApplication(data: Uint8Array): void {
    // Data queued before the handshake could not be checked against the peer's record_size_limit
    // (RFC 8449 §4), learnt since: one datagram is one message, it cannot be cut, nor silently dropped.
    const peerLimit = this.#rl.peerRecordSizeLimit;
    if (peerLimit !== null && data.length > peerLimit - 1) {
      fail('PEER_RECORD_SIZE_LIMIT', 'internal_error', `data of ${data.length} bytes queued before the handshake exceeds the peer's record_size_limit ${peerLimit}`);
    }
    this.#rl.append(this.#rl.writeEpoch, ContentType.application_data, data);
    this.#rl.flush();
    this.#recordsInEpoch++;
    const keys = this.#rl.writeKeys(this.#rl.writeEpoch) as EpochKeys;
    // RFC 9147 §4.5.3: update the key before the AEAD's limit.
    const limit = this.common.keyUpdateAfterRecords ?? keys.suite.recordLimit;
    if (this.#recordsInEpoch >= limit && !this.#post.keyUpdateInFlight) this.#post.startKeyUpdate(false);
  }

  // ---- failure -----------------------------------------------------------------------------------

  /** The caller's clock moves forward only (ms on the config's clock). */
  #advanceClock(now: number): void {
    if (typeof now !== 'number' || !Number.isFinite(now)) throw new TypeError('now must be a finite number of milliseconds');
    this.#now = Math.max(this.#now, now);
  }

  #guard(f: () => void): void {
    if (this.#error !== null) return;
    try {
      f();
    } catch (e) {
      this.#fail(_internal.toTlsError(e));
    }
  }

  /** `alerts` (level, description): what to tell the peer, by default the fatal alert of `err`. */
  #fail(err: TlsError, alerts: [number, number][] = [[ALERT_LEVEL_FATAL, alertCode(err.alert)]]): void {
    if (this.#error !== null) return;
    this.#error = err;
    this.#rel.stop();
    this.#post.flight = null;
    this.#rl.discard();
    // A client whose first flight never went out (it waited for the provider) has no peer to tell.
    if (!err.remote && !this.#writeClosed && this.#state !== null) {
      try {
        // Alerts are not retransmitted (RFC 9147 §5.10). Like an ACK, the alert goes in the highest
        // epoch we can send in: a peer with handshake keys ignores cleartext alerts.
        for (const [level, desc] of alerts) this.#rl.sendNow(this.#rl.highestWriteEpoch, ContentType.alert, Uint8Array.of(level, desc));
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
