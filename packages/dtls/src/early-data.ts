/**
 * 0-RTT over DTLS 1.3 (RFC 9147 §5.6, §6.1; RFC 8446 §4.2.10): the client's early datagrams and the
 * checks on them, the server's max_early_data_size accounting, and the early exporter.
 *
 * Reading of RFC 9147: early data is application data, so like all DTLS application data it is sent
 * once and never retransmitted (§5.8 retransmits handshake flights only; a lost or late early record
 * is simply lost, and a resent ClientHello goes without it). Records of epoch 1 end the 0-RTT phase by
 * their epoch, there is no EndOfEarlyData (§5.6). A server that refused 0-RTT has no epoch-1 keys:
 * those records fail deprotection and are dropped silently (§4.5.2, §6.1), not counted against
 * max_early_data_size; accepted early data past max_early_data_size is an unexpected_message
 * (RFC 8446 §4.2.10).
 */
import { _internal, type AlertDescriptionName, type ClientTicket } from '@puretls/tls';

const fail: (code: string, alert: AlertDescriptionName, message: string) => never = _internal.fail;

/** The `earlyData` option as a list of datagram payloads, checked against the session (local errors). */
export function earlyDataList(option: Uint8Array | readonly Uint8Array[], session: ClientTicket | undefined): Uint8Array[] {
  const list = option instanceof Uint8Array ? [option] : option;
  if (!Array.isArray(list) || !list.every((d) => d instanceof Uint8Array)) throw new TypeError('options.earlyData must be a Uint8Array or an array of them');
  if (session === undefined || session.maxEarlyDataSize === 0) throw new TypeError('options.earlyData needs a session whose ticket allows early data');
  const total = list.reduce((n, d) => n + d.length, 0);
  if (total > session.maxEarlyDataSize) throw new RangeError(`options.earlyData (${total} bytes) exceeds the ticket's max_early_data_size ${session.maxEarlyDataSize}`);
  return list.map((d) => _internal.copyBytes(d));
}

/** Server: what accepted 0-RTT may still carry (RFC 8446 §4.2.10); -1 until 0-RTT is accepted. */
export class EarlyBudget {
  #remaining = -1;

  accept(max: number): void {
    this.#remaining = max;
  }

  /** Counts a record's plaintext (RFC 8446 §4.2.10: without padding and inner type). */
  take(n: number): void {
    if (this.#remaining < 0) fail('UNEXPECTED_APPLICATION_DATA', 'unexpected_message', '0-RTT data that was not accepted');
    this.#remaining -= n;
    if (this.#remaining < 0) fail('TOO_MUCH_EARLY_DATA', 'unexpected_message', 'early data exceeds max_early_data_size');
  }
}

export interface EarlyExporter {
  readonly ks: _internal.KeyScheduleContext;
  readonly secret: Uint8Array;
}

/** RFC 8446 §7.5: the exporter from early_exporter_master_secret (a connection with 0-RTT only). */
export function exportEarly(e: EarlyExporter | null, label: string, context: Uint8Array, length: number): Uint8Array {
  if (typeof label !== 'string') throw new TypeError('label must be a string');
  if (!(context instanceof Uint8Array)) throw new TypeError('context must be a Uint8Array');
  if (!Number.isInteger(length) || length < 0 || length > 0xffff) throw new RangeError('length must be 0..65535');
  if (e === null) throw new Error('exportEarlyKeyingMaterial() without 0-RTT on this connection');
  return _internal.exportKeyingMaterial(e.ks, e.secret, label, context, length);
}
