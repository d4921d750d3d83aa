/**
 * Reliable delivery of handshake flights over datagrams (RFC 9147 §5.8, §7): our message_seq space,
 * the current flight with its retransmission timer, implicit acknowledgement by the peer's next
 * flight (§7.2), explicit ACKs both ways (selective, with a partial ACK answered by resending what is
 * missing), delayed ACKs (§7.1), resending when the peer resends (§5.8.1), and smaller fragments
 * after repeated unanswered retransmissions (§4.4).
 */
import { _internal, type AlertDescriptionName } from '@puretls/tls';
import { encodeAck, type RecordNumber } from './ack.js';
import { AckTracker } from './ack-tracker.js';
import type { DatagramSettings } from './config.js';
import { ContentType } from './constants.js';
import { backedOffMtu, Flight, OutMessage, type TimerSettings } from './flight.js';
import { writeFragments } from './handshake/fragmenter.js';
import type { RecordLayer } from './record/record-layer.js';

const fail: (code: string, alert: AlertDescriptionName, message: string) => never = _internal.fail;
/** The RTT-based timer never goes below this (ms), nor below the configured initial value when that is lower. */
export const MIN_RTT_TIMER = 100;

/** What the connection tells about itself. */
export interface ReliabilityHost {
  readonly now: number;
  /** The handshake completed (post-handshake rules for ACKs apply). */
  readonly complete: boolean;
  readonly writeClosed: boolean;
  /** False while a server's output counts against the amplification limit (RFC 9147 §5.1). */
  readonly addressValidated: boolean;
  /** The peer's next expected message_seq. */
  readonly peerNextSeq: number;
  /** The post-handshake flight, which shares the timers. */
  postFlight: Flight | null;
  /** Our records were acknowledged: post-handshake messages may be complete. */
  postAcked(): void;
}

export class Reliability {
  readonly acks = new AckTracker();
  /** Our current handshake flight, until the peer's next flight or an ACK answers it. */
  flight: Flight | null = null;
  /** The peer resent something we already had: it may not have our flight (§5.8.1). */
  peerRetransmitted = false;
  #newMessages: OutMessage[] = [];
  #sendSeq = 0;
  /** The timer a new flight starts with: the configured initial value, then 1.5 × the measured RTT (§5.8.2). */
  #initialTimer: number;
  /** When a flight of ours was last sent or acknowledged: the start of an idle period. */
  #lastFlight = -Infinity;
  readonly #rl: RecordLayer;
  readonly #settings: DatagramSettings;
  readonly #host: ReliabilityHost;

  constructor(rl: RecordLayer, settings: DatagramSettings, host: ReliabilityHost) {
    this.#rl = rl;
    this.#settings = settings;
    this.#host = host;
    this.#initialTimer = settings.retransmitInitial;
  }

