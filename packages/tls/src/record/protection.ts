/**
 * Per-direction record protection (RFC 8446 §5.2, §5.3): AEAD with nonce = iv XOR seq, the
 * TLSInnerPlaintext with its real content type and zero padding, the 5-byte header as additional data.
 */
import type { Aead, CryptoProvider } from '@puretls/crypto';
import { ContentType, LEGACY_RECORD_VERSION, MAX_PLAINTEXT } from '../constants.js';
import { fail } from '../errors.js';
import type { CipherSuite } from '../suites.js';
import type { TrafficKeys } from '../key-schedule/traffic.js';

function nonceFor(iv: Uint8Array, seq: bigint, out: Uint8Array): Uint8Array {
  out.set(iv);
  const len = out.length;
  if (seq <= 0xffffffffn) {
    // The usual case, without bigint arithmetic per byte: only the low 32 bits are set.
    const n = Number(seq);
    out[len - 4] = (out[len - 4] as number) ^ (n >>> 24);
    out[len - 3] = (out[len - 3] as number) ^ ((n >>> 16) & 0xff);
    out[len - 2] = (out[len - 2] as number) ^ ((n >>> 8) & 0xff);
    out[len - 1] = (out[len - 1] as number) ^ (n & 0xff);
    return out;
  }
  let s = seq;
  for (let i = len - 1; i >= len - 8; i--) {
    out[i] = (out[i] as number) ^ Number(s & 0xffn);
    s >>= 8n;
  }
  return out;
}

abstract class Direction {
  protected readonly aead: Aead;
  protected readonly iv: Uint8Array;
  protected readonly nonce: Uint8Array;
  /** Number of records processed with this key. */
  seq = 0n;
  constructor(
    provider: CryptoProvider,
    readonly suite: CipherSuite,
    keys: TrafficKeys,
  ) {
    this.aead = provider.aead(suite.aead).create(keys.key);
    this.iv = keys.iv;
    this.nonce = new Uint8Array(keys.iv.length);
  }

  protected nextNonce(): Uint8Array {
    // RFC 8446 §5.3: the sequence number must not wrap; a KeyUpdate is due long before.
    if (this.seq >= 0xffffffffffffffffn) fail('SEQUENCE_EXHAUSTED', 'internal_error', 'record sequence number exhausted');
    const n = nonceFor(this.iv, this.seq, this.nonce);
    this.seq++;
    return n;
  }
}

export class RecordSealer extends Direction {
  /** A complete TLSCiphertext record for `content` of `type`, with `padding` zero bytes. */
  seal(type: number, content: Uint8Array, padding = 0): Uint8Array {
    // Three bytes before the header put the body on a 4-byte boundary, where AEADs work a word at a time.
    const out = new Uint8Array(this.recordLength(content.length, padding) + 3).subarray(3);
    this.sealInto(type, content, padding, out);
    return out;
  }

  /** Bytes of the record `seal()` makes for `contentLength` bytes and `padding`. */
  recordLength(contentLength: number, padding = 0): number {
    return 5 + contentLength + 1 + padding + this.aead.tagLength;
  }

  /** Whether the AEAD seals asynchronously too (Web Crypto): application data then goes that way. */
  get async(): boolean {
    return this.aead.sealAsync !== undefined;
  }

  /**
   * `seal()` through the AEAD's asynchronous form. The sequence number is taken now, so records are
   * numbered in the order they are asked for, whenever their bytes are ready.
   */
  sealAsync(type: number, content: Uint8Array, padding = 0): Promise<Uint8Array> {
    const sealAsync = this.aead.sealAsync;
    if (sealAsync === undefined) throw new Error('sealAsync() without an asynchronous AEAD');
    const innerLength = content.length + 1 + padding;
    if (innerLength > MAX_PLAINTEXT + 1) throw new RangeError(`record plaintext of ${innerLength} bytes exceeds 2^14+1`);
    const length = innerLength + this.aead.tagLength;
    const header = Uint8Array.of(ContentType.application_data, LEGACY_RECORD_VERSION >> 8, LEGACY_RECORD_VERSION & 0xff, length >> 8, length & 0xff);
    const inner = new Uint8Array(innerLength);
    inner.set(content);
    inner[content.length] = type;
    return sealAsync(this.nextNonce().slice(), inner, header).then((body) => {
      const out = new Uint8Array(5 + body.length);
      out.set(header);
      out.set(body, 5);
      return out;
    });
  }

