/**
 * The transcript hash (RFC 8446 §4.4.1). Messages are buffered until the hash is known (the client
 * learns it from the ServerHello); after a HelloRetryRequest, ClientHello1 is replaced by the
 * synthetic message_hash message.
 */
import type { CryptoProvider, HashContext, HashName } from '@puretls/crypto';
import { messageHash } from '../messages/handshake.js';

export class Transcript {
  #pending: Uint8Array[] = [];
  #ctx: HashContext | null = null;
  #hash: HashName | null = null;
  readonly #provider: CryptoProvider;

  constructor(provider: CryptoProvider, hash?: HashName) {
    this.#provider = provider;
    if (hash !== undefined) this.setHash(hash);
  }

  get hashName(): HashName | null {
    return this.#hash;
  }

  /** Fixes the hash function and absorbs the buffered messages. */
  setHash(hash: HashName): void {
    if (this.#hash !== null) {
      if (this.#hash !== hash) throw new Error(`transcript hash already ${this.#hash}`);
      return;
    }
    this.#hash = hash;
    this.#ctx = this.#provider.hash(hash).create();
    for (const m of this.#pending) this.#ctx.update(m);
    this.#pending = [];
  }

  update(message: Uint8Array): void {
    if (this.#ctx === null) this.#pending.push(message);
    else this.#ctx.update(message);
  }

  /** Transcript-Hash of everything so far (the running context is left untouched). */
  current(): Uint8Array {
    if (this.#ctx === null) throw new Error('transcript hash not chosen yet');
    return this.#ctx.clone().digest();
  }

  /** Hash of what has been absorbed plus `extra`, without absorbing it (PSK binders). */
  withExtra(extra: Uint8Array): Uint8Array {
    if (this.#ctx === null) throw new Error('transcript hash not chosen yet');
    return this.#ctx.clone().update(extra).digest();
  }

  /**
   * RFC 8446 §4.4.1: after a HelloRetryRequest, the transcript restarts with
   * message_hash(Hash(ClientHello1)). Must be called when ClientHello1 is all that was absorbed.
   */
  restartWithMessageHash(): void {
    if (this.#ctx === null || this.#hash === null) throw new Error('transcript hash not chosen yet');
    const h = this.#ctx.digest();
    this.#ctx = this.#provider.hash(this.#hash).create();
    this.#ctx.update(messageHash(h));
  }
}
