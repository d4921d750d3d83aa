/**
 * Handshake messages from the content of handshake records (RFC 8446 §5.1): several per record or one
 * across several records, with the announced length bounded by a limit before anything is buffered.
 * Bytes go into one buffer that grows by doubling and is read from an offset, so every byte is copied
 * a bounded number of times: a message sent a byte per record costs linear time, not quadratic.
 */
import { fail } from '../errors.js';
import { parseHandshake, type RawHandshake } from '../messages/handshake.js';

export class HandshakeReassembler {
  #buf = new Uint8Array(0);
  /** Unread bytes are #buf[#start, #end). */
  #start = 0;
  #end = 0;

  constructor(private readonly maxMessageSize: number) {}

  /** True while part of a message is buffered (no key change or other record type may intervene). */
  get partial(): boolean {
    return this.#end !== this.#start;
  }

  append(content: Uint8Array): void {
    const unread = this.#end - this.#start;
    if (this.#end + content.length > this.#buf.length) {
      // Move the unread bytes to the front, into a buffer twice as large when they would not fit.
      const need = unread + content.length;
      const next = need > this.#buf.length ? new Uint8Array(Math.max(need, 2 * this.#buf.length, 256)) : this.#buf;
      if (next === this.#buf) next.copyWithin(0, this.#start, this.#end);
      else next.set(this.#buf.subarray(this.#start, this.#end));
      this.#buf = next;
      this.#start = 0;
      this.#end = unread;
    }
    this.#buf.set(content, this.#end);
    this.#end += content.length;
    this.#checkLength();
  }

  /** The next complete message, parsed, or null. */
  next(): RawHandshake | null {
    if (this.#end - this.#start < 4) return null;
    const len = this.#checkLength();
    if (this.#end - this.#start < 4 + len) return null;
    const raw = this.#buf.slice(this.#start, this.#start + 4 + len);
    this.#start += 4 + len;
    if (this.#start === this.#end) this.#start = this.#end = 0;
    return parseHandshake(raw);
  }

  #checkLength(): number {
    const b = this.#buf;
    const at = this.#start;
    if (this.#end - at < 4) return 0;
    const len = ((b[at + 1] as number) << 16) | ((b[at + 2] as number) << 8) | (b[at + 3] as number);
    if (len > this.maxMessageSize) {
      fail('HANDSHAKE_MESSAGE_TOO_LARGE', 'illegal_parameter', `handshake message of ${len} bytes exceeds the limit ${this.maxMessageSize}`);
    }
    return len;
  }
}
