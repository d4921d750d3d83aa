/**
 * DTLS configurations: a TLS 1.3 config (from `clientConfig()` / `serverConfig()`) marked with the
 * DTLS 1.3 variant, plus the datagram settings (MTU, timers, CIDs, cookies). Immutable and shareable.
 */
import { _internal, clientConfig, serverConfig, type CipherSuiteName, type ClientConfig, type ClientConfigOptions, type ServerConfig, type ServerConfigOptions } from '@puretls/tls';
import { DEFAULT_MTU, DEFAULT_RETRANSMIT_INITIAL, DEFAULT_RETRANSMIT_MAX } from './constants.js';
import type { DtlsTracer } from './trace.js';

/**
 * RFC 9147 §4.5.3: TLS_AES_128_CCM_8_SHA256 MUST NOT be used without extra safeguards against
 * forgery, so it is left out unless asked for.
 */
export const DTLS_DEFAULT_SUITES: readonly CipherSuiteName[] = ['TLS_AES_128_GCM_SHA256', 'TLS_AES_256_GCM_SHA384', 'TLS_CHACHA20_POLY1305_SHA256', 'TLS_AES_128_CCM_SHA256'];

export interface DatagramOptions {
  /** Bytes of UDP payload per datagram (default 1200). */
  readonly mtu?: number;
  /** RFC 9147 §5.8.2 timer: initial value in ms (default 1000) and cap (default 60000). */
  readonly retransmitInitial?: number;
  readonly retransmitMax?: number;
  /** Retransmissions of one flight without an answer before the connection fails (default 12: 13 transmissions). */
  readonly maxRetransmissions?: number;
  /**
   * Length of the connection IDs we ask the peer to send to us (RFC 9146). The client offers the
   * extension by default with an empty CID (RFC 9147 §5.1); a server answers it only when this is set.
   */
  readonly connectionIdLength?: number;
  /** Records that fail authentication before the connection is closed (RFC 9147 §4.5.3). */
  readonly maxForgeryAttempts?: number;
  /**
   * Handshake records sent in one transmission of a flight (RFC 9147 §5.8.3 SHOULD NOT exceed 10;
   * default 10): the rest follows as the peer acknowledges. `Infinity` sends whole flights at once.
   */
  readonly maxRecordsPerTransmission?: number;
  /**
   * Server: bytes sent to an unproven address at most this many times the bytes received from it
   * (RFC 9147 §5.1; default 3). Irrelevant with cookies, which prove the address first.
   */
  readonly amplificationLimit?: number | false;
  /**
   * Called with the headers of every record sent and received, and of received records dropped
   * (for `-msg`-style diagnostics; see `DtlsTrace`). Never given keys, secrets or payloads.
   */
  readonly trace?: DtlsTracer;
}

export interface DatagramSettings {
  readonly mtu: number;
  readonly retransmitInitial: number;
  readonly retransmitMax: number;
  readonly maxRetransmissions: number;
  readonly connectionIdLength: number | undefined;
  readonly maxForgeryAttempts: number | undefined;
  readonly amplificationLimit: number | false;
  readonly maxRecordsPerTransmission: number;
  readonly trace: DtlsTracer | undefined;
}

export interface CookieOptions {
  /** 32-byte secret; per-period keys are derived from it and the client address (RFC 9147 §5.1). */
  readonly secret: Uint8Array;
  /** Key rotation period in ms (default 60000); a cookie from the previous period is still accepted. */
  readonly rotation?: number;
}

export type DtlsClientConfigOptions = Omit<ClientConfigOptions, 'compatibilityMode'> & DatagramOptions;
/**
 * `maxEarlyDataSize` > 0 accepts 0-RTT (RFC 9147 §6.1, epoch 1) under the TLS policy: tickets say
 * so, the ticket age must be fresh, and a replay is refused (the session store takes a ticket once;
 * with a ticket sealer, `antiReplay` — a strike register by default — refuses a binder seen twice).
 */
export type DtlsServerConfigOptions = Omit<ServerConfigOptions, 'statelessRetry' | 'helloRetryCookie'> &
  DatagramOptions & {
    /** Stateless HelloRetryRequest cookies (default: on, with a random secret); `false` turns them off. */
    readonly cookies?: CookieOptions | false;
  };

export interface DtlsClientConfig extends ClientConfig {
  readonly datagram: DatagramSettings;
}

