/** `startTls` / `acceptTls`: a TLS 1.3 client or server over a Web Streams transport. */
import { ClientConnection, ServerConnection, type ClientConfig, type ClientConnectionOptions, type ServerConfig } from '@puretls/tls';
import { drive, driveConnection, type DriveOptions, type TlsStream, type TlsTransport } from './tls-stream.js';

export interface StartTlsOptions extends ClientConnectionOptions, DriveOptions {
  /** From `clientConfig()` of @puretls/tls, or `webClientConfig()` for the usual defaults. */
  readonly config: ClientConfig;
}

export interface AcceptTlsOptions extends DriveOptions {
  /** From `serverConfig()` of @puretls/tls, or `webServerConfig()`. */
  readonly config: ServerConfig;
}

function connectionOptions(o: StartTlsOptions): ClientConnectionOptions {
  return {
    ...(o.serverName !== undefined ? { serverName: o.serverName } : {}),
    ...(o.session !== undefined ? { session: o.session } : {}),
    ...(o.earlyData !== undefined ? { earlyData: o.earlyData } : {}),
  };
}

/**
 * Starts a TLS client over `transport`; the ClientHello is sent at once. `earlyData` goes as 0-RTT
 * data with it; if the server does not accept it, it is sent again right after the handshake.
 */
export function startTls(transport: TlsTransport, options: StartTlsOptions): TlsStream {
  if (options === null || typeof options !== 'object') throw new TypeError('options must be an object');
  const connection = new ClientConnection(options.config, connectionOptions(options));
  // The engine checked it; our own copy, in case the caller reuses its buffer.
  const earlyData = options.earlyData?.slice();
  return driveConnection(connection, transport, options, earlyData);
}

/** Accepts a TLS client on `transport` (the server side). */
export function acceptTls(transport: TlsTransport, options: AcceptTlsOptions): TlsStream {
  if (options === null || typeof options !== 'object') throw new TypeError('options must be an object');
  return drive(new ServerConnection(options.config), transport, options);
}
