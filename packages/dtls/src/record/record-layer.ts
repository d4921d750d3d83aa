/**
 * The DTLS 1.3 record layer of one association (RFC 9147 §4): write epochs with their keys and
 * record sequence numbers, read epochs with their replay windows (§4.5.1), record number decryption
 * and sequence reconstruction (§4.2.2, §4.2.3), records of an epoch not known yet (§4.2.1), forgery
 * limits (§4.5.3), and the packing of records into datagrams of at most the MTU. Epoch 1 is 0-RTT
 * (§6.1): written by a client that sends early data, read by a server that accepted it, beside the
 * handshake epoch (no EndOfEarlyData, §5.6).
 */
import type { CryptoProvider } from '@puretls/crypto';
import { _internal, type AlertDescriptionName, type CipherSuite } from '@puretls/tls';
import type { RecordNumber } from '../ack.js';
import type { DatagramSettings } from '../config.js';
import { HANDSHAKE_HEADER_LENGTH, MAX_EPOCH, PLAINTEXT_HEADER_LENGTH } from '../constants.js';
import { epochKeys, recordNonce, type EpochKeys } from './epoch.js';
import { ciphertextOverhead, encodePlaintext, sealRecord, type CiphertextRecord } from './records.js';
import { reconstructSequence, ReplayWindow } from './replay-window.js';
import { emitTrace, recordTrace, type DtlsTracer } from '../trace.js';

type KeyScheduleContext = _internal.KeyScheduleContext;

const fail: (code: string, alert: AlertDescriptionName, message: string) => never = _internal.fail;
/** RFC 9147 §6.1: the epoch of 0-RTT records. */
export const EARLY_EPOCH = 1;
/** Undecryptable records kept for an epoch whose keys are not known yet (RFC 9147 §4.2.1). */
const MAX_FUTURE_RECORDS = 32;
/** Failed authentications tolerated per key by default (RFC 9147 §4.5.3, Appendix B). */
const FORGERY_LIMITS: Record<string, number> = { 'AES-128-GCM': 2 ** 36, 'AES-256-GCM': 2 ** 36, 'CHACHA20-POLY1305': 2 ** 36, 'AES-128-CCM': 2 ** 23.5, 'AES-128-CCM-8': 2 ** 7 };

export interface ReadEpoch {
  readonly keys: EpochKeys;
  readonly window: ReplayWindow;
  failures: number;
}

/** A protected record that authenticated and passed the replay window. */
export interface OpenedRecord {
  readonly rn: RecordNumber;
  readonly keys: EpochKeys;
  /** DTLSInnerPlaintext (content, type, padding). */
  readonly plain: Uint8Array;
}

export class RecordLayer {
  readonly #provider: CryptoProvider;
  readonly #settings: DatagramSettings;
  // ---- write side
  readonly #writeKeys = new Map<number, EpochKeys>();
  readonly #writeSeq = new Map<number, number>([[0, 0]]);
  #writeEpoch = 0;
  #nextWriteEpoch = 2;
  #earlyWrite: { epoch: number; secret: Uint8Array } | null = null;
  // ---- read side
  #readEpochs: ReadEpoch[] = [];
  #readEpoch = 0;
  #nextReadEpoch = 2;
  #future: CiphertextRecord[] = [];
  /** Set when a new read epoch may make records kept for later readable. */
  retryFuture = false;
  // ---- output
  #datagram: Uint8Array[] = [];
  #datagramLength = 0;
  readonly #out = new _internal.Fifo<Uint8Array>();
  /** Bytes received from / sent to an unproven address (RFC 9147 §5.1 amplification limit). */
  bytesIn = 0;
  bytesOut = 0;
  /**
   * RFC 8449 §4: the peer's record_size_limit (DTLSInnerPlaintext: content, type, padding), which our
   * protected records keep to; null when it sent none.
   */
  peerRecordSizeLimit: number | null = null;
  /**
   * Ours, once negotiated: a protected record of epoch 2 or later above it is discarded (RFC 8449 §4
   * lets a DTLS endpoint discard rather than alert). 0-RTT was sealed before the client saw it.
   */
  ourRecordSizeLimit: number | null = null;

  constructor(
    provider: CryptoProvider,
    settings: DatagramSettings,
    /** The CID we put in our records (it may change: NewConnectionId, rotation). */
    readonly sendCid: () => Uint8Array,
    /** Whether output still counts against the amplification limit. */
    readonly countOutput: () => boolean,
  ) {
    this.#provider = provider;
    this.#settings = settings;
  }

