/**
 * Sessions as node:tls hands them out: an opaque Buffer (`'session'` event, `getSession()`), given back
 * as the `session` option to resume. The bytes hold the engine's `encodeSession` form (with the
 * resumption PSK: keep them secret) and the outcome of the certificate verification of the
 * connection the ticket came from, because a resumption shows no certificate (RFC 8446 §2.2) and
 * `authorized` must then say what it said on that connection, as node:tls does. A Buffer that does not
 * decode is ignored (full handshake), as node ignores a bad session.
 */
import { decodeSession as decodeTicket, encodeSession as encodeTicket, type ClientTicket } from '@puretls/tls';

/** The verification outcome recorded with a session. */
export interface SessionVerification {
  readonly authorized: boolean;
  readonly authorizationError: string | undefined;
}

export interface SavedSession extends SessionVerification {
  readonly ticket: ClientTicket;
}

const MAGIC = Buffer.from('ptn1', 'latin1');

/** `ticket` and how the server was verified when it was issued, as one Buffer. */
export function encodeSession(ticket: ClientTicket, verification: SessionVerification): Buffer {
  const inner = encodeTicket(ticket);
  const error = Buffer.from(verification.authorizationError ?? '', 'utf8');
  if (error.length > 255) throw new RangeError('verification.authorizationError is longer than 255 bytes');
  const head = Buffer.alloc(MAGIC.length + 3 + error.length);
  MAGIC.copy(head, 0);
  let at = MAGIC.length;
  head[at++] = verification.authorized ? 1 : 0;
  head[at++] = verification.authorizationError === undefined ? 0 : 1;
  head[at++] = error.length;
  error.copy(head, at);
  return Buffer.concat([head, inner]);
}

/** The inverse of `encodeSession`; null for bytes that are not such a session. */
export function decodeSession(b: Uint8Array): SavedSession | null {
  if (!(b instanceof Uint8Array)) return null;
  const buf = Buffer.from(b.buffer, b.byteOffset, b.byteLength);
  if (buf.length < MAGIC.length + 3 || !buf.subarray(0, MAGIC.length).equals(MAGIC)) return null;
  let at = MAGIC.length;
  const authorized = buf[at++];
  const hasError = buf[at++];
  const errorLength = buf[at++] as number;
  if ((authorized !== 0 && authorized !== 1) || (hasError !== 0 && hasError !== 1) || buf.length < at + errorLength) return null;
  // A session recorded as authorized carries no error, and one that was not names why.
  if ((authorized === 1) === (hasError === 1)) return null;
  const authorizationError = hasError === 1 ? buf.subarray(at, at + errorLength).toString('utf8') : undefined;
  at += errorLength;
  try {
    return { ticket: decodeTicket(buf.subarray(at)), authorized: authorized === 1, authorizationError };
  } catch {
    return null;
  }
}
