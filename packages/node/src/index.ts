/**
 * @puretls/node — puretls on Node's sockets with the node:tls API shape: `connect`, `createServer`,
 * `TLSSocket` (also over an existing socket for STARTTLS), `createSecureContext`, and a `connect`
 * that works as `createConnection` for `https.request` / `https.Agent`.
 */
export { connect, type ConnectOptions, type NetOptions } from './connect.js';
export { createServer, Server, type ServerOptions, type SetSecureContextOptions } from './server.js';
export { TLSSocket } from './tls-socket.js';
export type { TLSSocketOptions, ClientOptions, ServerSideOptions, CommonOptions } from './options.js';
export { peekServerName } from './sni.js';
export { createSecureContext, SecureContext, type SecureContextOptions } from './secure-context.js';
export { defaultTrustStore } from './trust.js';
export { encodeSession, decodeSession } from './session.js';
export { keyLogLine, type KeyLogCallback } from './keylog.js';
export type { PeerCertificate } from './peer-certificate.js';
export { groupsFrom, cipherSuitesFrom, signatureSchemesFrom, OPENSSL_GROUP_NAME } from './names.js';
export { generateCertificate, type GeneratedCertificate, type GenerateCertificateOptions, type TestKeyType } from './certificates.js';
export { createConnection, Agent } from './https.js';
