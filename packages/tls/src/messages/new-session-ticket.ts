/** NewSessionTicket (RFC 8446 §4.6.1). */
import type { Reader, Writer } from '@puretls/wire';
import { type Extension, readExtensions, writeExtensions } from './extensions.js';

export interface NewSessionTicket {
  readonly ticketLifetime: number;
  readonly ticketAgeAdd: number;
  readonly ticketNonce: Uint8Array;
  readonly ticket: Uint8Array;
  readonly extensions: readonly Extension[];
}

export function readNewSessionTicket(r: Reader): NewSessionTicket {
  return {
    ticketLifetime: r.u32(),
    ticketAgeAdd: r.u32(),
    ticketNonce: r.vec8(0, 255),
    ticket: r.vec16(1),
    extensions: readExtensions(r, 'NST'),
  };
}

export function writeNewSessionTicket(w: Writer, m: NewSessionTicket): void {
  w.u32(m.ticketLifetime).u32(m.ticketAgeAdd).vec8(m.ticketNonce).vec16(m.ticket, 1);
  writeExtensions(w, m.extensions);
}
