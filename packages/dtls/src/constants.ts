/** DTLS 1.3 code points and defaults (RFC 9147, RFC 9146). */

// RFC 9147 §4, §7: outer content types of DTLSPlaintext, and the inner ones of DTLSCiphertext.
export const ContentType = { alert: 21, handshake: 22, application_data: 23, ack: 26 } as const;

/** legacy_record_version of DTLSPlaintext records (RFC 9147 §4: {254, 253}). */
export const DTLS12_VERSION = 0xfefd;
export const DTLS13_VERSION = 0xfefc;

// RFC 9147 §5.2: the two handshake types DTLS adds.
export const HS_REQUEST_CONNECTION_ID = 9;
export const HS_NEW_CONNECTION_ID = 10;
export const HS_CLIENT_HELLO = 1;
export const HS_SERVER_HELLO = 2;

/** RFC 9146 §3. */
export const EXT_CONNECTION_ID = 54;

export const PLAINTEXT_HEADER_LENGTH = 13;
export const HANDSHAKE_HEADER_LENGTH = 12;

/** Default path MTU: bytes of UDP payload per datagram. */
export const DEFAULT_MTU = 1200;
/** RFC 9147 §5.8.2: initial retransmission timer 1 s, doubling, capped at no less than 60 s. */
export const DEFAULT_RETRANSMIT_INITIAL = 1000;
export const DEFAULT_RETRANSMIT_MAX = 60000;

/** 2^48 - 1: the highest epoch we send and the highest plaintext sequence number (RFC 9147 §4, §8). */
export const MAX_EPOCH = 2 ** 48 - 1;
