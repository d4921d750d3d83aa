/**
 * Reassembly of handshake messages from fragments (RFC 9147 §5.5): out of order, duplicated and
 * overlapping fragments, with bounds on how far ahead and how many bytes are buffered. Bytes that
 * change between copies are an illegal_parameter (§5.5: SHOULD abort). Received bytes are kept in a
 * bitmap per message, so a fragment costs time linear in its own length whatever the peer (or an
 * off-path attacker, in epoch 0) sent before: no scan of earlier fragments.
 */
import { _internal } from '@puretls/tls';
import type { HandshakeFragment } from './framing.js';

interface Pending {
  readonly type: number;
  readonly length: number;
  readonly epoch: number;
  readonly data: Uint8Array;
  /** Bit i set: byte i received. */
  readonly have: Uint8Array;
  /** Bytes received so far. */
  received: number;
}

export interface CompleteMessage {
  readonly type: number;
  readonly messageSeq: number;
  readonly epoch: number;
  readonly body: Uint8Array;
}

export type FragmentVerdict = 'old' | 'buffered' | 'dropped';

export class Reassembler {
  #next = 0;
  readonly #pending = new Map<number, Pending>();
  #buffered = 0;

  constructor(
    private readonly maxMessage: number,
    /** How many messages past the next expected one may be buffered. */
    private readonly window = 8,
    /** Total bytes reserved for messages being reassembled. */
    private readonly maxBuffered = Math.max(maxMessage * 2, 1 << 18),
  ) {}

  /** message_seq of the next message to deliver (next_receive_seq). */
  get next(): number {
    return this.#next;
  }

  /** A server resuming after a stateless HelloRetryRequest starts at the ClientHello's message_seq. */
  skipTo(seq: number): void {
    if (seq > this.#next) this.#next = seq;
  }

  /** Whether anything is buffered (a flight is partly received). */
  get partial(): boolean {
    return this.#pending.size > 0;
  }

  add(f: HandshakeFragment, epoch: number): FragmentVerdict {
    // RFC 9147 §5.2: below next_receive_seq the message was processed already.
    if (f.messageSeq < this.#next) return 'old';
    if (f.messageSeq >= this.#next + this.window) return 'dropped';
    if (f.length > this.maxMessage) {
      _internal.fail('HANDSHAKE_MESSAGE_TOO_LARGE', 'illegal_parameter', `handshake message of ${f.length} bytes exceeds the limit ${this.maxMessage}`);
    }
    // parseFragments() refuses these already; kept so that no write can fall outside the message.
    if (f.offset + f.data.length > f.length) return 'dropped';
    let p = this.#pending.get(f.messageSeq);
    if (p === undefined) {
      if (this.#buffered + f.length > this.maxBuffered) return 'dropped';
      p = { type: f.type, length: f.length, epoch, data: new Uint8Array(f.length), have: new Uint8Array((f.length + 7) >>> 3), received: 0 };
      this.#pending.set(f.messageSeq, p);
      this.#buffered += f.length;
    } else {
      if (p.type !== f.type || p.length !== f.length) {
        _internal.fail('INCONSISTENT_FRAGMENT', 'illegal_parameter', `fragments of message ${f.messageSeq} disagree on type or length`);
      }
      // A retransmission uses the epoch of the original (RFC 9147 §4.2.1).
      if (p.epoch !== epoch) return 'dropped';
    }
    const start = f.offset;
    const { data, have } = p;
    for (let i = 0; i < f.data.length; i++) {
      const at = start + i;
      const bit = 1 << (at & 7);
      const b = f.data[i] as number;
      if ((have[at >>> 3] as number) & bit) {
        if (data[at] !== b) _internal.fail('INCONSISTENT_FRAGMENT', 'illegal_parameter', `retransmitted bytes of message ${f.messageSeq} changed`);
        continue;
      }
      have[at >>> 3] = (have[at >>> 3] as number) | bit;
      data[at] = b;
      p.received++;
    }
    return 'buffered';
  }

  /**
   * Forgets what is buffered of messages from `epoch`. Once the read epoch leaves 0, the cleartext
   * fragments still pending belong to no hello we will process (RFC 9147 §6.1) and, unauthenticated,
   * may be spoofed: they must not hold the message_seq of an encrypted message.
   */
  discardEpoch(epoch: number): void {
    for (const [seq, p] of this.#pending) {
      if (p.epoch !== epoch) continue;
      this.#pending.delete(seq);
      this.#buffered -= p.length;
    }
  }

  /** The next complete message in order, if any. */
  take(): CompleteMessage | null {
    const p = this.#pending.get(this.#next);
    if (p === undefined) return null;
    if (p.received !== p.length) return null;
    this.#pending.delete(this.#next);
    this.#buffered -= p.length;
    const m = { type: p.type, messageSeq: this.#next, epoch: p.epoch, body: p.data };
    this.#next++;
    return m;
  }
}
