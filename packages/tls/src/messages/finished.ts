/** Finished (RFC 8446 §4.4.4): verify_data of Hash.length bytes (checked by the state that expects it). */
import type { Reader, Writer } from '@puretls/wire';

export interface Finished {
  readonly verifyData: Uint8Array;
}

export const readFinished = (r: Reader): Finished => ({ verifyData: r.rest() });

export function writeFinished(w: Writer, m: Finished): void {
  w.bytes(m.verifyData);
}
