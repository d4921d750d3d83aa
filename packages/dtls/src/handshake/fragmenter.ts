/**
 * Cutting handshake messages into records and datagrams (RFC 9147 §5.5): the unacknowledged byte
 * ranges of each message become fragments that fill the datagram being built up to the MTU, without
 * cutting a message into crumbs, and within the amplification budget of an unproven address (§5.1).
 */
import type { RecordNumber } from '../ack.js';
import { ContentType, HANDSHAKE_HEADER_LENGTH } from '../constants.js';
import type { OutMessage } from '../flight.js';
import type { RecordLayer } from '../record/record-layer.js';
import { encodeFragment } from './framing.js';

/**
 * Appends the unacknowledged parts of `msgs` to the record layer. `fragmentMtu` (at most `mtu`) is
 * the datagram size after a PMTU back-off (RFC 9147 §4.4); epoch-0 hellos keep `mtu`, so that a
 * stateless server still finds a whole ClientHello in one datagram. `amplificationLimit` is null once
 * the address is proven (or when the limit is off). At most `maxRecords` records are written (RFC
 * 9147 §5.8.3); the rest goes in a later transmission. `sent` learns which record carried which bytes.
 * Returns the number of records written.
 */
export function writeFragments(
  rl: RecordLayer,
  msgs: readonly OutMessage[],
  mtu: number,
  fragmentMtu: number,
  amplificationLimit: number | null,
  sent: (rn: RecordNumber, msg: OutMessage, start: number, end: number) => void,
  maxRecords = Infinity,
): number {
  let records = 0;
  for (const m of msgs) {
    const limit = m.epoch === 0 ? mtu : Math.min(mtu, fragmentMtu);
    for (const [start, end] of m.unacked()) {
      let at = start;
      do {
        const overhead = rl.recordOverhead(m.epoch) + HANDSHAKE_HEADER_LENGTH;
        let room = limit - rl.datagramLength - overhead;
        const left = end - at;
        // Fill the datagram, but do not cut a message into crumbs: start a new datagram instead.
        if (room < Math.min(left, 16) || room <= 0) {
          rl.flush();
          room = limit - overhead;
        }
        let n = Math.min(left, room);
        // RFC 8449 §4: a protected record keeps to the peer's record_size_limit (content + type).
        if (m.epoch > 0 && rl.peerRecordSizeLimit !== null) n = Math.min(n, rl.peerRecordSizeLimit - 1 - HANDSHAKE_HEADER_LENGTH);
        // RFC 9147 §5.1: before the address is proven, at most `amplificationLimit` times what was received.
        if (records >= maxRecords) return records;
        if (amplificationLimit !== null) {
          const budget = Math.floor(amplificationLimit * rl.bytesIn) - rl.bytesOut - rl.datagramLength - overhead;
          if (budget < Math.min(left, 16)) return records;
          n = Math.min(n, budget);
        }
        const frag = encodeFragment(m.type, m.body.length, m.messageSeq, at, m.body.subarray(at, at + n));
        sent(rl.append(m.epoch, ContentType.handshake, frag), m, at, at + n);
        records++;
        at += n;
      } while (at < end);
    }
  }
  return records;
}
