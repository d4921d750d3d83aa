/** CertificateVerify (RFC 8446 §4.4.3) and the content that is signed. */
import { concatBytes, type Reader, type Writer } from '@puretls/wire';
import { utf8 } from '../bytes.js';

export interface CertificateVerify {
  readonly algorithm: number;
  readonly signature: Uint8Array;
}

export const readCertificateVerify = (r: Reader): CertificateVerify => ({ algorithm: r.u16(), signature: r.vec16() });

export function writeCertificateVerify(w: Writer, m: CertificateVerify): void {
  w.u16(m.algorithm).vec16(m.signature);
}

const SERVER_CONTEXT = utf8('TLS 1.3, server CertificateVerify');
const CLIENT_CONTEXT = utf8('TLS 1.3, client CertificateVerify');

/** 64 spaces, the context string, a zero byte, then Transcript-Hash(...) (RFC 8446 §4.4.3). */
export function signedContent(side: 'server' | 'client', transcriptHash: Uint8Array): Uint8Array {
  const pad = new Uint8Array(64).fill(0x20);
  return concatBytes(pad, side === 'server' ? SERVER_CONTEXT : CLIENT_CONTEXT, new Uint8Array([0]), transcriptHash);
}
