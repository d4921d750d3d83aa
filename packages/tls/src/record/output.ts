/**
 * The outgoing side of the record layer: handshake messages queued under the current key and cut into
 * records at flushes (coalesced, then fragmented to the peer's limit), protected records with the
 * padding policy, cleartext records with the current record version, and the queue `pull()` drains.
 */
import { ContentType, MAX_PLAINTEXT } from '../constants.js';
import { fragment, type PaddingPolicy } from './fragmenter.js';
import { plaintextRecord, type RecordSealer } from './protection.js';

/** A record being sealed asynchronously: its place in the output, filled when its bytes are ready. */
class Slot {
  bytes: Uint8Array | null = null;
}

export class RecordOutput {
  #out: (Uint8Array | Slot)[] = [];
  /** Settles when the oldest record in flight is ready (or failed); null when none is. */
  #inFlight: Promise<void> | null = null;
  #slots = 0;
  /**
   * A record failed to seal: it and everything numbered after it can never be sent, since the peer
   * reads records by implicit sequence number (RFC 8446 §5.3).
   */
  #broken = false;
  #hsOut: Uint8Array[] = [];
  #writer: RecordSealer | null = null;
  #maxFragment = MAX_PLAINTEXT;
  #recordVersion = 0x0303;

  constructor(private readonly padding: PaddingPolicy | undefined) {}

  /** The current write protection (null: cleartext records). */
  get writer(): RecordSealer | null {
    return this.#writer;
  }

  /** Settles when a record sealed asynchronously is ready to `pull()`; null when none is in flight. */
  get inFlight(): Promise<void> | null {
    return this.#inFlight;
  }

  /**
   * A record whose bytes `sealed` will give: it keeps its place, and `pull()` stops before it until
   * then. A rejection goes to `onError` (the connection fails) and the record is never sent.
   */
  pending(sealed: Promise<Uint8Array>, onError: (e: unknown) => void): void {
    if (this.#broken) return;
    const slot = new Slot();
    this.#out.push(slot);
    this.#slots++;
    const done = sealed.then(
      (b) => {
        slot.bytes = b;
      },
      (e: unknown) => {
        const at = this.#out.indexOf(slot);
        if (at >= 0) this.#out = this.#out.slice(0, at);
        this.#broken = true;
        onError(e);
      },
    );
    const before = this.#inFlight;
    // Records complete in any order; the chain settles once every earlier one did.
    const chained: Promise<void> = (before === null ? done : before.then(() => done)).then(() => {
      this.#slots--;
      if (this.#inFlight === chained) this.#inFlight = null;
    });
    this.#inFlight = chained;
  }

  /** Everything queued for the peer as one buffer (up to the first record still being sealed), or null. */
  pull(): Uint8Array | null {
    if (this.#out.length === 0) return null;
    let ready = this.#out.length;
    if (this.#slots > 0) {
      ready = this.#out.findIndex((x) => x instanceof Slot && x.bytes === null);
      if (ready < 0) ready = this.#out.length;
      if (ready === 0) return null;
    }
    const chunks = this.#out.slice(0, ready).map((x) => (x instanceof Slot ? (x.bytes as Uint8Array) : x));
    this.#out = this.#out.slice(ready);
    if (chunks.length === 1) return chunks[0] as Uint8Array;
    let n = 0;
    for (const c of chunks) n += c.length;
    const out = new Uint8Array(n);
    let at = 0;
    for (const c of chunks) {
      out.set(c, at);
      at += c.length;
    }
    return out;
  }

  queueHandshake(raw: Uint8Array): void {
    this.#hsOut.push(raw);
  }

  /** Drops queued handshake messages (the connection failed before they went out). */
  dropHandshake(): void {
    this.#hsOut = [];
  }

  /** Writes queued handshake messages as records under the current key; `send` seals each. */
  flushHandshake(send: (type: number, content: Uint8Array) => void): void {
    if (this.#hsOut.length === 0) return;
    let n = 0;
    for (const m of this.#hsOut) n += m.length;
    const all = new Uint8Array(n);
    let at = 0;
    for (const m of this.#hsOut) {
      all.set(m, at);
      at += m.length;
    }
    this.#hsOut = [];
    for (const f of fragment(all, this.#maxFragment)) send(ContentType.handshake, f);
  }

  /** `data` cut to the peer's record size. */
  fragments(data: Uint8Array): Uint8Array[] {
    return fragment(data, this.#maxFragment);
  }

  /** A record that is never protected (a legacy change_cipher_spec). */
  plaintext(type: number, content: Uint8Array): void {
    if (this.#broken) return;
    this.#out.push(plaintextRecord(type, content));
  }

  /** One record (at most the peer's record size) sealed asynchronously (see `pending`). Needs a writer. */
  recordAsync(type: number, content: Uint8Array, onError: (e: unknown) => void): void {
    const w = this.#writer;
    if (w === null) throw new Error('recordAsync() without write protection');
    this.pending(w.sealAsync(type, content, this.#padFor(type, content.length)), onError);
  }

  /** One record under the current key (or in the clear before keys). */
  record(type: number, content: Uint8Array): void {
    if (this.#broken) return;
    const w = this.#writer;
    if (w === null) {
      this.#out.push(plaintextRecord(type, content, this.#recordVersion));
      return;
    }
    this.#out.push(w.seal(type, content, this.#padFor(type, content.length)));
  }

  /**
   * `data` from offset `at` as protected records of `type`, at most `maxRecords` of them, sealed into
   * one buffer (one allocation and, at `pull()`, no concatenation); returns the offset reached.
   * Needs a writer.
   */
  records(type: number, data: Uint8Array, at: number, maxRecords: number): number {
    if (this.#broken) return data.length;
    const w = this.#writer;
    if (w === null) throw new Error('records() without write protection');
    const max = this.#maxFragment;
    const n = Math.min(maxRecords, Math.ceil((data.length - at) / max));
    const pads: number[] = [];
    let total = 0;
    for (let i = 0, from = at; i < n; i++, from += max) {
      const len = Math.min(max, data.length - from);
      const pad = this.#padFor(type, len);
      pads.push(pad);
      total += w.recordLength(len, pad);
    }
    const out = new Uint8Array(total + 3).subarray(3); // the first body on a 4-byte boundary (see seal())
    let o = 0;
    let from = at;
    for (const pad of pads) {
      const content = data.subarray(from, Math.min(data.length, from + max));
      const len = w.recordLength(content.length, pad);
      w.sealInto(type, content, pad, out.subarray(o, o + len));
      o += len;
      from += content.length;
    }
    this.#out.push(out);
    return from;
  }

  #padFor(type: number, contentLength: number): number {
    if (this.padding === undefined) return 0;
    const p = this.padding(type, contentLength);
    if (!Number.isInteger(p) || p < 0) throw new RangeError('padding policy must return a non-negative integer');
    // RFC 8449 §4: the peer's record_size_limit counts the padding too (#maxFragment is that limit - 1).
    return Math.max(0, Math.min(p, this.#maxFragment - contentLength));
  }

  setRecordVersion(v: number): void {
    this.#recordVersion = v;
  }

  setWriter(w: RecordSealer | null): void {
    this.#writer = w;
  }

  /** RFC 8449 §4: our records stay under the peer's record_size_limit. */
  setPeerRecordSizeLimit(limit: number): void {
    this.#maxFragment = Math.min(MAX_PLAINTEXT, limit - 1);
  }
}
