/**
 * What arrives in records (RFC 9147 §4, §5.2, §7): CID checks (RFC 9146 §3), deprotection through the
 * record layer, the inner content type, handshake fragments into the reassembler (epoch rules of
 * §6.1, cleartext hellos after keys only as a sign of the peer's resend), ACKs, alerts and
 * close_notify (§5.10), application data only under application keys once the peer's Finished is in,
 * and 0-RTT data in epoch 1 (§6.1; the epoch ends it, there is no EndOfEarlyData: §5.6).
 */
import { _internal, TlsError, type AlertDescriptionName } from '@puretls/tls';
import { decodeAck, type RecordNumber } from './ack.js';
import { ContentType, HS_CLIENT_HELLO, HS_SERVER_HELLO } from './constants.js';
import type { DtlsEvent } from './events.js';
import { parseFragments } from './handshake/framing.js';
import type { Reassembler } from './handshake/reassembly.js';
import type { CidState } from './post-handshake.js';
import { EARLY_EPOCH, type RecordLayer } from './record/record-layer.js';
import type { CiphertextRecord, ParsedRecord } from './record/records.js';
import type { Reliability } from './reliability.js';
import { emitTrace, recordTrace } from './trace.js';

const fail: (code: string, alert: AlertDescriptionName, message: string) => never = _internal.fail;
const ALERT_CLOSE_NOTIFY = 0;
const ALERT_USER_CANCELED = 90;
/** Empty application data records accepted in a row (OpenSSL stops at 32 too). */
const MAX_EMPTY_IN_A_ROW = 32;

/** What the connection lends to its input side. */
export interface RecordInputHost {
  readonly rl: RecordLayer;
  readonly rel: Reliability;
  readonly reasm: Reassembler;
  readonly cid: CidState;
  /** The handshake completed. */
  readonly complete: boolean;
  /** A protected record authenticated (`fresh`: from the datagram being fed, not one kept for later). */
  authenticated(rn: RecordNumber, fresh: boolean): void;
  onPlaintextHello(seq: number, messageSeq: number, type: number): void;
  emit(e: DtlsEvent): void;
  /** A record of 0-RTT data (epoch 1) authenticated. */
  earlyData(data: Uint8Array): void;
  /** The peer's close_notify arrived. */
  peerClosed(): void;
  /** A fatal alert from the peer. */
  fail(err: TlsError): void;
}

export class RecordInput {
  readonly #h: RecordInputHost;
  /** The peer's close_notify arrived (at #closedAt). */
  readClosed = false;
  #closedAt: RecordNumber | null = null;
  #emptyInARow = 0;

  constructor(host: RecordInputHost) {
    this.#h = host;
  }

