/** EncryptedExtensions (RFC 8446 §4.3.1). */
import type { Reader, Writer } from '@puretls/wire';
import { type Extension, readExtensions, writeExtensions } from './extensions.js';

export interface EncryptedExtensions {
  readonly extensions: readonly Extension[];
}

export const readEncryptedExtensions = (r: Reader): EncryptedExtensions => ({ extensions: readExtensions(r, 'EE') });

export function writeEncryptedExtensions(w: Writer, m: EncryptedExtensions): void {
  writeExtensions(w, m.extensions);
}
