/**
 * The protocol a handshake runs for. DTLS 1.3 (RFC 9147) reuses the TLS 1.3 states and codecs with
 * other version numbers (§5.3, §5.4), the "dtls13" HKDF label prefix (§5.9), the ClientHello's
 * legacy_cookie (§5.3), no compatibility mode and no echoed legacy_session_id (§5).
 */
export interface ProtocolVariant {
  readonly name: 'TLSv1.3' | 'DTLSv1.3';
  /** legacy_version of the hellos. */
  readonly legacyVersion: number;
  /** The supported_versions code point. */
  readonly version: number;
  /** HKDF-Expand-Label prefix; undefined means "tls13 ". */
  readonly labelPrefix: Uint8Array | undefined;
  /** Datagram transport: legacy_cookie in the ClientHello, no CCS, no session id echo. */
  readonly datagram: boolean;
}

export const TLS13_VARIANT: ProtocolVariant = Object.freeze({ name: 'TLSv1.3', legacyVersion: 0x0303, version: 0x0304, labelPrefix: undefined, datagram: false });

// RFC 9147 §5.3: legacy_version {254, 253} (DTLS 1.2); 0xfefc in supported_versions is DTLS 1.3.
export const DTLS13_VARIANT: ProtocolVariant = Object.freeze({
  name: 'DTLSv1.3',
  legacyVersion: 0xfefd,
  version: 0xfefc,
  labelPrefix: new TextEncoder().encode('dtls13'),
  datagram: true,
});

export function variantOf(config: { readonly variant?: ProtocolVariant | undefined }): ProtocolVariant {
  return config.variant ?? TLS13_VARIANT;
}
