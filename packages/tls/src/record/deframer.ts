/**
 * Splits the incoming byte stream into TLSPlaintext/TLSCiphertext records (RFC 8446 §5.1), from any
 * chunking (one byte at a time included). The buffer never holds more than one maximal record plus the
 * bytes of the chunk being fed, and a header announcing more than 2^14+256 bytes fails at once.
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

export class RecordDeframer {
  #buf = new Uint8Array(0);
  #start = 0;
  #end = 0;

  /** Bytes buffered and not yet returned as a record. */
  get buffered(): number {
    return this.#end - this.#start;
  }

  push(bytes: Uint8Array): void {
    if (bytes.length === 0) return;
    const have = this.#end - this.#start;
    if (this.#end + bytes.length > this.#buf.length) {
      if (have + bytes.length <= this.#buf.length) {
        this.#buf.copyWithin(0, this.#start, this.#end);
      } else {
        // Grow geometrically: input fed while the engine waits on an async step piles up here.
        const next = new Uint8Array(Math.max(have + bytes.length, 2 * this.#buf.length, 5 + MAX_CIPHERTEXT));
        next.set(this.#buf.subarray(this.#start, this.#end));
        this.#buf = next;
      }
      this.#start = 0;
      this.#end = have;
    }
    this.#buf.set(bytes, this.#end);
    this.#end += bytes.length;
  }

  /** The next complete record, or null if more bytes are needed. Returned views stay valid. */
  next(): RawRecord | null {
    const avail = this.#end - this.#start;
    if (avail < 5) return null;
    const b = this.#buf;
    const s = this.#start;
    const type = b[s] as number;
    // RFC 8446 §5: a record with an unknown content type is an unexpected_message.
    if (!KNOWN_TYPES.has(type)) fail('UNKNOWN_CONTENT_TYPE', 'unexpected_message', `record of unknown content type ${type}`);
    const version = ((b[s + 1] as number) << 8) | (b[s + 2] as number);
    const length = ((b[s + 3] as number) << 8) | (b[s + 4] as number);
    // RFC 8446 §5.2: a TLSCiphertext longer than 2^14 + 256 is a record_overflow.
    if (length > MAX_CIPHERTEXT) fail('RECORD_OVERFLOW', 'record_overflow', `record of ${length} bytes exceeds 2^14+256`);
    if (avail < 5 + length) return null;
    // Copy out: the buffer is reused for later input.
    const rec = b.slice(s, s + 5 + length);
    this.#start += 5 + length;
    if (this.#start === this.#end) this.#start = this.#end = 0;
    return { type, version, header: rec.subarray(0, 5), fragment: rec.subarray(5) };
  }
}
