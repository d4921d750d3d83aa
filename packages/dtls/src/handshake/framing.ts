/**
 * DTLSHandshake framing (RFC 9147 §5.2): the TLS header plus message_seq, fragment_offset and
 * fragment_length. The transcript sees the TLS form (type, uint24 length, body) without them.
 */
import { HANDSHAKE_HEADER_LENGTH } from '../constants.js';

export interface HandshakeFragment {
  readonly type: number;
  readonly length: number;
  readonly messageSeq: number;
  readonly offset: number;
  readonly data: Uint8Array;
}

export function encodeFragment(type: number, length: number, messageSeq: number, offset: number, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(HANDSHAKE_HEADER_LENGTH + data.length);
  out[0] = type;
  out[1] = (length >>> 16) & 0xff;
  out[2] = (length >>> 8) & 0xff;
  out[3] = length & 0xff;
  out[4] = (messageSeq >>> 8) & 0xff;
  out[5] = messageSeq & 0xff;
  out[6] = (offset >>> 16) & 0xff;
  out[7] = (offset >>> 8) & 0xff;
  out[8] = offset & 0xff;
  out[9] = (data.length >>> 16) & 0xff;
  out[10] = (data.length >>> 8) & 0xff;
  out[11] = data.length & 0xff;
  out.set(data, HANDSHAKE_HEADER_LENGTH);
  return out;
}

const u24 = (b: Uint8Array, i: number): number => ((b[i] as number) << 16) | ((b[i + 1] as number) << 8) | (b[i + 2] as number);

/**
 * The fragments of one handshake record, or null if the record is malformed (truncated header,
 * fragment past the end of the record or of its message).
 */
export function parseFragments(content: Uint8Array): HandshakeFragment[] | null {
  const out: HandshakeFragment[] = [];
  let at = 0;
  if (content.length === 0) return null;
  while (at < content.length) {
    if (content.length - at < HANDSHAKE_HEADER_LENGTH) return null;
    const type = content[at] as number;
    const length = u24(content, at + 1);
    const messageSeq = ((content[at + 4] as number) << 8) | (content[at + 5] as number);
    const offset = u24(content, at + 6);
    const fragLength = u24(content, at + 9);
    const start = at + HANDSHAKE_HEADER_LENGTH;
    if (start + fragLength > content.length || offset + fragLength > length) return null;
    out.push({ type, length, messageSeq, offset, data: content.subarray(start, start + fragLength) });
    at = start + fragLength;
  }
  return out;
}

/** The TLS form of a complete message: type, uint24 length, body (RFC 9147 §5.2). */
export function tlsForm(type: number, body: Uint8Array): Uint8Array {
  const out = new Uint8Array(4 + body.length);
  out[0] = type;
  out[1] = (body.length >>> 16) & 0xff;
  out[2] = (body.length >>> 8) & 0xff;
  out[3] = body.length & 0xff;
  out.set(body, 4);
  return out;
}
