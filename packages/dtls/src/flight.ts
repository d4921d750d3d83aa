/**
 * Outgoing handshake messages and flights (RFC 9147 §5.7, §5.8): which byte ranges of each message
 * the peer acknowledged (§7.2), and the retransmission timer of §5.8.2 (initial value, doubling,
 * capped), driven by the caller's clock.
 */

export type MessageKind = 'handshake' | 'key_update' | 'new_connection_id' | 'request_connection_id' | 'new_session_ticket';

export class OutMessage {
  /** Acknowledged byte ranges [start, end), merged. */
  #acked: [number, number][] = [];
  #emptyAcked = false;

  constructor(
    readonly messageSeq: number,
    readonly type: number,
    readonly body: Uint8Array,
    /** The epoch it was first sent in: retransmissions reuse it (RFC 9147 §4.2.1). */
    readonly epoch: number,
    readonly kind: MessageKind,
  ) {}

  get fullyAcked(): boolean {
    if (this.body.length === 0) return this.#emptyAcked;
    const r = this.#acked[0];
    return r !== undefined && r[0] === 0 && r[1] === this.body.length;
  }

  ack(start: number, end: number): void {
    if (this.body.length === 0) {
      this.#emptyAcked = true;
      return;
    }
    const rs = [...this.#acked, [start, end] as [number, number]].sort((a, b) => a[0] - b[0]);
    const out: [number, number][] = [];
    for (const r of rs) {
      const last = out[out.length - 1];
      if (last !== undefined && r[0] <= last[1]) last[1] = Math.max(last[1], r[1]);
      else out.push([r[0], r[1]]);
    }
    this.#acked = out;
  }

  /** Byte ranges still to (re)send. */
  unacked(): [number, number][] {
    if (this.body.length === 0) return this.#emptyAcked ? [] : [[0, 0]];
    const out: [number, number][] = [];
    let at = 0;
    for (const [a, b] of this.#acked) {
      if (a > at) out.push([at, a]);
      at = Math.max(at, b);
    }
    if (at < this.body.length) out.push([at, this.body.length]);
    return out;
  }
}

export interface TimerSettings {
  readonly initial: number;
  readonly max: number;
  readonly maxRetransmissions: number;
}

/** A flight and its retransmission timer (RFC 9147 §5.8.1: SENDING → WAITING → ...). */
export class Flight {
  readonly messages: OutMessage[] = [];
  deadline: number | null = null;
  interval: number;
  retransmissions = 0;
  lastSent = -Infinity;

  constructor(
    readonly timer: TimerSettings,
    /** next_receive_seq when the flight was made: a peer message at or past it answers this flight. */
    readonly peerSeqAtSend: number,
    interval: number,
  ) {
    this.interval = interval;
  }

  get done(): boolean {
    return this.messages.every((m) => m.fullyAcked);
  }

  pending(): OutMessage[] {
    return this.messages.filter((m) => !m.fullyAcked);
  }

  /** Arms the timer after a transmission. */
  sent(now: number): void {
    this.lastSent = now;
    this.deadline = now + this.interval;
  }

  /** RFC 9147 §5.8.2: double the timer at each retransmission, up to the cap. */
  backoff(): void {
    this.retransmissions++;
    this.interval = Math.min(this.interval * 2, this.timer.max);
  }
}

/** RFC 9147 §4.4: unanswered retransmissions of a flight before its fragments shrink ("2-3 seems appropriate"). */
export const PMTU_BACKOFF_AFTER = 2;
/** The smallest datagram the back-off goes down to (also the smallest configurable MTU). */
export const MIN_BACKOFF_MTU = 256;

/**
 * RFC 9147 §4.4: when repeated retransmissions get no response and the PMTU is unknown, later ones
 * SHOULD use smaller records. From the PMTU_BACKOFF_AFTER-th retransmission on, each one halves the
 * datagram size, down to MIN_BACKOFF_MTU.
 */
export function backedOffMtu(mtu: number, retransmissions: number): number {
  if (retransmissions < PMTU_BACKOFF_AFTER) return mtu;
  const halved = Math.floor(mtu / 2 ** (retransmissions - PMTU_BACKOFF_AFTER + 1));
  return Math.min(mtu, Math.max(MIN_BACKOFF_MTU, halved));
}
