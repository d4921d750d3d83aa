/**
 * Post-handshake messages of a DTLS 1.3 association (RFC 9147 §5.8.4): KeyUpdate with its
 * acknowledgement rule (§8), NewConnectionId / RequestConnectionId (§9), and the one retransmission
 * timer they share; each message is still acknowledged individually. The connection owns the record
 * layer and the ACKs; this keeps what is specific to messages sent after the handshake.
 */
import type { CryptoProvider } from '@puretls/crypto';
import { _internal, type AlertDescriptionName } from '@puretls/tls';
import type { DatagramSettings } from './config.js';
import { HS_NEW_CONNECTION_ID, HS_REQUEST_CONNECTION_ID, MAX_EPOCH } from './constants.js';
import type { DtlsEvent } from './events.js';
import { Flight, OutMessage, type MessageKind } from './flight.js';
import { decodeNewConnectionId, decodeRequestConnectionId, encodeNewConnectionId } from './handshake/connection-id.js';
import { epochKeys, type EpochKeys } from './record/epoch.js';
import type { RecordLayer } from './record/record-layer.js';

const fail: (code: string, alert: AlertDescriptionName, message: string) => never = _internal.fail;
const HS_KEY_UPDATE = 24;
const HS_NEW_SESSION_TICKET = 4;
export const MAX_CIDS = 16;

/** CID state of the association (the client and server set it during the handshake). */
export interface CidState {
  cidNegotiated: boolean;
  sendCid: Uint8Array;
  recvCids: Uint8Array[];
  recvCidLength: number;
}

/** What the connection lends: its record layer, clock, message_seq space and event queue. */
export interface PostHandshakeHost {
  readonly rl: RecordLayer;
  readonly provider: CryptoProvider;
  readonly settings: DatagramSettings;
  readonly cids: CidState;
  readonly now: number;
  readonly writeClosed: boolean;
  /** The timer a new flight starts with (RFC 9147 §5.8.2). */
  readonly initialTimer: number;
  /** The peer's next expected message_seq (for the flight's implicit-ACK rule). */
  readonly peerNextSeq: number;
  nextMessageSeq(): number;
  emit(e: DtlsEvent): void;
  /** Fragments messages into records of the datagram being built (no flush). */
  transmitMessages(msgs: readonly OutMessage[]): void;
  /** Our write keys changed: the per-epoch record count starts again. */
  writeEpochChanged(): void;
  /** A NewSessionTicket (TLS form) from the peer. */
  sessionTicket(raw: Uint8Array): void;
}

export class PostHandshake {
  readonly #host: PostHandshakeHost;
  /** Our post-handshake messages not yet fully acknowledged, under one timer. */
  flight: Flight | null = null;
  #keyUpdate: { msg: OutMessage; next: EpochKeys } | null = null;
  #keyUpdateQueued: boolean | null = null;
  #spareCids: Uint8Array[] = [];
  /** A NewConnectionId of ours awaits its ACK / a RequestConnectionId of ours awaits an answer. */
  ncidOutstanding = false;
  rcidOutstanding = false;

  constructor(host: PostHandshakeHost) {
    this.#host = host;
  }

  get keyUpdateInFlight(): boolean {
    return this.#keyUpdate !== null;
  }