export interface DtlsServerConfig extends ServerConfig {
  readonly datagram: DatagramSettings;
  readonly cookies: { readonly secret: Uint8Array; readonly rotation: number } | undefined;
}

function positiveInt(v: number | undefined, dflt: number, name: string, min = 1): number {
  const x = v ?? dflt;
  if (!Number.isInteger(x) || x < min) throw new RangeError(`options.${name} must be an integer >= ${min}`);
  return x;
}

function datagram(o: DatagramOptions, role: 'client' | 'server'): DatagramSettings {
  const mtu = positiveInt(o.mtu, DEFAULT_MTU, 'mtu', 256);
  if (mtu > 65507) throw new RangeError('options.mtu must be at most 65507');
  const retransmitInitial = positiveInt(o.retransmitInitial, DEFAULT_RETRANSMIT_INITIAL, 'retransmitInitial');
  const retransmitMax = positiveInt(o.retransmitMax, Math.max(DEFAULT_RETRANSMIT_MAX, retransmitInitial), 'retransmitMax', retransmitInitial);
  const cid = o.connectionIdLength ?? (role === 'client' ? 0 : undefined);
  if (cid !== undefined && (!Number.isInteger(cid) || cid < 0 || cid > 255)) throw new RangeError('options.connectionIdLength must be 0..255');
  if (o.maxForgeryAttempts !== undefined && (!Number.isInteger(o.maxForgeryAttempts) || o.maxForgeryAttempts < 1)) {
    throw new RangeError('options.maxForgeryAttempts must be a positive integer');
  }
  if (o.trace !== undefined && typeof o.trace !== 'function') throw new TypeError('options.trace must be a function');
  return Object.freeze({
    mtu,
    retransmitInitial,
    retransmitMax,
    maxRetransmissions: positiveInt(o.maxRetransmissions, 12, 'maxRetransmissions'),
    connectionIdLength: cid,
    maxForgeryAttempts: o.maxForgeryAttempts,
    amplificationLimit: amplification(o.amplificationLimit),
    maxRecordsPerTransmission: recordsPerTransmission(o.maxRecordsPerTransmission),
    trace: o.trace,
  });
}

function recordsPerTransmission(v: number | undefined): number {
  const x = v ?? 10;
  if (x !== Infinity && (!Number.isInteger(x) || x < 1)) throw new RangeError('options.maxRecordsPerTransmission must be a positive integer or Infinity');
  return x;
}

function amplification(v: number | false | undefined): number | false {
  if (v === false) return false;
  const x = v ?? 3;
  if (typeof x !== 'number' || !Number.isFinite(x) || x < 1) throw new RangeError('options.amplificationLimit must be a number >= 1 or false');
  return x;
}

export function dtlsClientConfig(o: DtlsClientConfigOptions): DtlsClientConfig {
  if (o === null || typeof o !== 'object') throw new TypeError('options must be an object');
  // RFC 9147 §5: no compatibility mode in DTLS.
  const base = clientConfig({ ...o, cipherSuites: o.cipherSuites ?? DTLS_DEFAULT_SUITES, compatibilityMode: false });
  return Object.freeze({ ...base, variant: _internal.DTLS13_VARIANT, datagram: datagram(o, 'client') });
}

export function dtlsServerConfig(o: DtlsServerConfigOptions): DtlsServerConfig {
  if (o === null || typeof o !== 'object') throw new TypeError('options must be an object');
  let cookies: DtlsServerConfig['cookies'];
  if (o.cookies !== false) {
    const secret = o.cookies?.secret ?? o.provider?.randomBytes(32);
    if (!(secret instanceof Uint8Array) || secret.length !== 32) throw new TypeError('options.cookies.secret must be a 32-byte Uint8Array');
    cookies = Object.freeze({ secret: secret.slice(), rotation: positiveInt(o.cookies?.rotation, 60000, 'cookies.rotation') });
  }
  // The TLS engine's stateless retry carries the cookie; its key is replaced per client (cookie.ts).
  const base = serverConfig({
    ...o,
    cipherSuites: o.cipherSuites ?? DTLS_DEFAULT_SUITES,
    ...(cookies === undefined ? {} : { statelessRetry: { key: new Uint8Array(32), lifetime: 2 * cookies.rotation } }),
  });
  return Object.freeze({ ...base, variant: _internal.DTLS13_VARIANT, datagram: datagram(o, 'server'), cookies });
}
