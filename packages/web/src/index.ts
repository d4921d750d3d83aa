/**
 * @puretls/web — TLS 1.3 over Web Streams for browsers, Deno, Bun and Workers: `startTls` /
 * `acceptTls` over any `{ readable, writable }` byte transport, `webSocketTransport` for pages (through
 * a WebSocket-to-TCP relay), and config helpers. Deno's TCP `connect()` is in `@puretls/web/deno`.
 */
export { startTls, acceptTls, type StartTlsOptions, type AcceptTlsOptions } from './start.js';
export { drive, type TlsStream, type TlsTransport, type DriveOptions } from './tls-stream.js';
export { TlsStreamError, TransportClosedError, type TlsStreamErrorCode } from './errors.js';
export { webSocketTransport, type WebSocketTransportOptions } from './websocket.js';
export {
  webClientConfig,
  webServerConfig,
  selectWebProvider,
  WEB_CIPHER_SUITES,
  WEB_CRYPTO_CIPHER_SUITES,
  webCipherSuites,
  type WebProviderChoice,
  type WebClientConfigOptions,
  type WebServerConfigOptions,
  type WebServerCertificate,
} from './config.js';
export { memoryPipe } from './memory-pipe.js';
