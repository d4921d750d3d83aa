/**
 * @puretls/tls — a sans-IO TLS 1.3 engine (RFC 8446 / RFC 9846): `ClientConnection` and
 * `ServerConnection` made from immutable configs, fed bytes and asked for bytes and events.
 */
export { ClientConnection, type ClientConnectionOptions } from './client/client.js';
export { ServerConnection } from './server/server.js';
export type { Connection } from './connection.js';
export {
  clientConfig, serverConfig, DEFAULT_GROUPS, DEFAULT_SIGNATURE_SCHEMES,
  type ClientConfig, type ClientConfigOptions, type ServerConfig, type ServerConfigOptions, type ClientCertificate, type ServerCertificate, type HookedMessage, type KeyLog,
} from './config.js';
export type { TlsEvent, HandshakeInfo } from './events.js';
export { TlsError } from './errors.js';
export type { CertificateVerifier, CertificateVerifyRequest, CertificateVerifyResult } from './verifier.js';
export { signerFromPrivateKey, schemesForKey, type Signer } from './signer.js';
export { createTicketSealer, createMemoryTicketStore, type ClientTicket, type ClientTicketStore, type ServerTicketState, type TicketSealer } from './tickets.js';
export { CipherSuite, ALL_CIPHER_SUITES, type CipherSuiteName } from './suites.js';
export { AlertDescription, ContentType, HandshakeType, ExtensionType, type AlertDescriptionName } from './constants.js';
export type { Extension } from './messages/extensions.js';
export type { PaddingPolicy } from './record/fragmenter.js';
