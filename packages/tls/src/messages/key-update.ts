/** KeyUpdate (RFC 8446 §4.6.3). */
import type { Reader, Writer } from '@puretls/wire';
import { fail } from '../errors.js';

export interface KeyUpdate {
  readonly updateRequested: boolean;
}

export function readKeyUpdate(r: Reader): KeyUpdate {
  const v = r.u8();
  // RFC 8446 §4.6.3: any other value is an illegal_parameter.
  if (v > 1) fail('BAD_KEY_UPDATE', 'illegal_parameter', `KeyUpdate request_update ${v}`);
  return { updateRequested: v === 1 };
}

export function writeKeyUpdate(w: Writer, m: KeyUpdate): void {
  w.u8(m.updateRequested ? 1 : 0);
}
