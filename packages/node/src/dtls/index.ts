/**
 * @puretls/node/dtls — DTLS 1.3 over node:dgram: `connect` (a client on its own UDP socket) and
 * `createServer` (many peers on one socket). The protocol engine is @puretls/dtls; configs come from
 * its `dtlsClientConfig()` / `dtlsServerConfig()`, re-exported here.
 */
export { connect, type DtlsConnectOptions, type DtlsClientSocket } from './connect.js';
export { createServer, DtlsServer, type DtlsServerOptions } from './server.js';
export { DtlsSocket } from './socket.js';
export type { ClientTicket } from '@puretls/tls';
export {
  dtlsClientConfig, dtlsServerConfig, type DtlsClientConfig, type DtlsServerConfig, type DtlsClientConfigOptions, type DtlsServerConfigOptions, type DtlsTrace, type DtlsTracer,
} from '@puretls/dtls';