  /** A complete post-handshake message from the peer, in the current read epoch or (`previousEpoch`) the one before. */
  receive(type: number, raw: Uint8Array, previousEpoch = false): void {
    const h = this.#host;
    switch (type) {
      case HS_KEY_UPDATE: {
        // RFC 9147 §8: no new KeyUpdate before the previous one is ACKed, and that ACK moves the peer to the new epoch.
        if (previousEpoch) fail('WRONG_EPOCH', 'unexpected_message', 'KeyUpdate in the epoch before the current read epoch');
        const m = _internal.parseHandshake(raw, true);
        if (m.type !== 'key_update') fail('UNEXPECTED_MESSAGE', 'unexpected_message', 'bad KeyUpdate');
        const cur = h.rl.latestReadEpoch;
        if (cur === undefined) fail('INTERNAL_ERROR', 'internal_error', 'no read epoch');
        const next = _internal.nextTrafficSecret(cur.keys.ks, cur.keys.secret);
        h.rl.installReadEpoch(epochKeys(h.provider, cur.keys.ks, cur.keys.suite, next, cur.keys.epoch + 1));
        h.emit({ type: 'key_update', direction: 'read' });
        // RFC 9147 §8: answer update_requested unless a KeyUpdate of ours is in flight or the epoch would pass 2^48-1.
        if (m.body.updateRequested && !h.writeClosed && this.#keyUpdate === null && h.rl.writeEpoch < MAX_EPOCH) this.startKeyUpdate(false);
        return;
      }
      case HS_NEW_SESSION_TICKET:
        h.sessionTicket(raw);
        return;
      case HS_NEW_CONNECTION_ID:
        this.#receiveNewConnectionIds(raw.subarray(4));
        return;
      case HS_REQUEST_CONNECTION_ID:
        this.#receiveRequestConnectionIds(raw.subarray(4));
        return;
      default:
        fail('UNEXPECTED_MESSAGE', 'unexpected_message', `unexpected handshake message ${_internal.handshakeTypeName(type)} after the handshake`);
    }
  }

  /** Sends a post-handshake message now and keeps it for retransmission until acknowledged. */
  queue(type: number, body: Uint8Array, kind: MessageKind): OutMessage {
    const h = this.#host;
    const msg = new OutMessage(h.nextMessageSeq(), type, body, h.rl.writeEpoch, kind);
    let f = this.flight;
    if (f === null) {
      const d = h.settings;
      f = new Flight({ initial: d.retransmitInitial, max: d.retransmitMax, maxRetransmissions: d.maxRetransmissions }, h.peerNextSeq, h.initialTimer);
      this.flight = f;
    }
    f.messages.push(msg);
    h.transmitMessages([msg]);
    f.sent(h.now);
    return msg;
  }

  startKeyUpdate(requestPeer: boolean): void {
    // RFC 9147 §8: one KeyUpdate at a time; the next waits for the ACK.
    if (this.#keyUpdate !== null) {
      this.#keyUpdateQueued = (this.#keyUpdateQueued ?? false) || requestPeer;
      return;
    }
    const h = this.#host;
    if (h.rl.writeEpoch >= MAX_EPOCH) fail('EPOCH_EXHAUSTED', 'internal_error', 'epoch would exceed 2^48-1');
    const cur = h.rl.writeKeys(h.rl.writeEpoch) as EpochKeys;
    const next = epochKeys(h.provider, cur.ks, cur.suite, _internal.nextTrafficSecret(cur.ks, cur.secret), cur.epoch + 1);
    const msg = this.queue(HS_KEY_UPDATE, Uint8Array.of(requestPeer ? 1 : 0), 'key_update');
    this.#keyUpdate = { msg, next };
  }

  /** Some of our records were acknowledged: apply what that completes. */
  acked(): void {
    const f = this.flight;
    if (f === null) return;
    const h = this.#host;
    const ku = this.#keyUpdate;
    if (ku !== null && ku.msg.fullyAcked) {
      // RFC 9147 §8: the new keys are used only once the KeyUpdate is acknowledged.
      this.#keyUpdate = null;
      h.rl.advanceWriteEpoch(ku.next);
      h.writeEpochChanged();
      h.emit({ type: 'key_update', direction: 'write' });
      const q = this.#keyUpdateQueued;
      this.#keyUpdateQueued = null;
      if (q !== null) this.startKeyUpdate(q);
    }
    for (const m of f.messages) if (m.fullyAcked && m.kind === 'new_connection_id') this.ncidOutstanding = false;
    const rest = f.pending();
    if (rest.length === 0) {
      this.flight = null;
      return;
    }
    f.messages.splice(0, f.messages.length, ...rest);
  }

  /** Issues fresh CIDs for records to us (RFC 9147 §9). */
  sendNewConnectionIds(cids: Uint8Array[], usage: 'cid_immediate' | 'cid_spare'): void {
    const c = this.#host.cids;
    c.recvCids.push(...cids);
    while (c.recvCids.length > MAX_CIDS) c.recvCids.shift();
    this.ncidOutstanding = true;
    this.queue(HS_NEW_CONNECTION_ID, encodeNewConnectionId(cids, usage), 'new_connection_id');
  }

  requestConnectionIds(count: number): void {
    this.rcidOutstanding = true;
    this.queue(HS_REQUEST_CONNECTION_ID, Uint8Array.of(count), 'request_connection_id');
  }

  /** The next spare CID the peer gave us, or undefined. */
  nextSpareCid(): Uint8Array | undefined {
    return this.#spareCids.shift();
  }

  #receiveNewConnectionIds(body: Uint8Array): void {
    const h = this.#host;
    // RFC 9147 §9: only when CIDs were negotiated and we send a non-empty one.
    if (!h.cids.cidNegotiated || h.cids.sendCid.length === 0) fail('UNEXPECTED_MESSAGE', 'unexpected_message', 'NewConnectionId without a negotiated non-empty connection ID');
    // RFC 9147 §9: extra spare CIDs may simply be discarded: only those we keep are copied and reported.
    const room = Math.max(0, MAX_CIDS - this.#spareCids.length);
    const immediate = body.length > 0 && body[body.length - 1] === 0;
    const { cids, usage } = decodeNewConnectionId(body, room + (immediate ? 1 : 0));
    this.rcidOutstanding = false;
    const fresh = cids.slice();
    if (usage === 'cid_immediate') {
      const first = fresh.shift();
      if (first === undefined) fail('ILLEGAL_PARAMETER', 'illegal_parameter', 'cid_immediate with no CID');
      h.cids.sendCid = first;
    }
    for (const c of fresh) this.#spareCids.push(c);
    h.emit({ type: 'new_connection_ids', cids: cids.map((c) => c.slice()), usage });
  }

  #receiveRequestConnectionIds(body: Uint8Array): void {
    const h = this.#host;
    if (!h.cids.cidNegotiated || h.cids.recvCidLength === 0) fail('UNEXPECTED_MESSAGE', 'unexpected_message', 'RequestConnectionId without a negotiated non-empty connection ID');
    const asked = decodeRequestConnectionId(body);
    if (this.ncidOutstanding) return;
    // RFC 9147 §9: fewer CIDs than asked (even none) is allowed.
    const count = Math.min(asked, 4);
    const cids: Uint8Array[] = [];
    for (let i = 0; i < count; i++) cids.push(h.provider.randomBytes(h.cids.recvCidLength));
    this.sendNewConnectionIds(cids, 'cid_spare');
  }
}