  /** `seal()` into `out`, which is exactly `recordLength()` bytes (several records share one buffer). */
  sealInto(type: number, content: Uint8Array, padding: number, out: Uint8Array): void {
    const innerLength = content.length + 1 + padding;
    if (innerLength > MAX_PLAINTEXT + 1) throw new RangeError(`record plaintext of ${innerLength} bytes exceeds 2^14+1`);
    const length = innerLength + this.aead.tagLength;
    if (out.length !== 5 + length) throw new RangeError(`out must be ${5 + length} bytes, got ${out.length}`);
    out[0] = ContentType.application_data;
    out[1] = LEGACY_RECORD_VERSION >> 8;
    out[2] = LEGACY_RECORD_VERSION & 0xff;
    out[3] = length >> 8;
    out[4] = length & 0xff;
    const body = out.subarray(5);
    body.set(content);
    body[content.length] = type;
    if (padding > 0) body.fill(0, content.length + 1, innerLength);
    this.aead.seal(this.nextNonce(), body.subarray(0, innerLength), out.subarray(0, 5), body);
  }
}

export interface OpenedRecord {
  readonly type: number;
  /** The record's own bytes (never a view of the input), so it can be handed on without a copy. */
  readonly content: Uint8Array;
}

export class RecordOpener extends Direction {
  /**
   * The largest TLSInnerPlaintext accepted: 2^14+1 (RFC 9846 §5.4), or our record_size_limit once
   * negotiated (RFC 8449 §4: it counts content, type and padding).
   */
  maxInnerPlaintext = MAX_PLAINTEXT + 1;
  /** The largest TLSInnerPlaintext opened with this key so far (for a limit learnt after some records). */
  largestOpened = 0;

  /** Decrypts a TLSCiphertext; the caller has checked the outer type is application_data. */
  open(header: Uint8Array, fragment: Uint8Array): OpenedRecord {
    // RFC 8446 §5.2: shorter than a tag cannot authenticate.
    if (fragment.length < this.aead.tagLength + 1) fail('BAD_RECORD_MAC', 'bad_record_mac', 'record too short to authenticate');
    let plain = this.aead.open(this.nextNonce(), fragment, header);
    // A provider decrypting in place would hand back the deframer's (reused) bytes.
    if (plain !== null && plain.buffer === fragment.buffer) plain = plain.slice();
    return this.#inner(plain);
  }

  /** Whether the AEAD opens asynchronously too (Web Crypto). */
  get async(): boolean {
    return this.aead.openAsync !== undefined;
  }

  /** `open()` through the AEAD's asynchronous form; the sequence number is taken now. Inputs are copied. */
  openAsync(header: Uint8Array, fragment: Uint8Array): Promise<OpenedRecord> {
    const openAsync = this.aead.openAsync;
    if (openAsync === undefined) throw new Error('openAsync() without an asynchronous AEAD');
    if (fragment.length < this.aead.tagLength + 1) fail('BAD_RECORD_MAC', 'bad_record_mac', 'record too short to authenticate');
    return openAsync(this.nextNonce().slice(), fragment.slice(), header.slice()).then((plain) => this.#inner(plain));
  }

  /** The TLSInnerPlaintext of an opened record (null: authentication failed). */
  #inner(plain: Uint8Array | null): OpenedRecord {
    if (plain === null) fail('BAD_RECORD_MAC', 'bad_record_mac', 'record authentication failed');
    // RFC 8446 §5.4: strip the zero padding to find the content type.
    let i = plain.length - 1;
    while (i >= 0 && plain[i] === 0) i--;
    // RFC 8446 §5.4: TLSInnerPlaintext longer than 2^14 + 1 is a record_overflow.
    if (plain.length > MAX_PLAINTEXT + 1) fail('RECORD_OVERFLOW', 'record_overflow', `record plaintext of ${plain.length} bytes exceeds 2^14+1`);
    // RFC 8449 §4: a record larger than the limit we advertised is a fatal record_overflow.
    if (plain.length > this.maxInnerPlaintext) {
      fail('RECORD_OVERFLOW', 'record_overflow', `record plaintext of ${plain.length} bytes exceeds our record_size_limit ${this.maxInnerPlaintext}`);
    }
    if (plain.length > this.largestOpened) this.largestOpened = plain.length;
    if (i < 0) fail('NO_CONTENT_TYPE', 'unexpected_message', 'decrypted record has no non-zero content type');
    return { type: plain[i] as number, content: plain.subarray(0, i) };
  }
}

/** An unprotected TLSPlaintext record (RFC 8446 §5.1; an initial ClientHello may say 0x0301). */
export function plaintextRecord(type: number, fragment: Uint8Array, version: number = LEGACY_RECORD_VERSION): Uint8Array {
  if (fragment.length > MAX_PLAINTEXT) throw new RangeError(`plaintext record of ${fragment.length} bytes exceeds 2^14`);
  const out = new Uint8Array(5 + fragment.length);
  out[0] = type;
  out[1] = version >> 8;
  out[2] = version & 0xff;
  out[3] = fragment.length >> 8;
  out[4] = fragment.length & 0xff;
  out.set(fragment, 5);
  return out;
}
