/**
 * One DTLS association on a UDP socket: drives a sans-IO `DtlsConnection` with real timers and the
 * wall clock, sends what it produces, and turns its events into Node events
 * (`secureConnect`, `message`, `session` (client: a `ClientTicket` to resume with), `keyUpdate`,
 * `newConnectionIds`, `close`, `error`; for 0-RTT: `earlyData` (server: a datagram of it),
 * `earlyDataRejected` (reason on the server) and, on a client resending refused early data after the
 * handshake, `earlyDataError` when a message no longer fits a datagram).
 */
import { EventEmitter } from 'node:events';
import type { DtlsConnection, DtlsHandshakeInfo } from '@puretls/dtls';

export type DatagramSender = (datagram: Uint8Array) => void;

export class DtlsSocket extends EventEmitter {
  readonly connection: DtlsConnection;
  #send: DatagramSender;
  #timer: NodeJS.Timeout | null = null;
  #closed = false;
  #secure = false;
  /** Client: 0-RTT messages to send again after the handshake unless the server accepted them. */
  #early: { readonly data: readonly Uint8Array[]; rejected: boolean } | null = null;
  remoteAddress: string;
  remotePort: number;

  constructor(connection: DtlsConnection, send: DatagramSender, remote: { address: string; port: number }) {
    super();
    this.connection = connection;
    this.#send = send;
    this.remoteAddress = remote.address;
    this.remotePort = remote.port;
  }

  get handshakeInfo(): DtlsHandshakeInfo | null {
    return this.connection.handshakeInfo;
  }

  get encrypted(): true {
    return true;
  }

  /** Whether 0-RTT data was accepted (null before the handshake completes). */
  get earlyDataAccepted(): boolean | null {
    return this.connection.handshakeInfo?.earlyDataAccepted ?? null;
  }

  /**
   * Client (set by `connect`): the early messages, whether they went as 0-RTT or not. Those not
   * accepted are sent after the handshake as ordinary datagrams (RFC 8446 §4.2.10: the client may
   * resend refused 0-RTT), like the TLS binding does.
   */
  retainEarlyData(data: readonly Uint8Array[], sentAsEarly: boolean): void {
    this.#early = { data, rejected: !sentAsEarly };
  }

  /** Largest `send()` that fits one datagram. */
  get maxDatagramPayload(): number {
    return this.connection.maxDatagramPayload;
  }

  /** One call, one record, one datagram (datagram semantics). */
  send(data: Uint8Array | string): void {
    const bytes = typeof data === 'string' ? new TextEncoder().encode(data) : data;
    this.connection.send(bytes);
    this.pump();
  }

  keyUpdate(requestPeer = false): void {
    this.connection.keyUpdate(requestPeer, Date.now());
    this.pump();
  }

  requestConnectionIds(count: number): void {
    this.connection.requestConnectionIds(count, Date.now());
    this.pump();
  }

  newConnectionIds(count = 1, usage: 'cid_immediate' | 'cid_spare' = 'cid_spare'): readonly Uint8Array[] {
    const out = this.connection.newConnectionIds(count, usage, Date.now());
    this.pump();
    return out;
  }

  rotateConnectionId(): boolean {
    return this.connection.rotateConnectionId();
  }

  /**
   * Sends close_notify and stops the timers. Before the handshake completed there is no close_notify to
   * send (it would end the peer's handshake half way, RFC 8446 §6.1): the association is abandoned.
   */
  close(): void {
    if (this.#closed) return;
    this.connection.close();
    this.pump();
    this.#finish();
  }

  /** Feeds a datagram from the peer. */
  receive(datagram: Uint8Array): void {
    if (this.#closed) return;
    this.connection.feedDatagram(datagram, Date.now());
    this.pump();
  }

  /** Sends what the engine has, emits its events and re-arms the timer. */
  pump(): void {
    // Closed: the transport may be gone (a callback of an earlier wait comes late).
    if (this.#closed) return;
    const c = this.connection;
    for (let d = c.pullDatagram(); d !== null; d = c.pullDatagram()) this.#send(d);
    for (let e = c.poll(); e !== null; e = c.poll()) {
      switch (e.type) {
        case 'handshake_complete':
          this.#secure = true;
          this.#resendEarly(e.info.earlyDataAccepted);
          for (let d = c.pullDatagram(); d !== null; d = c.pullDatagram()) this.#send(d);
          this.emit('secureConnect', e.info);
          break;
        case 'application_data':
          this.emit('message', e.data);
          break;
        case 'early_data':
          this.emit('earlyData', e.data);
          break;
        case 'early_data_rejected':
          if (this.#early !== null) this.#early.rejected = true;
          this.emit('earlyDataRejected', e.reason);
          break;
        case 'session_ticket':
          this.emit('session', e.ticket);
          break;
        case 'key_update':
          this.emit('keyUpdate', e.direction);
          break;
        case 'new_connection_ids':
          this.emit('newConnectionIds', e.cids, e.usage);
          break;
        case 'peer_closed':
          this.emit('end');
          this.#finish();
          break;
        case 'error':
          this.emit('error', e.error);
          this.#finish();
          break;
      }
    }
    if (this.#closed) return;
    const p = c.pending;
    if (p !== null) {
      void p.then(() => this.pump());
      return;
    }
    this.#arm();
  }

  get secure(): boolean {
    return this.#secure;
  }

  #resendEarly(accepted: boolean): void {
    const early = this.#early;
    this.#early = null;
    if (early === null || (accepted && !early.rejected)) return;
    try {
      for (const d of early.data) this.connection.send(d);
    } catch (e) {
      // A message that no longer fits (a connection ID took room): the caller's data, not the association's failure.
      this.emit('earlyDataError', e);
    }
  }

  #arm(): void {
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#timer = null;
    const t = this.connection.nextTimeout();
    if (t === null) return;
    this.#timer = setTimeout(() => {
      this.#timer = null;
      this.connection.onTimeout(Date.now());
      this.pump();
    }, Math.max(0, t - Date.now()));
    this.#timer.unref?.();
  }

  #finish(): void {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#timer = null;
    this.emit('close');
  }
}
