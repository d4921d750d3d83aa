/**
 * The ACK bookkeeping of RFC 9147 §7: which of our records carried which bytes of which handshake
 * message (so an ACK marks exactly those as received, §7.2), the peer's records we have to
 * acknowledge, whether an ACK is due now (a gap in the peer's flight, §7.1) or later (a delayed ACK).
 */
import type { RecordNumber } from './ack.js';
import type { OutMessage } from './flight.js';

/** Our records remembered for ACKs; the oldest are forgotten beyond this. */
const MAX_SENT_RECORDS = 4096;
/** Peer records listed in one ACK at most. */
const MAX_ACK_LIST = 256;

export class AckTracker {
  readonly #sent = new Map<string, { msg: OutMessage; start: number; end: number }[]>();
  /** Peer records to acknowledge (the current flight, or post-handshake records not yet ACKed). */
  list: RecordNumber[] = [];
  /** An ACK is due at once. */
  now = false;
  /** A delayed ACK is due at this time (RFC 9147 §7.1). */
  deadline: number | null = null;
  /** The contiguous stream of fragments received so far: message, next offset, its length (§7.1). */
  #stream = { seq: -1, offset: 0, length: 0 };

  /** Our record `rn` carried bytes [start, end) of `msg`. */
  sent(rn: RecordNumber, msg: OutMessage, start: number, end: number): void {
    this.#sent.set(`${rn.epoch}:${rn.seq}`, [{ msg, start, end }]);
    if (this.#sent.size > MAX_SENT_RECORDS) {
      const first = this.#sent.keys().next().value;
      if (first !== undefined) this.#sent.delete(first);
    }
  }

  /** Applies the record numbers of a peer's ACK; true when it acknowledged anything new. */
  acknowledge(list: readonly RecordNumber[], authenticated: boolean): boolean {
    let any = false;
    for (const rn of list) {
      const key = `${rn.epoch}:${rn.seq}`;
      const entries = this.#sent.get(key);
      if (entries === undefined) continue;
      // A plaintext ACK can only vouch for plaintext records.
      if (!authenticated && rn.epoch !== 0) continue;
      for (const e of entries) e.msg.ack(e.start, e.end);
      this.#sent.delete(key);
      any = true;
    }
    return any;
  }

  /** A peer record to acknowledge; `now` when the ACK must not wait. */
  push(rn: RecordNumber, now: boolean): void {
    if (!this.list.some((r) => r.epoch === rn.epoch && r.seq === rn.seq)) this.list.push(rn);
    if (this.list.length > MAX_ACK_LIST) this.list.shift();
    if (now) this.now = true;
  }

  /** RFC 9147 §7.1: a gap (not the next message or not its next piece) calls for an ACK at once. */
  fragment(messageSeq: number, offset: number, dataLength: number, length: number): void {
    const st = this.#stream;
    const inOrder = (messageSeq === st.seq && offset === st.offset) || (messageSeq === st.seq + 1 && offset === 0 && st.offset >= st.length);
    if (inOrder) this.#stream = { seq: messageSeq, offset: offset + dataLength, length };
    else if (messageSeq > st.seq || offset > st.offset) this.now = true;
  }

  /** The peer's message stream continues at `seq` (a server taking over after a stateless retry). */
  streamStartsAt(seq: number): void {
    this.#stream = { seq: seq - 1, offset: 0, length: 0 };
  }

  /** Our new flight answers the peer's: the next incoming flight starts a fresh list (§7). */
  newFlight(): void {
    this.list = [];
    this.deadline = null;
    this.now = false;
  }
}
