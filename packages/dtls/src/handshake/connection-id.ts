/**
 * NewConnectionId and RequestConnectionId (RFC 9147 §9):
 * `struct { ConnectionId cids<0..2^16-1>; ConnectionIdUsage usage; }` with
 * `opaque ConnectionId<0..2^8-1>` and `enum { cid_immediate(0), cid_spare(1) }`, and
 * `struct { uint8 num_cids; }`.
 */
import { _internal, type AlertDescriptionName } from '@puretls/tls';

const fail: (code: string, alert: AlertDescriptionName, message: string) => never = _internal.fail;

export type ConnectionIdUsage = 'cid_immediate' | 'cid_spare';

export function encodeNewConnectionId(cids: readonly Uint8Array[], usage: ConnectionIdUsage): Uint8Array {
  let n = 0;
  for (const c of cids) n += 1 + c.length;
  const body = new Uint8Array(2 + n + 1);
  body[0] = n >> 8;
  body[1] = n & 0xff;
  let at = 2;
  for (const c of cids) {
    body[at++] = c.length;
    body.set(c, at);
    at += c.length;
  }
  body[at] = usage === 'cid_immediate' ? 0 : 1;
  return body;
}

/**
 * A NewConnectionId: every entry is checked, but only the first `keep` CIDs are copied out (RFC 9147
 * §9 lets a receiver discard what it will not keep; a 60 KB list of empty CIDs is 60 000 of them).
 * `count` is how many the list holds.
 */
export function decodeNewConnectionId(body: Uint8Array, keep = Infinity): { cids: Uint8Array[]; count: number; usage: ConnectionIdUsage } {
  if (body.length < 3) fail('DECODE_ERROR', 'decode_error', 'short NewConnectionId');
  const n = ((body[0] as number) << 8) | (body[1] as number);
  if (2 + n + 1 !== body.length) fail('DECODE_ERROR', 'decode_error', 'NewConnectionId length mismatch');
  const cids: Uint8Array[] = [];
  let count = 0;
  let at = 2;
  while (at < 2 + n) {
    const l = body[at] as number;
    if (at + 1 + l > 2 + n) fail('DECODE_ERROR', 'decode_error', 'NewConnectionId entry overruns the list');
    if (count++ < keep) cids.push(body.slice(at + 1, at + 1 + l));
    at += 1 + l;
  }
  const u = body[2 + n] as number;
  if (u !== 0 && u !== 1) fail('ILLEGAL_PARAMETER', 'illegal_parameter', `ConnectionIdUsage ${u}`);
  return { cids, count, usage: u === 0 ? 'cid_immediate' : 'cid_spare' };
}

export function decodeRequestConnectionId(body: Uint8Array): number {
  if (body.length !== 1) fail('DECODE_ERROR', 'decode_error', 'RequestConnectionId is one byte');
  return body[0] as number;
}
