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

  /**
   * Transcript-Hash under `hash` (plus `extra`) without fixing the hash while it is still open: a
   * client computes PSK binders and 0-RTT keys with the PSK's hash before the server picks the suite.
   */
  hashAs(hash: HashName, extra?: Uint8Array): Uint8Array {
    if (this.#ctx !== null) {
      if (this.#hash !== hash) throw new Error(`transcript hash already ${String(this.#hash)}`);
      return extra === undefined ? this.current() : this.withExtra(extra);
    }
    const h = this.#provider.hash(hash).create();
    for (const m of this.#pending) h.update(m);
    if (extra !== undefined) h.update(extra);
    return h.digest();
  }

  /** An independent copy (post-handshake authentication starts from the handshake's transcript). */
  fork(): Transcript {
    if (this.#ctx === null || this.#hash === null) throw new Error('transcript hash not chosen yet');
    const t = new Transcript(this.#provider);
    t.#hash = this.#hash;
    t.#ctx = this.#ctx.clone();
    return t;
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
