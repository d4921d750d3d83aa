/**
 * Splits the incoming byte stream into TLSPlaintext/TLSCiphertext records (RFC 8446 §5.1), from any
 * chunking (one byte at a time included). The buffer never holds more than one maximal record plus the
 * bytes of the chunk being fed, and a header announcing more than 2^14+256 bytes fails at once.
 *
 * No copy on the bulk path: a chunk pushed while nothing is buffered is borrowed, and records are
 * views into it (or into the buffer); `release()` copies what is left before the caller may reuse it.
 */
import { ContentType, MAX_CIPHERTEXT } from '../constants.js';
import { fail } from '../errors.js';

export interface RawRecord {
  readonly type: number;
  readonly version: number;
  /** The 5-byte header (the AEAD additional data of a protected record). */
  readonly header: Uint8Array;
  readonly fragment: Uint8Array;
}

const KNOWN_TYPES = new Set<number>([ContentType.change_cipher_spec, ContentType.alert, ContentType.handshake, ContentType.application_data]);

const EMPTY = new Uint8Array(0);

export class RecordDeframer {
  #buf = EMPTY;
  #start = 0;
  #end = 0;
  /** The caller's chunk, read in place until `release()` (null: none). */
  #borrowed: Uint8Array | null = null;
  #at = 0;

  /** Bytes buffered and not yet returned as a record. */
  get buffered(): number {
    return this.#end - this.#start + (this.#borrowed === null ? 0 : this.#borrowed.length - this.#at);
  }

  /** Bytes allocated for buffering (kept while the connection lives, for reuse). */
  get capacity(): number {
    return this.#buf.length;
  }

  /**
   * Adds bytes. They may be read in place (no copy) until `release()` or the next `push()`: the
   * caller must not change them before.
   */
  push(bytes: Uint8Array): void {
    if (bytes.length === 0) return;
    this.release();
    // Only the bytes completing a record already begun are copied; the rest is borrowed.
    let from = 0;
    while (this.#start !== this.#end) {
      const need = this.#missing();
      if (need === 0) break; // whole records only in the buffer
      const take = Math.min(need, bytes.length - from);
      this.#copyIn(bytes.subarray(from, from + take));
      from += take;
      if (from === bytes.length) return;
    }
    this.#borrowed = from === 0 ? bytes : bytes.subarray(from);
    this.#at = 0;
  }

  /** Bytes the buffer's last record still lacks: its header first, then its body (0: it ends on a record). */
  #missing(): number {
    const b = this.#buf;
    let s = this.#start;
    for (;;) {
      const avail = this.#end - s;
      if (avail === 0) return 0;
      if (avail < 5) return 5 - avail;
      const length = ((b[s + 3] as number) << 8) | (b[s + 4] as number);
      // An oversized record fails in next(); its bytes are not waited for.
      if (length > MAX_CIPHERTEXT) return 0;
      if (avail < 5 + length) return 5 + length - avail;
      s += 5 + length;
    }
  }

  /** Copies the unread part of a borrowed chunk into the buffer: the caller may reuse its bytes after. */
  release(): void {
    const b = this.#borrowed;
    if (b === null) return;
    this.#borrowed = null;
    if (this.#at < b.length) this.#copyIn(b.subarray(this.#at));
  }

  #copyIn(bytes: Uint8Array): void {
    const have = this.#end - this.#start;
    if (this.#end + bytes.length > this.#buf.length) {
      if (have + bytes.length <= this.#buf.length) {
        this.#buf.copyWithin(0, this.#start, this.#end);
      } else {
        // Grow geometrically: input fed while the engine waits on an async step piles up here. No
        // record-sized floor: an idle connection that once kept a small record (a ticket behind the
        // server's Finished) keeps a small buffer; a bulk stream reaches full size in a few doublings.
        const next = new Uint8Array(Math.max(have + bytes.length, 2 * this.#buf.length));
        next.set(this.#buf.subarray(this.#start, this.#end));
        this.#buf = next;
      }
      this.#start = 0;
      this.#end = have;
    }
    this.#buf.set(bytes, this.#end);
    this.#end += bytes.length;
  }

  /**
   * The next complete record, or null if more bytes are needed. The views it holds are valid until
   * the next `push()` or `release()` (they may point into the caller's bytes or a reused buffer).
   */
  next(): RawRecord | null {
    // The buffer's records come first (while a chunk is borrowed, the buffer holds whole records only).
    if (this.#start !== this.#end) {
      const r = this.#parse(this.#buf, this.#start, this.#end - this.#start);
      if (r !== null) {
        this.#start += 5 + r.fragment.length;
        if (this.#start === this.#end) this.#start = this.#end = 0;
      }
      return r;
    }
    const borrowed = this.#borrowed;
    if (borrowed === null) return null;
    const r = this.#parse(borrowed, this.#at, borrowed.length - this.#at);
    if (r !== null) this.#at += 5 + r.fragment.length;
    return r;
  }

  #parse(b: Uint8Array, s: number, avail: number): RawRecord | null {
    if (avail < 5) return null;
    const type = b[s] as number;
    // RFC 8446 §5: a record with an unknown content type is an unexpected_message.
    if (!KNOWN_TYPES.has(type)) fail('UNKNOWN_CONTENT_TYPE', 'unexpected_message', `record of unknown content type ${type}`);
    const version = ((b[s + 1] as number) << 8) | (b[s + 2] as number);
    const length = ((b[s + 3] as number) << 8) | (b[s + 4] as number);
    // RFC 8446 §5.2: a TLSCiphertext longer than 2^14 + 256 is a record_overflow.
    if (length > MAX_CIPHERTEXT) fail('RECORD_OVERFLOW', 'record_overflow', `record of ${length} bytes exceeds 2^14+256`);
    if (avail < 5 + length) return null;
    return { type, version, header: b.subarray(s, s + 5), fragment: b.subarray(s + 5, s + 5 + length) };
  }
}
