/**
 * DTLS 1.3 record formats (RFC 9147 §4): DTLSPlaintext with its 13-byte header, DTLSCiphertext with
 * the unified header (0b001CSLEE, optional CID, 8- or 16-bit sequence number, optional length), and
 * the demultiplexing of a datagram into records (§4.1). Parsing never throws: a malformed record ends
 * the parse of its datagram, since its boundary is unknown.
 */
import { ContentType, DTLS12_VERSION, PLAINTEXT_HEADER_LENGTH } from '../constants.js';
import { recordNonce, type EpochKeys } from './epoch.js';

export interface PlaintextRecord {
  readonly kind: 'plaintext';
  readonly type: number;
  readonly epoch: number;
  readonly seq: number;
  readonly fragment: Uint8Array;
}

export interface CiphertextRecord {
  readonly kind: 'ciphertext';
  /** The header as received (sequence number still encrypted). */
  readonly header: Uint8Array;
  readonly cid: Uint8Array | null;
  readonly epochBits: number;
  readonly seqLength: 1 | 2;
  /** Offset of the sequence number in `header`. */
  readonly seqOffset: number;
  readonly body: Uint8Array;
}

export type ParsedRecord = PlaintextRecord | CiphertextRecord;

/** An unprotected record (RFC 9147 §4, Figure 2). */
export function encodePlaintext(type: number, epoch: number, seq: number, fragment: Uint8Array): Uint8Array {
  const out = new Uint8Array(PLAINTEXT_HEADER_LENGTH + fragment.length);
  out[0] = type;
  out[1] = DTLS12_VERSION >> 8;
  out[2] = DTLS12_VERSION & 0xff;
  out[3] = (epoch >> 8) & 0xff;
  out[4] = epoch & 0xff;
  const hi = Math.floor(seq / 2 ** 32);
  out[5] = (hi >> 8) & 0xff;
  out[6] = hi & 0xff;
  out[7] = (seq >>> 24) & 0xff;
  out[8] = (seq >>> 16) & 0xff;
  out[9] = (seq >>> 8) & 0xff;
  out[10] = seq & 0xff;
  out[11] = fragment.length >> 8;
  out[12] = fragment.length & 0xff;
  out.set(fragment, PLAINTEXT_HEADER_LENGTH);
  return out;
}

/** Bytes a protected record adds to its content: header, inner type, tag, and the padding to 16 bytes of ciphertext. */
export function ciphertextOverhead(cidLength: number, tagLength: number, contentLength: number): number {
  const header = 1 + cidLength + 2 + 2;
  const inner = contentLength + 1;
  return header + 1 + tagLength + Math.max(0, 16 - tagLength - inner);
}

/**
 * A DTLSCiphertext record with a 16-bit sequence number and a length (RFC 9147 §4, Figure 3); the
 * inner plaintext is padded so that the ciphertext is at least 16 bytes (§4.2.3).
 */
export function sealRecord(keys: EpochKeys, seq: number, type: number, content: Uint8Array, cid: Uint8Array, extraPadding = 0): Uint8Array {
  const tag = keys.aead.tagLength;
  const pad = Math.max(0, 16 - tag - (content.length + 1)) + extraPadding;
  const innerLength = content.length + 1 + pad;
  const headerLength = 1 + cid.length + 2 + 2;
  const length = innerLength + tag;
  const out = new Uint8Array(headerLength + length);
  out[0] = 0x20 | (cid.length > 0 ? 0x10 : 0) | 0x08 | 0x04 | (keys.epoch & 0x03);
  out.set(cid, 1);
  const so = 1 + cid.length;
  out[so] = (seq >>> 8) & 0xff;
  out[so + 1] = seq & 0xff;
  out[so + 2] = length >> 8;
  out[so + 3] = length & 0xff;
  const body = out.subarray(headerLength);
  body.set(content);
  body[content.length] = type;
  // RFC 9147 §4: the whole header, before record number encryption, is the additional data.
  keys.aead.seal(recordNonce(keys.iv, seq), body.subarray(0, innerLength), out.subarray(0, headerLength), body);
  const mask = keys.mask(body);
  out[so] = (out[so] as number) ^ (mask[0] as number);
  out[so + 1] = (out[so + 1] as number) ^ (mask[1] as number);
  return out;
}

/**
 * Splits a datagram into records (RFC 9147 §4.1). `cidLength` is the length of the CIDs we receive
 * (0 when none was negotiated). Stops at the first record whose extent cannot be known; `end` says
 * where, so a caller that learns its CID length from an earlier record can go on from there.
 */
export function parseDatagram(d: Uint8Array, cidLength: number, start = 0): { records: ParsedRecord[]; end: number } {
  const out: ParsedRecord[] = [];
  let at = start;
  while (at < d.length) {
    const b = d[at] as number;
    if (b === ContentType.alert || b === ContentType.handshake || b === ContentType.ack) {
      if (d.length - at < PLAINTEXT_HEADER_LENGTH) break;
      const epoch = ((d[at + 3] as number) << 8) | (d[at + 4] as number);
      const seq = (((d[at + 5] as number) << 8) | (d[at + 6] as number)) * 2 ** 32 + (((d[at + 7] as number) << 24) >>> 0) + (((d[at + 8] as number) << 16) | ((d[at + 9] as number) << 8) | (d[at + 10] as number));
      const length = ((d[at + 11] as number) << 8) | (d[at + 12] as number);
      const end = at + PLAINTEXT_HEADER_LENGTH + length;
      if (end > d.length) break;
      out.push({ kind: 'plaintext', type: b, epoch, seq, fragment: d.subarray(at + PLAINTEXT_HEADER_LENGTH, end) });
      at = end;
      continue;
    }
    // RFC 9147 §4.1: anything else must start with 0b001, or the rest of the datagram is unusable.
    if ((b & 0xe0) !== 0x20) break;
    const hasCid = (b & 0x10) !== 0;
    const seqLength: 1 | 2 = (b & 0x08) !== 0 ? 2 : 1;
    const hasLength = (b & 0x04) !== 0;
    // A CID we did not negotiate cannot be delimited (RFC 9147 §9.1: such records are rejected).
    if (hasCid && cidLength === 0) break;
    let p = at + 1;
    const cid = hasCid ? d.subarray(p, p + cidLength) : null;
    if (hasCid) p += cidLength;
    const seqOffset = p - at;
    p += seqLength;
    let end: number;
    if (hasLength) {
      if (p + 2 > d.length) break;
      const length = ((d[p] as number) << 8) | (d[p + 1] as number);
      p += 2;
      end = p + length;
    } else {
      end = d.length;
    }
    if (p > d.length || end > d.length) break;
    out.push({ kind: 'ciphertext', header: d.slice(at, p), cid: cid === null ? null : cid.slice(), epochBits: b & 0x03, seqLength, seqOffset, body: d.subarray(p, end) });
    at = end;
  }
  return { records: out, end: at };
}
