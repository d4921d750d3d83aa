/**
 * One DTLS association on a UDP socket: drives a sans-IO `DtlsConnection` with real timers and the
 * wall clock, sends what it produces, and turns its events into Node events
 * (`secureConnect`, `message`, `session` (client: a `ClientTicket` to resume with), `keyUpdate`,
 * `newConnectionIds`, `timeout` (idle), `close`, `error` (at most once, then `close`); for 0-RTT:
 * `earlyData` (server: a datagram of it),
 * `earlyDataRejected` (reason on the server) and, on a client resending refused early data after the
 * handshake, `earlyDataError` when a message no longer fits a datagram).
 */
import { EventEmitter } from 'node:events';
import type { DtlsConnection, DtlsHandshakeInfo } from '@puretls/dtls';
import { TlsError } from '@puretls/tls';

/** Sends one datagram; may throw (the association then fails with TRANSPORT_ERROR). */
export type DatagramSender = (datagram: Uint8Array) => void;

export interface DtlsSocketTimeouts {
  /** Milliseconds the handshake may take before the association fails with HANDSHAKE_TIMEOUT; 0: no limit. */
  readonly handshake?: number;
  /** Milliseconds, once established, without an authenticated record from the peer nor a `send()`, before `timeout` and close; 0: never. */
  readonly idle?: number;
}

/** setTimeout's own ceiling: beyond it Node fires after 1 ms instead. */
const MAX_TIMER = 2 ** 31 - 1;

/** Validates a timeout option in milliseconds (0 disables it). */
export function timeoutOption(value: unknown, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number') throw new TypeError(`${name} must be a number of milliseconds`);
  if (!Number.isInteger(value) || value < 0 || value > MAX_TIMER) throw new RangeError(`${name} must be an integer from 0 (no limit) to ${MAX_TIMER} milliseconds`);
  return value;
}

/** A failure of the UDP socket under the association (the transport's error is the `cause`). */
export function transportError(cause: unknown): TlsError {
  const detail = cause instanceof Error ? cause.message : String(cause);
  return new TlsError('TRANSPORT_ERROR', 'internal_error', `the UDP socket failed: ${detail}`, { cause });
}

export class DtlsSocket extends EventEmitter {
  readonly connection: DtlsConnection;
  #send: DatagramSender;
  #timer: NodeJS.Timeout | null = null;
  /** Handshake deadline, then idle check: the engine's retransmission timer alone can wait forever (a flight acknowledged, the next never sent). */
  #watchdog: NodeJS.Timeout | null = null;
  readonly #idle: number;
  /** When a record from the peer last authenticated or the application last sent. */
  #active = Date.now();
  #closed = false;
  #secure = false;
  /** Client: 0-RTT messages to send again after the handshake unless the server accepted them. */
  #early: { readonly data: readonly Uint8Array[]; rejected: boolean } | null = null;
  remoteAddress: string;
  remotePort: number;

  constructor(connection: DtlsConnection, send: DatagramSender, remote: { address: string; port: number }, timeouts: DtlsSocketTimeouts = {}) {
    super();
    this.connection = connection;
    this.#send = send;
    this.remoteAddress = remote.address;
    this.remotePort = remote.port;
    const handshake = timeoutOption(timeouts.handshake, 'timeouts.handshake', 0);
    this.#idle = timeoutOption(timeouts.idle, 'timeouts.idle', 0);
    if (handshake > 0) {
      this.#watchdog = setTimeout(() => {
        this.#watchdog = null;
        if (!this.#secure) this.destroy(new TlsError('HANDSHAKE_TIMEOUT', 'internal_error', `handshake not complete after ${handshake} ms`));
      }, handshake);
      this.#watchdog.unref?.();
    }
  }

  /** True once the association is over (closed, failed or destroyed): it sends and receives nothing more. */
  get closed(): boolean {
    return this.#closed;
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
    // One-way traffic (a stream the peer never answers: DTLS does not acknowledge data) is not idle.
    this.#active = Date.now();
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

  /**
   * Ends the association at once, without close_notify (the transport failed, or the peer is gone):
   * timers stop, `error` is emitted when one is given, then `close`.
   */
  destroy(error?: Error): void {
    if (this.#closed) return;
    this.#stop();
    try {
      if (error !== undefined) this.emit('error', error);
    } finally {
      this.emit('close');
    }
  }

  /** Feeds a datagram from the peer. */
  receive(datagram: Uint8Array): void {
    if (this.#closed) return;
    const before = this.connection.recordsAuthenticated;
    this.connection.feedDatagram(datagram, Date.now());
    // Only authenticated records prove the peer is still there; anyone can send garbage from its address.
    if (this.connection.recordsAuthenticated > before) this.#active = Date.now();
    this.pump();
  }

  /** Sends what the engine has, emits its events and re-arms the timer. */
  pump(): void {
    // Closed: the transport may be gone (a callback of an earlier wait comes late).
    if (this.#closed) return;
    const c = this.connection;
    if (!this.#flush()) return;
    for (let e = c.poll(); e !== null; e = c.poll()) {
      switch (e.type) {
        case 'handshake_complete':
          this.#secure = true;
          this.#startIdle();
          this.#resendEarly(e.info.earlyDataAccepted);
          if (!this.#flush()) return;
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
          this.destroy(e.error);
          break;
      }
      // A listener may have closed or destroyed the socket: the rest of the events are moot.
      if (this.#closed) return;
    }
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

  /** Sends what the engine has; false when the transport failed (the socket is destroyed then). */
  #flush(): boolean {
    const c = this.connection;
    for (let d = c.pullDatagram(); d !== null; d = c.pullDatagram()) {
      try {
        this.#send(d);
      } catch (e) {
        // dgram throws synchronously for some failures (a closed socket, a bad port): never out of pump().
        this.destroy(transportError(e));
        return false;
      }
    }
    return true;
  }

  #startIdle(): void {
    if (this.#watchdog !== null) clearTimeout(this.#watchdog);
    this.#watchdog = null;
    if (this.#idle === 0) return;
    this.#active = Date.now();
    const check = (): void => {
      this.#watchdog = null;
      if (this.#closed) return;
      const left = this.#active + this.#idle - Date.now();
      if (left > 0) {
        this.#watchdog = setTimeout(check, left);
        this.#watchdog.unref?.();
        return;
      }
      this.emit('timeout');
      this.close();
    };
    this.#watchdog = setTimeout(check, this.#idle);
    this.#watchdog.unref?.();
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

  #stop(): void {
    this.#closed = true;
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#timer = null;
    if (this.#watchdog !== null) clearTimeout(this.#watchdog);
    this.#watchdog = null;
  }

  #finish(): void {
    if (this.#closed) return;
    this.#stop();
    this.emit('close');
  }
}