  /** The diagnostic hook of the settings, if any. */
  get tracer(): DtlsTracer | undefined {
    return this.#settings.trace;
  }

  // ---- write epochs --------------------------------------------------------------------------------

  get writeEpoch(): number {
    return this.#writeEpoch;
  }

  /**
   * The highest epoch we can send in (keys installed ahead included): ACKs and alerts go there (§7).
   * Never the 0-RTT epoch, whose keys are for application data (RFC 8446 §4.2.10).
   */
  get highestWriteEpoch(): number {
    const epochs = [...this.#writeKeys.keys()].filter((e) => e !== EARLY_EPOCH);
    return Math.max(this.#writeEpoch === EARLY_EPOCH ? 0 : this.#writeEpoch, ...epochs);
  }

  writeKeys(epoch: number): EpochKeys | undefined {
    return this.#writeKeys.get(epoch);
  }

  /** Installs the next write epoch, or switches to the one installed ahead with the same secret. */
  setWriteKeys(ks: KeyScheduleContext, suite: CipherSuite, secret: Uint8Array): void {
    const early = this.#earlyWrite;
    if (early !== null && early.secret.length === secret.length && early.secret.every((b, i) => b === secret[i])) {
      // Installed ahead for ACKs: keep its keys and record numbers.
      this.#earlyWrite = null;
      this.#writeEpoch = early.epoch;
      return;
    }
    const epoch = this.#nextWriteEpoch++;
    this.#writeKeys.set(epoch, epochKeys(this.#provider, ks, suite, secret, epoch));
    this.#writeSeq.set(epoch, 0);
    this.#writeEpoch = epoch;
  }

  /** Client: 0-RTT keys (client_early_traffic_secret) in epoch 1, the epoch we now write in (RFC 9147 §6.1). */
  setEarlyWriteKeys(ks: KeyScheduleContext, suite: CipherSuite, secret: Uint8Array): void {
    this.#writeKeys.set(EARLY_EPOCH, epochKeys(this.#provider, ks, suite, secret, EARLY_EPOCH));
    this.#writeSeq.set(EARLY_EPOCH, 0);
    this.#writeEpoch = EARLY_EPOCH;
  }

  /** Client: 0-RTT is over before the handshake epochs (a HelloRetryRequest): back to epoch 0. */
  clearEarlyWrite(): void {
    this.#writeKeys.delete(EARLY_EPOCH);
    if (this.#writeEpoch === EARLY_EPOCH) this.#writeEpoch = 0;
  }

  /** Keys of the next write epoch, usable (for ACKs) before we switch to it. */
  installWriteKeysEarly(ks: KeyScheduleContext, suite: CipherSuite, secret: Uint8Array): void {
    const epoch = this.#nextWriteEpoch++;
    this.#writeKeys.set(epoch, epochKeys(this.#provider, ks, suite, secret, epoch));
    this.#writeSeq.set(epoch, 0);
    this.#earlyWrite = { epoch, secret: secret.slice() };
  }

  /** After an acknowledged KeyUpdate (RFC 9147 §8): send in `next`, forget epochs older than the previous one. */
  advanceWriteEpoch(next: EpochKeys): void {
    this.#writeKeys.set(next.epoch, next);
    this.#writeSeq.set(next.epoch, 0);
    for (const e of [...this.#writeKeys.keys()]) if (e > 3 && e < next.epoch - 1) this.#writeKeys.delete(e);
    this.#writeEpoch = next.epoch;
    this.#nextWriteEpoch = next.epoch + 1;
  }

  // ---- read epochs ---------------------------------------------------------------------------------

  get readEpoch(): number {
    return this.#readEpoch;
  }

  get hasReadKeys(): boolean {
    return this.#readEpochs.length > 0;
  }

  get latestReadEpoch(): ReadEpoch | undefined {
    return this.#readEpochs[this.#readEpochs.length - 1];
  }

  setReadKeys(ks: KeyScheduleContext, suite: CipherSuite, secret: Uint8Array): void {
    this.installReadEpoch(epochKeys(this.#provider, ks, suite, secret, this.#nextReadEpoch++));
  }

  /**
   * Server: accepted 0-RTT is read in epoch 1 beside the handshake epoch (RFC 9147 §5.6), which
   * stays the current read epoch (handshake messages never come in epoch 1).
   */
  setEarlyReadKeys(ks: KeyScheduleContext, suite: CipherSuite, secret: Uint8Array): void {
    this.#readEpochs.push({ keys: epochKeys(this.#provider, ks, suite, secret, EARLY_EPOCH), window: new ReplayWindow(), failures: 0 });
    this.retryFuture = this.#future.length > 0;
  }

  /**
   * RFC 9147 §5.6: epoch 1 is not read indefinitely; its keys go once the client's first record of
   * epoch 3 or later authenticated (reordering past that point is not expected to last).
   */
  dropEarlyRead(): void {
    if (this.#readEpochs.some((e) => e.keys.epoch === EARLY_EPOCH)) this.#readEpochs = this.#readEpochs.filter((e) => e.keys.epoch !== EARLY_EPOCH);
  }

  /**
   * Epoch bits 01 while no epoch past 3 is readable can only be epoch 1 (RFC 9147 §6.1). Once a read
   * epoch exists and epoch 1 is not among them, such records are 0-RTT refused (or no longer read):
   * they fail deprotection and are dropped (§4.5.2), not kept for later. Before any read epoch (a
   * server that has not processed the ClientHello yet) they are kept: the hello may be late.
   */
  #refusedEarly(epochBits: number): boolean {
    if (epochBits !== EARLY_EPOCH || this.#readEpochs.length === 0) return false;
    return this.#readEpochs.every((e) => e.keys.epoch !== EARLY_EPOCH && e.keys.epoch < 4);
  }

  installReadEpoch(keys: EpochKeys): void {
    this.#readEpochs.push({ keys, window: new ReplayWindow(), failures: 0 });
    // Older epochs stay readable for a while for reordered records (RFC 9147 §4.2.1, §8).
    if (this.#readEpochs.length > 3) this.#readEpochs.shift();
    this.#readEpoch = keys.epoch;
    this.retryFuture = this.#future.length > 0;
  }

  /** Records kept for later, handed back once (what is still unreadable is kept again by `open`). */
  takeFuture(): CiphertextRecord[] {
    const f = this.#future;
    this.#future = [];
    return f;
  }

  /** Keeps again the records of `f` that no read epoch can open yet. */
  keepUnreadable(f: readonly CiphertextRecord[]): void {
    for (const r of f) if (!this.#readEpochs.some((e) => (e.keys.epoch & 3) === r.epochBits) && !this.#refusedEarly(r.epochBits)) this.#future.push(r);
  }

  /**
   * Deprotects a record (RFC 9147 §4.2.3, §4.5): null when it is dropped silently (unknown epoch —
   * kept for later when `fresh` —, too short, forged, replayed). Too many forgeries throw.
   */
  open(r: CiphertextRecord, fresh: boolean): OpenedRecord | null {
    // RFC 9147 §4.2.2: the newest of the read epochs whose low bits match.
    const candidates = this.#readEpochs.filter((e) => (e.keys.epoch & 3) === r.epochBits);
    const re = candidates[candidates.length - 1];
    // RFC 9147 §4.5.2, §4.2.3: too short for the sequence number mask: discarded.
    if (r.body.length < 16) return null;
    const trace = this.#settings.trace;
    const dropped = (reason: 'undecryptable' | 'replay' | 'early_data_rejected'): null => {
      emitTrace(trace, () => ({ kind: 'dropped', direction: 'received', epochBits: r.epochBits, length: r.header.length + r.body.length, reason }));
      return null;
    };
    if (re === undefined && this.#refusedEarly(r.epochBits)) return dropped('early_data_rejected');
    if (re === undefined) {
      // An epoch we cannot read yet (the handshake message that brings its keys may be late).
      if (fresh) {
        this.#future.push(r);
        if (this.#future.length > MAX_FUTURE_RECORDS) this.#future.shift();
      }
      return null;
    }
    const mask = re.keys.mask(r.body);
    const header = r.header.slice();
    let low: number;
    if (r.seqLength === 1) {
      header[r.seqOffset] = (header[r.seqOffset] as number) ^ (mask[0] as number);
      low = header[r.seqOffset] as number;
    } else {
      header[r.seqOffset] = (header[r.seqOffset] as number) ^ (mask[0] as number);
      header[r.seqOffset + 1] = (header[r.seqOffset + 1] as number) ^ (mask[1] as number);
      low = ((header[r.seqOffset] as number) << 8) | (header[r.seqOffset + 1] as number);
    }
    const seq = reconstructSequence(re.window.top + 1, low, r.seqLength === 1 ? 8 : 16);
    const plain = re.keys.aead.open(recordNonce(re.keys.iv, seq), r.body, header);
    if (plain === null) {
      re.failures++;
      const limit = this.#settings.maxForgeryAttempts ?? FORGERY_LIMITS[re.keys.suite.aead] ?? 2 ** 23;
      // RFC 9147 §4.5.3: too many forgeries under one key closes the connection.
      if (re.failures > limit) fail('TOO_MANY_FORGERIES', 'bad_record_mac', `more than ${limit} records failed authentication`);
      return dropped('undecryptable');
    }
    // RFC 9147 §4.5.1: the replay check comes after deprotection (no timing channel on the number).
    if (!re.window.check(seq)) return dropped('replay');
    re.window.accept(seq);
    return { rn: { epoch: re.keys.epoch, seq }, keys: re.keys, plain };
  }

  // ---- output --------------------------------------------------------------------------------------

  /** Bytes a record of `epoch` adds around a handshake fragment. */
  recordOverhead(epoch: number): number {
    if (epoch === 0) return PLAINTEXT_HEADER_LENGTH;
    const keys = this.#writeKeys.get(epoch) as EpochKeys;
    return ciphertextOverhead(this.sendCid().length, keys.aead.tagLength, HANDSHAKE_HEADER_LENGTH);
  }

  /** The largest application record content that fits in one datagram. */
  get maxDatagramPayload(): number {
    const tag = this.#writeKeys.get(this.#writeEpoch)?.aead.tagLength ?? 16;
    const mtu = this.#settings.mtu - ciphertextOverhead(this.sendCid().length, tag, 16);
    return this.peerRecordSizeLimit === null ? mtu : Math.min(mtu, this.peerRecordSizeLimit - 1);
  }

  /** Bytes already in the datagram being built. */
  get datagramLength(): number {
    return this.#datagramLength;
  }

  /** Seals a record into the datagram being built; returns its record number. */
  append(epoch: number, type: number, content: Uint8Array): RecordNumber {
    const seq = this.#writeSeq.get(epoch) ?? 0;
    let rec: Uint8Array;
    if (epoch === 0) {
      // RFC 9147 §4: plaintext sequence numbers stay below 2^48.
      if (seq > MAX_EPOCH) fail('SEQUENCE_EXHAUSTED', 'internal_error', 'plaintext sequence numbers exhausted');
      rec = encodePlaintext(type, 0, seq, content);
    } else {
      const keys = this.#writeKeys.get(epoch);
      if (keys === undefined) fail('INTERNAL_ERROR', 'internal_error', `no keys for epoch ${epoch}`);
      if (seq >= Number.MAX_SAFE_INTEGER) fail('SEQUENCE_EXHAUSTED', 'internal_error', 'record sequence numbers exhausted');
      rec = sealRecord(keys, seq, type, content, this.sendCid());
    }
    this.#writeSeq.set(epoch, seq + 1);
    emitTrace(this.#settings.trace, () => recordTrace('sent', epoch, seq, type, rec.length, content));
    if (this.#datagramLength + rec.length > this.#settings.mtu) this.flush();
    this.#datagram.push(rec);
    this.#datagramLength += rec.length;
    return { epoch, seq };
  }

  sendNow(epoch: number, type: number, content: Uint8Array): void {
    this.append(epoch, type, content);
    this.flush();
  }

  /** Closes the datagram being built and queues it for `pull()`. */
  flush(): void {
    if (this.#datagram.length === 0) return;
    const out = new Uint8Array(this.#datagramLength);
    let at = 0;
    for (const r of this.#datagram) {
      out.set(r, at);
      at += r.length;
    }
    this.#datagram = [];
    this.#datagramLength = 0;
    if (this.countOutput()) this.bytesOut += out.length;
    this.#out.push(out);
  }

  /** Drops the datagram being built (the connection failed). */
  discard(): void {
    this.#datagram = [];
    this.#datagramLength = 0;
  }

  pull(): Uint8Array | null {
    return this.#out.shift() ?? null;
  }

  /** Epoch-0 sequence numbers continue from the client's (RFC 6347 §4.2.1 style, for stateless servers). */
  mirrorPlaintextSeq(seq: number): void {
    const cur = this.#writeSeq.get(0) ?? 0;
    if (seq > cur) this.#writeSeq.set(0, seq);
  }
}
