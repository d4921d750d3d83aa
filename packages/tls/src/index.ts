/**
 * @puretls/tls — a sans-IO TLS 1.3 engine (RFC 8446 / RFC 9846): `ClientConnection` and
 * `ServerConnection` made from immutable configs, fed bytes and asked for bytes and events.
 */
export { ClientConnection, type ClientConnectionOptions } from './client/client.js';
export { ServerConnection, type ServerConnectionOptions } from './server/server.js';
export type { Connection, FinishedMessages } from './connection.js';
export {
  clientConfig, serverConfig, DEFAULT_GROUPS, DEFAULT_SIGNATURE_SCHEMES,
  type ClientConfig, type ClientConfigOptions, type ServerConfig, type ServerConfigOptions, type ClientCertificate, type ServerCertificate, type HookedMessage, type KeyLog,
  type CertificateResolver, type CertificateResolverRequest,
} from './config.js';
export type { TlsEvent, HandshakeInfo } from './events.js';
export { TlsError } from './errors.js';
export type { CertificateVerifier, CertificateVerifyRequest, CertificateVerifyResult } from './verifier.js';
export { signerFromPrivateKey, schemesForKey, type Signer } from './signer.js';
export {
  createMemoryTicketStore, encodeSession, decodeSession, MAX_TICKET_LIFETIME,
  type ClientTicket, type ClientTicketStore, type MemoryTicketStoreOptions, type ServerTicketState, type TicketSealer,
} from './tickets.js';
export { createTicketKeys, createTicketSealer, type TicketKey, type TicketKeys, type TicketKeysOptions } from './server/ticket-keys.js';
export { createMemorySessionStore, type MemorySessionStoreOptions, type ServerSessionStore } from './server/session-store.js';
export { createStrikeRegister, type AntiReplay, type StrikeRegister, type StrikeRegisterOptions } from './server/anti-replay.js';
export { importExternalPsk, type ExternalPsk, type ExternalPskSelector, type PskHash, type PskImportInput } from './psk.js';
export { CipherSuite, ALL_CIPHER_SUITES, type CipherSuiteName } from './suites.js';
export { AlertDescription, ContentType, HandshakeType, ExtensionType, type AlertDescriptionName } from './constants.js';
export type { Extension } from './messages/extensions.js';
export type { PaddingPolicy } from './record/fragmenter.js';
/** Engine internals for @puretls/dtls (not a stable API). */
export * as _internal from './internal.js';
