/**
 * The outgoing side of the record layer: handshake messages queued under the current key and cut into
 * records at flushes (coalesced, then fragmented to the peer's limit), protected records with the
 * padding policy, cleartext records with the current record version, and the queue `pull()` drains.
 */
import { ContentType, MAX_PLAINTEXT } from '../constants.js';
import { fragment, type PaddingPolicy } from './fragmenter.js';
import { plaintextRecord, type RecordSealer } from './protection.js';

export class RecordOutput {
  #out: Uint8Array[] = [];
  #hsOut: Uint8Array[] = [];
  #writer: RecordSealer | null = null;
  #maxFragment = MAX_PLAINTEXT;
  #recordVersion = 0x0303;

  constructor(private readonly padding: PaddingPolicy | undefined) {}

  /** The current write protection (null: cleartext records). */
  get writer(): RecordSealer | null {
    return this.#writer;
  }

  /** Everything queued for the peer as one buffer, or null. */
  pull(): Uint8Array | null {
    if (this.#out.length === 0) return null;
    const chunks = this.#out;
    this.#out = [];
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
    this.#out.push(plaintextRecord(type, content));
  }

  /** One record under the current key (or in the clear before keys). */
  record(type: number, content: Uint8Array): void {
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
    const out = new Uint8Array(total);
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
    return Math.min(p, MAX_PLAINTEXT - contentLength);
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
