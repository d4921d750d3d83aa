/**
 * Sessions as node:tls hands them out: an opaque Buffer (`'session'` event, `getSession()`), given back
 * as the `session` option to resume. The bytes are the engine's `encodeSession` form (they hold the
 * resumption PSK: keep them secret); a Buffer that does not decode is ignored (full handshake), as
 * node ignores a bad session.
 */
import { decodeSession as decode, encodeSession as encode, type ClientTicket } from '@puretls/tls';

export function encodeSession(t: ClientTicket): Buffer {
  const b = encode(t);
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength);
}

export function decodeSession(b: Uint8Array): ClientTicket | null {
  try {
    return decode(b);
  } catch {
    return null;
  }
}
