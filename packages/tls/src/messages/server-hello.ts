/** ServerHello and HelloRetryRequest (RFC 8446 §4.1.3, §4.1.4): one codec, told apart by the random. */
import { bytesEqual, type Reader, type Writer } from '@puretls/wire';
import { HELLO_RETRY_REQUEST_RANDOM } from '../constants.js';
import { type Extension, readExtensions, writeExtensions } from './extensions.js';

export interface ServerHello {
  readonly legacyVersion: number;
  readonly random: Uint8Array;
  readonly legacySessionIdEcho: Uint8Array;
  readonly cipherSuite: number;
  readonly legacyCompressionMethod: number;
  readonly extensions: readonly Extension[];
  /** The random is SHA-256("HelloRetryRequest"). */
  readonly isHelloRetryRequest: boolean;
}

export function readServerHello(r: Reader): ServerHello {
  const legacyVersion = r.u16();
  const random = r.bytes(32);
  const isHelloRetryRequest = bytesEqual(random, HELLO_RETRY_REQUEST_RANDOM);
  const legacySessionIdEcho = r.vec8(0, 32);
  const cipherSuite = r.u16();
  const legacyCompressionMethod = r.u8();
  const extensions = readExtensions(r, isHelloRetryRequest ? 'HRR' : 'SH');
  return { legacyVersion, random, legacySessionIdEcho, cipherSuite, legacyCompressionMethod, extensions, isHelloRetryRequest };
}

export function writeServerHello(w: Writer, m: Omit<ServerHello, 'isHelloRetryRequest'>): void {
  w.u16(m.legacyVersion).bytes(m.random).vec8(m.legacySessionIdEcho, 0, 32).u16(m.cipherSuite).u8(m.legacyCompressionMethod);
  writeExtensions(w, m.extensions);
}
