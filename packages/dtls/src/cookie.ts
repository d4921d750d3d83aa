/**
 * Stateless cookies (RFC 9147 §5.1): a server answers a cookie-less ClientHello with a
 * HelloRetryRequest carrying an HMAC-authenticated cookie and keeps no state. The cookie is the TLS
 * engine's stateless-retry cookie (Hash(ClientHello1), suite, group, time, HMAC-SHA256); its key is
 * derived from the server secret, the rotation period and the client's address, so a cookie is only
 * good from the address it was sent to, and a key rotation keeps the previous period valid.
 * A cookie-less ClientHello offering 0-RTT with a PSK goes to a connection when the server accepts
 * 0-RTT at all: it skips the exchange if it accepts the early data (RFC 9147 §5.1 allows that for a
 * PSK handshake), and sends the HelloRetryRequest itself otherwise.
 */
import { constantTimeEqual } from '@puretls/crypto';
import { _internal } from '@puretls/tls';
import type { DtlsServerConfig } from './config.js';
import { ContentType, HS_CLIENT_HELLO } from './constants.js';
import { DtlsServerConnection } from './server.js';
import { parseFragments, tlsForm } from './handshake/framing.js';
import { parseDatagram } from './record/records.js';

const COOKIE_EXTENSION = 44;
const EARLY_DATA_EXTENSION = 42;
const PRE_SHARED_KEY_EXTENSION = 41;

function periodKey(config: DtlsServerConfig, period: number, peer: Uint8Array): Uint8Array {
  const c = config.cookies as NonNullable<DtlsServerConfig['cookies']>;
  const data = new Uint8Array(8 + peer.length);
  new DataView(data.buffer).setFloat64(0, period);
  data.set(peer, 8);
  return config.provider.hmac('SHA-256', c.secret, data);
}

/** The config a connection for `peer` uses: the stateless-retry key of the period its cookie was made in. */
export function configForPeer(config: DtlsServerConfig, peer: Uint8Array, cookie: Uint8Array | undefined): DtlsServerConfig {
  const c = config.cookies;
  if (c === undefined) return config;
  const period = Math.floor(config.now() / c.rotation);
  let key = periodKey(config, period, peer);
  if (cookie !== undefined && !cookieMacOk(config, key, cookie)) {
    const prev = periodKey(config, period - 1, peer);
    if (cookieMacOk(config, prev, cookie)) key = prev;
  }
  return Object.freeze({ ...config, statelessRetry: { key, lifetime: 2 * c.rotation } });
}

function cookieMacOk(config: DtlsServerConfig, key: Uint8Array, cookie: Uint8Array): boolean {
  if (cookie.length < 33) return false;
  const body = cookie.subarray(0, cookie.length - 32);
  return constantTimeEqual(config.provider.hmac('SHA-256', key, body), cookie.subarray(cookie.length - 32));
}

interface HelloFacts {
  /** Its cookie extension, if any. */
  readonly cookie: Uint8Array | undefined;
  /** It offers 0-RTT with a PSK (RFC 8446 §4.2.10). */
  readonly zeroRtt: boolean;
}

/** The first ClientHello of a datagram: its cookie and 0-RTT offer, or null if there is no whole ClientHello. */
export function clientHelloFacts(datagram: Uint8Array): HelloFacts | null {
  for (const r of parseDatagram(datagram, 0).records) {
    if (r.kind !== 'plaintext' || r.type !== ContentType.handshake || r.epoch !== 0) continue;
    for (const f of parseFragments(r.fragment) ?? []) {
      if (f.type !== HS_CLIENT_HELLO || f.offset !== 0 || f.data.length !== f.length) continue;
      try {
        const m = _internal.parseHandshake(tlsForm(f.type, f.data), true);
        if (m.type !== 'client_hello') return null;
        const ext = _internal.findExtension(m.body.extensions, COOKIE_EXTENSION);
        const has = (t: number): boolean => _internal.findExtension(m.body.extensions, t) !== undefined;
        return {
          cookie: ext === undefined ? undefined : _internal.parseBody(ext.data, (x) => x.vec16(1), 'cookie').slice(),
          zeroRtt: has(EARLY_DATA_EXTENSION) && has(PRE_SHARED_KEY_EXTENSION),
        };
      } catch {
        return null;
      }
    }
  }
  return null;
}

export type ScreenResult =
  /** Not a usable ClientHello: ignore it. */
  | { readonly action: 'drop' }
  /** Send these datagrams (a HelloRetryRequest with a cookie, or an alert) and keep no state. */
  | { readonly action: 'reply'; readonly datagrams: readonly Uint8Array[] }
  /** Create `new DtlsServerConnection(config, { peer })` and feed it this datagram. */
  | { readonly action: 'accept' };

/**
 * What a server should do with a datagram from an address it has no association with
 * (RFC 9147 §5.1, §5.11), without keeping any state. `peer` identifies the address (any bytes).
 */
export function screenDatagram(config: DtlsServerConfig, datagram: Uint8Array, peer: Uint8Array, now: number): ScreenResult {
  if (!(datagram instanceof Uint8Array)) throw new TypeError('datagram must be a Uint8Array');
  if (!(peer instanceof Uint8Array)) throw new TypeError('peer must be a Uint8Array');
  const hello = clientHelloFacts(datagram);
  if (hello === null) return { action: 'drop' };
  if (config.cookies === undefined) return { action: 'accept' };
  const cookie = hello.cookie;
  // The connection decides (its anti-replay check must run once, on the connection that goes on).
  if (cookie === undefined && hello.zeroRtt && config.maxEarlyDataSize > 0) return { action: 'accept' };
  if (cookie !== undefined) {
    const cfg = configForPeer(config, peer, cookie);
    const sr = cfg.statelessRetry as NonNullable<DtlsServerConfig['statelessRetry']>;
    // A bad cookie fails in the connection with illegal_parameter (RFC 9147 §5.1); a good one is accepted.
    if (cookieMacOk(cfg, sr.key, cookie)) return { action: 'accept' };
  }
  const probe = new DtlsServerConnection(config, { peer, now });
  probe.feedDatagram(datagram, now);
  const out: Uint8Array[] = [];
  for (let d = probe.pullDatagram(); d !== null; d = probe.pullDatagram()) out.push(d);
  return out.length === 0 ? { action: 'drop' } : { action: 'reply', datagrams: out };
}
