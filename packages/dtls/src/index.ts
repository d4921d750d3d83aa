/**
 * @puretls/dtls — a sans-IO DTLS 1.3 engine (RFC 9147, with RFC 9146 connection IDs) that reuses the
 * TLS 1.3 handshake states, codecs and key schedule of @puretls/tls. Datagrams in
 * (`feedDatagram(bytes, now)`), datagrams out (`pullDatagram()`), timers on the caller's clock
 * (`nextTimeout()`, `onTimeout(now)`).
 */
export { DtlsClientConnection, type DtlsClientOptions } from './client.js';
export { DtlsServerConnection, type DtlsServerOptions } from './server.js';
export { DtlsConnection } from './connection.js';
export {
  dtlsClientConfig, dtlsServerConfig, DTLS_DEFAULT_SUITES,
  type DtlsClientConfig, type DtlsClientConfigOptions, type DtlsServerConfig, type DtlsServerConfigOptions, type DatagramOptions, type CookieOptions,
} from './config.js';
export { screenDatagram, type ScreenResult } from './cookie.js';
export type { DtlsEvent, DtlsHandshakeInfo } from './events.js';
export type { DtlsTrace, DtlsTracer, HandshakeFragmentTrace } from './trace.js';
export type { RecordNumber } from './ack.js';
export { DEFAULT_MTU } from './constants.js';
