/**
 * Handshake messages from the content of handshake records (RFC 8446 §5.1): several per record or one
 * across several records, with the announced length bounded by a limit before anything is buffered.
 */
import { fail } from '../errors.js';
import { parseHandshake, type RawHandshake } from '../messages/handshake.js';

const EMPTY = new Uint8Array(0);

export class HandshakeReassembler {
  #buf: Uint8Array = EMPTY;

  constructor(private readonly maxMessageSize: number) {}

  /** True while part of a message is buffered (no key change or other record type may intervene). */
  get partial(): boolean {
    return this.#buf.length !== 0;
  }

  append(content: Uint8Array): void {
    if (this.#buf.length === 0) {
      this.#buf = content.slice();
    } else {
      const next = new Uint8Array(this.#buf.length + content.length);
      next.set(this.#buf);
      next.set(content, this.#buf.length);
      this.#buf = next;
    }
    this.#checkLength();
  }

  /** The next complete message, parsed, or null. */
  next(): RawHandshake | null {
    const b = this.#buf;
    if (b.length < 4) return null;
    const len = this.#checkLength();
    if (b.length < 4 + len) return null;
    const raw = b.slice(0, 4 + len);
    this.#buf = b.length === 4 + len ? EMPTY : b.slice(4 + len);
    return parseHandshake(raw);
  }

  #checkLength(): number {
    const b = this.#buf;
    if (b.length < 4) return 0;
    const len = ((b[1] as number) << 16) | ((b[2] as number) << 8) | (b[3] as number);
    if (len > this.maxMessageSize) {
      fail('HANDSHAKE_MESSAGE_TOO_LARGE', 'illegal_parameter', `handshake message of ${len} bytes exceeds the limit ${this.maxMessageSize}`);
    }
    return len;
  }
}
