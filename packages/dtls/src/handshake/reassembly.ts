/**
 * Reassembly of handshake messages from fragments (RFC 9147 §5.5): out of order, duplicated and
 * overlapping fragments, with bounds on how far ahead and how many bytes are buffered. Bytes that
 * change between copies are an illegal_parameter (§5.5: SHOULD abort).
 */
import { _internal } from '@puretls/tls';
import type { HandshakeFragment } from './framing.js';

interface Pending {
  readonly type: number;
  readonly length: number;
  readonly epoch: number;
  readonly data: Uint8Array;
  /** Received byte ranges [start, end), sorted and merged. */
  ranges: [number, number][];
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
    let p = this.#pending.get(f.messageSeq);
    if (p === undefined) {
      if (this.#buffered + f.length > this.maxBuffered) return 'dropped';
      p = { type: f.type, length: f.length, epoch, data: new Uint8Array(f.length), ranges: [] };
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
    const end = f.offset + f.data.length;
    for (const [a, b] of p.ranges) {
      const lo = Math.max(a, start);
      const hi = Math.min(b, end);
      for (let i = lo; i < hi; i++) {
        if (p.data[i] !== f.data[i - start]) {
          _internal.fail('INCONSISTENT_FRAGMENT', 'illegal_parameter', `retransmitted bytes of message ${f.messageSeq} changed`);
        }
      }
    }
    p.data.set(f.data, start);
    p.ranges = merge([...p.ranges, [start, end]]);
    return 'buffered';
  }

  /** The next complete message in order, if any. */
  take(): CompleteMessage | null {
    const p = this.#pending.get(this.#next);
    if (p === undefined) return null;
    const r = p.ranges[0];
    const complete = p.length === 0 ? true : r !== undefined && r[0] === 0 && r[1] === p.length;
    if (!complete) return null;
    this.#pending.delete(this.#next);
    this.#buffered -= p.length;
    const m = { type: p.type, messageSeq: this.#next, epoch: p.epoch, body: p.data };
    this.#next++;
    return m;
  }
}

function merge(rs: [number, number][]): [number, number][] {
  rs.sort((x, y) => x[0] - y[0]);
  const out: [number, number][] = [];
  for (const r of rs) {
    const last = out[out.length - 1];
    if (last !== undefined && r[0] <= last[1]) last[1] = Math.max(last[1], r[1]);
    else out.push([r[0], r[1]]);
  }
  return out;
}
