/** ClientHello (RFC 8446 §4.1.2). */
import type { Reader, Writer } from '@puretls/wire';
import { fail } from '../errors.js';
import { type Extension, readExtensions, writeExtensions } from './extensions.js';

export interface ClientHello {
  readonly legacyVersion: number;
  readonly random: Uint8Array;
  readonly legacySessionId: Uint8Array;
  /** DTLS only (RFC 9147 §5.3): present exactly when the hello is a DTLS one. */
  readonly legacyCookie?: Uint8Array;
  readonly cipherSuites: readonly number[];
  readonly legacyCompressionMethods: Uint8Array;
  readonly extensions: readonly Extension[];
}

export function readClientHello(r: Reader, datagram = false): ClientHello {
  const legacyVersion = r.u16();
  const random = r.bytes(32);
  const legacySessionId = r.vec8(0, 32);
  const legacyCookie = datagram ? r.vec8(0, 255) : undefined;
  const cipherSuites = r.nested(2, 2, 0xfffe, (l) => l.list((x) => x.u16()));
  const legacyCompressionMethods = r.vec8(1);
  // A hello without extensions is pre-TLS 1.3; it cannot carry supported_versions.
  if (r.atEnd) fail('NO_SUPPORTED_VERSIONS', 'protocol_version', 'ClientHello has no extensions: TLS 1.3 not offered');
  const extensions = readExtensions(r, 'CH');
  const hello = { legacyVersion, random, legacySessionId, cipherSuites, legacyCompressionMethods, extensions };
  return legacyCookie === undefined ? hello : { ...hello, legacyCookie };
}

export function writeClientHello(w: Writer, m: ClientHello): void {
  w.u16(m.legacyVersion).bytes(m.random).vec8(m.legacySessionId, 0, 32);
  if (m.legacyCookie !== undefined) w.vec8(m.legacyCookie, 0, 255);
  w.vector16(() => m.cipherSuites.forEach((c) => w.u16(c)), 2);
  w.vec8(m.legacyCompressionMethods, 1);
  writeExtensions(w, m.extensions);
}