  /**
   * The timer a new flight (handshake or post-handshake) starts with. RFC 9147 §5.8.2 (MAY): after at
   * least 10 times the current timer without a flight, the measured value is stale: start again from
   * the configured initial value.
   */
  get initialTimer(): number {
    if (this.#host.now - this.#lastFlight >= 10 * this.#initialTimer) this.#initialTimer = this.#settings.retransmitInitial;
    return this.#initialTimer;
  }

  /**
   * RFC 9147 §5.8.2: once a flight is acknowledged without having been retransmitted, the timer
   * becomes 1.5 × the round trip measured for it (bounded by MIN_RTT_TIMER and the configured cap).
   */
  #measured(f: Flight): void {
    this.#lastFlight = this.#host.now;
    if (f.retransmissions !== 0 || !Number.isFinite(f.lastSent)) return;
    const rtt = this.#host.now - f.lastSent;
    const floor = Math.min(MIN_RTT_TIMER, this.#settings.retransmitInitial);
    this.#initialTimer = Math.min(this.#settings.retransmitMax, Math.max(floor, Math.ceil(1.5 * rtt)));
  }

  get timer(): TimerSettings {
    const d = this.#settings;
    return { initial: d.retransmitInitial, max: d.retransmitMax, maxRetransmissions: d.maxRetransmissions };
  }

  /** message_seq is 16 bits and never reset (RFC 9147 §5.2): past 65535 the association must end. */
  nextMessageSeq(): number {
    if (this.#sendSeq > 0xffff) fail('MESSAGE_SEQ_EXHAUSTED', 'internal_error', 'handshake message_seq exhausted');
    return this.#sendSeq++;
  }

  /** Whether neither side has used a message_seq yet. */
  get fresh(): boolean {
    return this.#sendSeq === 0;
  }

  /** A server taking over after a stateless HelloRetryRequest continues both message_seq spaces. */
  resumeAt(seq: number): void {
    this.#sendSeq = seq;
    this.acks.streamStartsAt(seq);
  }

  /** A handshake message of the flight being built. */
  queue(type: number, body: Uint8Array): void {
    this.#newMessages.push(new OutMessage(this.nextMessageSeq(), type, body, this.#rl.writeEpoch, 'handshake'));
  }

  /** Sends the messages queued since the last flight as a new flight. */
  sendNewFlight(): void {
    if (this.#newMessages.length === 0) return;
    const f = new Flight(this.timer, this.#host.peerNextSeq, this.flight?.interval ?? this.initialTimer);
    this.#lastFlight = this.#host.now;
    f.messages.push(...this.#newMessages);
    this.#newMessages = [];
    // The previous flight is answered; the next incoming flight starts a fresh ACK list (RFC 9147 §7).
    this.flight = f;
    this.acks.newFlight();
    this.transmit(f);
  }

  /** Sends the unacknowledged parts of a flight and arms its timer (RFC 9147 §5.8.1 SENDING). */
  transmit(f: Flight): void {
    // RFC 9147 §4.4: after repeated unanswered retransmissions, smaller fragments; §5.8.3: at most
    // `maxRecordsPerTransmission` records at once, the rest as ACKs come in.
    this.transmitMessages(f.pending(), backedOffMtu(this.#settings.mtu, f.retransmissions), this.#settings.maxRecordsPerTransmission);
    this.#rl.flush();
    f.sent(this.#host.now);
  }

  transmitMessages(msgs: readonly OutMessage[], fragmentMtu = this.#settings.mtu, maxRecords = Infinity): void {
    const limit = this.#settings.amplificationLimit;
    const budget = this.#host.addressValidated || limit === false ? null : limit;
    writeFragments(this.#rl, msgs, this.#settings.mtu, fragmentMtu, budget, (rn, m, start, end) => this.acks.sent(rn, m, start, end), maxRecords);
  }

  /** A fragment of the peer's was buffered: gap detection, and implicit acknowledgement of our flight. */
  fragmentBuffered(messageSeq: number, offset: number, dataLength: number, length: number): void {
    this.acks.fragment(messageSeq, offset, dataLength, length);
    // A message from the peer's next flight acknowledges ours implicitly (RFC 9147 §7.2).
    const fl = this.flight;
    if (fl !== null && !this.#host.complete && messageSeq >= fl.peerSeqAtSend) {
      this.#measured(fl);
      this.flight = null;
    }
  }

  /** A peer's ACK (decoded). */
  acknowledged(list: readonly RecordNumber[], authenticated: boolean): void {
    if (!this.acks.acknowledge(list, authenticated)) return;
    const f = this.flight;
    if (f !== null) {
      if (f.done) {
        this.#measured(f);
        this.flight = null;
      } else {
        // RFC 9147 §7.2: after a partial ACK, resend what is missing.
        this.transmit(f);
      }
    }
    const post = this.#host.postFlight;
    this.#host.postAcked();
    if (post !== null && this.#host.postFlight === null) this.#measured(post);
  }

  /** After a datagram's records were processed: resend on the peer's resend, ACK now or later. */
  afterInput(): void {
    const f = this.flight;
    const now = this.#host.now;
    // RFC 9147 §5.8.1 (3): the peer resent a flight we answered: resend ours.
    if (this.peerRetransmitted && f !== null && !f.done && now - f.lastSent >= f.interval / 4) this.transmit(f);
    this.peerRetransmitted = false;
    const a = this.acks;
    if (a.now) {
      this.sendAck();
    } else if (!this.#host.complete && a.list.length > 0 && a.deadline === null) {
      // RFC 9147 §7.1: part of a flight and no answer yet: ACK after a quarter of the timer.
      a.deadline = now + (this.flight?.interval ?? this.#initialTimer) / 4;
    }
  }

  sendAck(): void {
    const a = this.acks;
    a.now = false;
    a.deadline = null;
    // RFC 9147 §7: the ACK goes in the highest epoch we can send in, at least that of each record it covers.
    const epoch = this.#rl.highestWriteEpoch;
    const list = a.list.filter((r) => r.epoch <= epoch);
    const complete = this.#host.complete;
    if (this.#host.writeClosed && complete) return;
    // As many record numbers as fit the datagram, and the peer's record_size_limit (RFC 8449 §4).
    const limit = this.#rl.peerRecordSizeLimit;
    const fit = Math.floor((this.#settings.mtu - 64) / 16);
    this.#rl.append(epoch, ContentType.ack, encodeAck(list, limit === null ? fit : Math.min(fit, Math.floor((limit - 1 - 2) / 16))));
    // Post-handshake, each record is acknowledged once (RFC 9147 §7).
    if (complete) a.list = [];
  }

  /** The earliest timer: a retransmission or a delayed ACK. */
  nextTimeout(): number | null {
    let t: number | null = null;
    for (const d of [this.flight?.deadline, this.#host.postFlight?.deadline, this.acks.deadline]) {
      if (d !== null && d !== undefined && (t === null || d < t)) t = d;
    }
    return t;
  }

  /** Runs the timers due now: retransmissions (RFC 9147 §5.8) and delayed ACKs (§7.1). */
  onTimeout(): void {
    const now = this.#host.now;
    for (const f of [this.flight, this.#host.postFlight]) {
      if (f === null || f.deadline === null || f.deadline > now) continue;
      if (f.retransmissions >= this.#settings.maxRetransmissions) {
        fail('HANDSHAKE_TIMEOUT', 'internal_error', `no answer after ${f.retransmissions + 1} transmissions of a flight`);
      }
      f.backoff();
      this.transmit(f);
    }
    if (this.acks.deadline !== null && this.acks.deadline <= now) this.sendAck();
  }

  /** The connection failed: no more timers. */
  stop(): void {
    this.flight = null;
    this.acks.deadline = null;
  }
}
