/** TLS 1.3 code points with their RFC names (RFC 8446 §B, RFC 9846 §B). */

// RFC 8446 §5.1
export const ContentType = {
  invalid: 0,
  change_cipher_spec: 20,
  alert: 21,
  handshake: 22,
  application_data: 23,
} as const;
export type ContentType = (typeof ContentType)[keyof typeof ContentType];

// RFC 8446 §4
export const HandshakeType = {
  client_hello: 1,
  server_hello: 2,
  new_session_ticket: 4,
  end_of_early_data: 5,
  encrypted_extensions: 8,
  certificate: 11,
  certificate_request: 13,
  certificate_verify: 15,
  finished: 20,
  key_update: 24,
  message_hash: 254,
} as const;
export type HandshakeType = (typeof HandshakeType)[keyof typeof HandshakeType];

export function handshakeTypeName(t: number): string {
  for (const [k, v] of Object.entries(HandshakeType)) if (v === t) return k;
  return `unknown(${t})`;
}

// RFC 8446 §4.2, RFC 9846 §4.2
export const ExtensionType = {
  server_name: 0,
  max_fragment_length: 1,
  status_request: 5,
  supported_groups: 10,
  ec_point_formats: 11,
  signature_algorithms: 13,
  use_srtp: 14,
  heartbeat: 15,
  application_layer_protocol_negotiation: 16,
  signed_certificate_timestamp: 18,
  client_certificate_type: 19,
  server_certificate_type: 20,
  padding: 21,
  encrypt_then_mac: 22,
  extended_master_secret: 23,
  compress_certificate: 27,
  record_size_limit: 28,
  delegated_credential: 34,
  session_ticket: 35,
  pre_shared_key: 41,
  early_data: 42,
  supported_versions: 43,
  cookie: 44,
  psk_key_exchange_modes: 45,
  certificate_authorities: 47,
  oid_filters: 48,
  post_handshake_auth: 49,
  signature_algorithms_cert: 50,
  key_share: 51,
  renegotiation_info: 0xff01,
} as const;
export type ExtensionType = (typeof ExtensionType)[keyof typeof ExtensionType];

// RFC 8446 §6
export const AlertLevel = { warning: 1, fatal: 2 } as const;

export const AlertDescription = {
  close_notify: 0,
  unexpected_message: 10,
  bad_record_mac: 20,
  record_overflow: 22,
  handshake_failure: 40,
  bad_certificate: 42,
  unsupported_certificate: 43,
  certificate_revoked: 44,
  certificate_expired: 45,
  certificate_unknown: 46,
  illegal_parameter: 47,
  unknown_ca: 48,
  access_denied: 49,
  decode_error: 50,
  decrypt_error: 51,
  protocol_version: 70,
  insufficient_security: 71,
  internal_error: 80,
  inappropriate_fallback: 86,
  user_canceled: 90,
  missing_extension: 109,
  unsupported_extension: 110,
  unrecognized_name: 112,
  bad_certificate_status_response: 113,
  unknown_psk_identity: 115,
  certificate_required: 116,
  general_error: 117,
  no_application_protocol: 120,
} as const;
export type AlertDescriptionName = keyof typeof AlertDescription;

export function alertName(code: number): AlertDescriptionName | undefined {
  for (const [k, v] of Object.entries(AlertDescription)) if (v === code) return k as AlertDescriptionName;
  return undefined;
}

// RFC 8446 §4.2.7
export const NamedGroup = {
  secp256r1: 0x0017,
  secp384r1: 0x0018,
  secp521r1: 0x0019,
  x25519: 0x001d,
  x448: 0x001e,
} as const;

// RFC 8446 §4.2.9
export const PskKeyExchangeMode = { psk_ke: 0, psk_dhe_ke: 1 } as const;

// RFC 8446 §4.1.3: SHA-256("HelloRetryRequest")
export const HELLO_RETRY_REQUEST_RANDOM = new Uint8Array([
  0xcf, 0x21, 0xad, 0x74, 0xe5, 0x9a, 0x61, 0x11, 0xbe, 0x1d, 0x8c, 0x02, 0x1e, 0x65, 0xb8, 0x91,
  0xc2, 0xa2, 0x11, 0x16, 0x7a, 0xbb, 0x8c, 0x5e, 0x07, 0x9e, 0x09, 0xe2, 0xc8, 0xa8, 0x33, 0x9c,
]);

export const TLS12 = 0x0303;
export const TLS13 = 0x0304;
export const LEGACY_RECORD_VERSION = 0x0303;

// RFC 8446 §5.1/§5.2
export const MAX_PLAINTEXT = 1 << 14;
export const MAX_CIPHERTEXT = (1 << 14) + 256;
