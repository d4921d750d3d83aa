/** Certificate (RFC 8446 §4.4.2), X.509 certificate type only. */
import type { Reader, Writer } from '@puretls/wire';
import { type Extension, readExtensions, writeExtensions } from './extensions.js';

export interface CertificateEntry {
  readonly certData: Uint8Array;
  readonly extensions: readonly Extension[];
}

export interface Certificate {
  readonly certificateRequestContext: Uint8Array;
  readonly certificateList: readonly CertificateEntry[];
}

export function readCertificate(r: Reader): Certificate {
  const certificateRequestContext = r.vec8();
  const certificateList = r.nested(3, 0, 0xffffff, (l) =>
    l.list((x) => ({ certData: x.vec24(1), extensions: readExtensions(x, 'CT') })),
  );
  return { certificateRequestContext, certificateList };
}

export function writeCertificate(w: Writer, m: Certificate): void {
  w.vec8(m.certificateRequestContext);
  w.vector24(() => {
    for (const e of m.certificateList) {
      w.vec24(e.certData, 1);
      writeExtensions(w, e.extensions);
    }
  });
}
