/** CertificateRequest (RFC 8446 §4.3.2). */
import type { Reader, Writer } from '@puretls/wire';
import { ExtensionType } from '../constants.js';
import { fail } from '../errors.js';
import { type Extension, findExtension, readExtensions, writeExtensions } from './extensions.js';

export interface CertificateRequest {
  readonly certificateRequestContext: Uint8Array;
  readonly extensions: readonly Extension[];
}

export function readCertificateRequest(r: Reader): CertificateRequest {
  const certificateRequestContext = r.vec8();
  const extensions = readExtensions(r, 'CR', 2);
  // RFC 8446 §4.3.2: signature_algorithms MUST be present.
  if (findExtension(extensions, ExtensionType.signature_algorithms) === undefined) {
    fail('MISSING_SIGNATURE_ALGORITHMS', 'missing_extension', 'CertificateRequest without signature_algorithms');
  }
  return { certificateRequestContext, extensions };
}

export function writeCertificateRequest(w: Writer, m: CertificateRequest): void {
  w.vec8(m.certificateRequestContext);
  writeExtensions(w, m.extensions);
}
