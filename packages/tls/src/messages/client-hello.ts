/** ClientHello (RFC 8446 §4.1.2). */
import type { Reader, Writer } from '@puretls/wire';
import { fail } from '../errors.js';
import { type Extension, readExtensions, writeExtensions } from './extensions.js';

export interface ClientHello {
  readonly legacyVersion: number;
  readonly random: Uint8Array;
  readonly legacySessionId: Uint8Array;
  readonly cipherSuites: readonly number[];
  readonly legacyCompressionMethods: Uint8Array;
  readonly extensions: readonly Extension[];
}

export function readClientHello(r: Reader): ClientHello {
  const legacyVersion = r.u16();
  const random = r.bytes(32);
  const legacySessionId = r.vec8(0, 32);
  const cipherSuites = r.nested(2, 2, 0xfffe, (l) => l.list((x) => x.u16()));
  const legacyCompressionMethods = r.vec8(1);
  // A hello without extensions is pre-TLS 1.3; it cannot carry supported_versions.
  if (r.atEnd) fail('NO_SUPPORTED_VERSIONS', 'protocol_version', 'ClientHello has no extensions: TLS 1.3 not offered');
  const extensions = readExtensions(r, 'CH');
  return { legacyVersion, random, legacySessionId, cipherSuites, legacyCompressionMethods, extensions };
}

export function writeClientHello(w: Writer, m: ClientHello): void {
  w.u16(m.legacyVersion).bytes(m.random).vec8(m.legacySessionId, 0, 32);
  w.vector16(() => m.cipherSuites.forEach((c) => w.u16(c)), 2);
  w.vec8(m.legacyCompressionMethods, 1);
  writeExtensions(w, m.extensions);
}