  /** RFC 9146 §3 / RFC 9147 §9.1: records must carry exactly the CID negotiated for us. */
  cidOk(r: CiphertextRecord): boolean {
    if (this.#h.cid.recvCidLength === 0) return r.cid === null;
    if (r.cid === null) return false;
    const cid = r.cid;
    return this.#h.cid.recvCids.some((c) => c.length === cid.length && c.every((b, i) => b === cid[i]));
  }

  /** One record of a datagram; `fresh` is false for a record kept for later and retried. */
  record(r: ParsedRecord, fresh: boolean): void {
    if (r.kind === 'plaintext') {
      // RFC 9147 §4: DTLSPlaintext is only for epoch 0.
      if (r.epoch !== 0) return;
      emitTrace(this.#h.rl.tracer, () => recordTrace('received', 0, r.seq, r.type, 13 + r.fragment.length, r.fragment));
      this.#plaintext(r.type, r.seq, r.fragment);
      return;
    }
    const opened = this.#h.rl.open(r, fresh);
    if (opened === null) return;
    const { rn, keys, plain } = opened;
    this.#h.authenticated(rn, fresh);
    // RFC 9147 §5.10: nothing after a valid close_notify counts.
    if (this.#closedAt !== null && (rn.epoch > this.#closedAt.epoch || (rn.epoch === this.#closedAt.epoch && rn.seq > this.#closedAt.seq))) return;
    // RFC 8446 §5.4: DTLSInnerPlaintext longer than 2^14 + 1 is a record_overflow.
    if (plain.length > (1 << 14) + 1) fail('RECORD_OVERFLOW', 'record_overflow', `record plaintext of ${plain.length} bytes`);
    // RFC 8449 §4: above the record_size_limit we advertised, a DTLS endpoint may discard the record.
    const ours = this.#h.rl.ourRecordSizeLimit;
    if (ours !== null && keys.epoch >= 2 && plain.length > ours) return;
    let i = plain.length - 1;
    while (i >= 0 && plain[i] === 0) i--;
    if (i < 0) fail('NO_CONTENT_TYPE', 'unexpected_message', 'decrypted record has no content type');
    const type = plain[i] as number;
    const content = plain.subarray(0, i);
    emitTrace(this.#h.rl.tracer, () => recordTrace('received', rn.epoch, rn.seq, type, r.header.length + r.body.length, content));
    // RFC 9147 §5.6: the client's first record of epoch 3 or later ends the reading of epoch 1.
    if (rn.epoch > 2) this.#h.rl.dropEarlyRead();
    if (rn.epoch === EARLY_EPOCH && type !== ContentType.application_data && type !== ContentType.ack && type !== ContentType.alert) {
      // RFC 9147 §5.6: no handshake message in epoch 1 (not even EndOfEarlyData).
      fail('UNEXPECTED_MESSAGE', 'unexpected_message', `record of content type ${type} in the 0-RTT epoch`);
    }
    switch (type) {
      case ContentType.handshake:
        this.#handshakeRecord(content, rn, true);
        return;
      case ContentType.ack:
        this.#ack(content, true);
        return;
      case ContentType.alert:
        this.#alert(content, rn, true);
        return;
      case ContentType.application_data:
        // As the TLS engine: more than 32 empty records in a row is a peer looping, not sending data.
        if (content.length === 0) {
          if (++this.#emptyInARow > MAX_EMPTY_IN_A_ROW) fail('TOO_MANY_NON_DATA_RECORDS', 'unexpected_message', `more than ${MAX_EMPTY_IN_A_ROW} empty application data records in a row`);
        } else {
          this.#emptyInARow = 0;
        }
        if (keys.epoch === EARLY_EPOCH) {
          this.#h.earlyData(content.slice());
          return;
        }
        // RFC 8446 §5.1: application data only under application keys.
        if (keys.epoch < 3) fail('UNEXPECTED_APPLICATION_DATA', 'unexpected_message', `application data in epoch ${keys.epoch}`);
        // RFC 9147 §5.8.1: discarded until the peer's Finished is processed.
        if (!this.#h.complete) return;
        this.#h.emit({ type: 'application_data', data: content.slice() });
        return;
      default:
        fail('UNKNOWN_CONTENT_TYPE', 'unexpected_message', `record of inner content type ${type}`);
    }
  }

  #plaintext(type: number, seq: number, fragment: Uint8Array): void {
    switch (type) {
      case ContentType.handshake:
        this.#handshakeRecord(fragment, { epoch: 0, seq }, false);
        return;
      case ContentType.ack:
        this.#ack(fragment, false);
        return;
      case ContentType.alert:
        // Unauthenticated: only believed before any key exists (a peer that failed on our hello).
        if (!this.#h.rl.hasReadKeys) this.#alert(fragment, { epoch: 0, seq }, false);
        return;
      default:
        return;
    }
  }

  #handshakeRecord(content: Uint8Array, rn: RecordNumber, authenticated: boolean): void {
    const frags = parseFragments(content);
    if (frags === null) {
      if (authenticated) fail('DECODE_ERROR', 'decode_error', 'malformed handshake record');
      return;
    }
    let buffered = false;
    for (const f of frags) {
      // RFC 9147 §6.1: epoch 0 carries only ClientHello, ServerHello and HelloRetryRequest.
      if (rn.epoch === 0 && f.type !== HS_CLIENT_HELLO && f.type !== HS_SERVER_HELLO) continue;
      if (rn.epoch === 0 && this.#h.rl.readEpoch !== 0) {
        // Once keys exist, a cleartext hello is only a sign that the peer resends its first flight;
        // it is never buffered, so a spoofed one cannot disturb the association.
        if (f.messageSeq < this.#h.reasm.next) this.#h.rel.peerRetransmitted = true;
        continue;
      }
      if (rn.epoch === 0) this.#h.onPlaintextHello(rn.seq, f.messageSeq, f.type);
      const verdict = this.#h.reasm.add(f, rn.epoch);
      if (verdict === 'old') {
        this.#h.rel.peerRetransmitted = true;
        // RFC 9147 §7: post-handshake records are ACKed even when their message was a duplicate.
        if (this.#h.complete && authenticated) this.#h.rel.acks.push(rn, true);
        continue;
      }
      if (verdict !== 'buffered') continue;
      buffered = true;
      this.#h.rel.fragmentBuffered(f.messageSeq, f.offset, f.data.length, f.length);
    }
    if (buffered) this.#h.rel.acks.push(rn, false);
  }

  #ack(content: Uint8Array, authenticated: boolean): void {
    const list = decodeAck(content);
    if (list === null) {
      if (authenticated) fail('DECODE_ERROR', 'decode_error', 'malformed ACK');
      return;
    }
    this.#h.rel.acknowledged(list, authenticated);
  }

  #alert(content: Uint8Array, rn: RecordNumber, authenticated: boolean): void {
    if (content.length !== 2) {
      if (authenticated) fail('BAD_ALERT', 'decode_error', `alert record of ${content.length} bytes`);
      return;
    }
    const desc = content[1] as number;
    if ((desc === ALERT_CLOSE_NOTIFY || desc === ALERT_USER_CANCELED) && !this.#h.complete && rn.epoch < 3) {
      // Sent before the peer's Finished (epochs 0-2): nothing after it counts (RFC 9846 §6.1), so the
      // handshake can never complete. (One of epoch 3 may only have overtaken that Finished: below.)
      const canceled = desc === ALERT_USER_CANCELED;
      this.readClosed = true;
      this.#h.fail(
        canceled
          ? new TlsError('PEER_CANCELED', 'user_canceled', 'the peer canceled the handshake (user_canceled)', { remote: true })
          : new TlsError('PEER_CLOSED_IN_HANDSHAKE', 'close_notify', 'the peer sent close_notify before the handshake completed', { remote: true }),
      );
      return;
    }
    if (desc === ALERT_CLOSE_NOTIFY) {
      if (this.readClosed) return;
      this.readClosed = true;
      this.#closedAt = rn;
      this.#h.peerClosed();
      return;
    }
    if (desc === ALERT_USER_CANCELED) return; // user_canceled: a close_notify follows (RFC 8446 §6.1).
    const name = _internal.alertName(desc);
    const err = new TlsError('PEER_ALERT', name ?? 'illegal_parameter', `peer sent fatal alert ${name ?? desc}`, { remote: true });
    this.#h.fail(err);
  }
}
