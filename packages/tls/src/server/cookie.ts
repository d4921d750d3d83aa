/**
 * Stateless HelloRetryRequest (RFC 8446 §4.2.2): the cookie carries Hash(ClientHello1), the suite and
 * the group, authenticated with HMAC-SHA256 under a server key, so that any ServerConnection made
 * from the same config can take the second ClientHello and rebuild the transcript
 * (message_hash + HelloRetryRequest) without having kept state.
 */
import { constantTimeEqual } from '@puretls/crypto';
import { Reader, Writer } from '@puretls/wire';
import type { ServerConfig } from '../config.js';
import { fail } from '../errors.js';
import { groupByCode } from '../groups.js';
import { cipherSuiteByCode, type CipherSuite as Suite } from '../suites.js';
import type { NamedGroupName } from '@puretls/crypto';

const VERSION = 1;

export function makeStatelessCookie(cfg: ServerConfig, key: Uint8Array, clientHello1Hash: Uint8Array, suite: Suite, groupCode: number): Uint8Array {
  const w = new Writer();
  w.u8(VERSION).u64(BigInt(Math.floor(cfg.now()))).u16(suite.code).u16(groupCode).vec8(clientHello1Hash);
  const body = w.finish();
  const mac = cfg.provider.hmac('SHA-256', key, body);
  const out = new Uint8Array(body.length + mac.length);
  out.set(body);
  out.set(mac, body.length);
  return out;
}

export interface StatelessRetryState {
  readonly clientHello1Hash: Uint8Array;
  readonly suite: Suite;
  /** Undefined for a cookie-only HelloRetryRequest (DTLS, RFC 9147 §5.1): no key_share was asked for. */
  readonly group: NamedGroupName | undefined;
}

/** Verifies a cookie from a second ClientHello; a forged, stale or foreign cookie is fatal. */
export function openStatelessCookie(cfg: ServerConfig, key: Uint8Array, lifetimeMs: number, cookie: Uint8Array): StatelessRetryState {
  if (cookie.length < 32 + 1) fail('BAD_COOKIE', 'illegal_parameter', 'cookie too short');
  const body = cookie.subarray(0, cookie.length - 32);
  const mac = cookie.subarray(cookie.length - 32);
  // RFC 8446 §4.2.2: the server must be able to verify the cookie it issued.
  if (!constantTimeEqual(cfg.provider.hmac('SHA-256', key, body), mac)) fail('BAD_COOKIE', 'illegal_parameter', 'cookie does not authenticate');
  const r = new Reader(body);
  if (r.u8() !== VERSION) fail('BAD_COOKIE', 'illegal_parameter', 'unknown cookie version');
  const issued = Number(r.u64());
  const suite = cipherSuiteByCode(r.u16());
  const groupCode = r.u16();
  const group = groupCode === 0 ? undefined : groupByCode(groupCode);
  const clientHello1Hash = r.vec8(1).slice();
  r.end('cookie');
  const age = cfg.now() - issued;
  if (age < 0 || age > lifetimeMs) fail('STALE_COOKIE', 'illegal_parameter', 'cookie has expired');
  if (suite === undefined || (groupCode !== 0 && (group === undefined || !cfg.groups.includes(group))) || !cfg.cipherSuites.includes(suite.name)) {
    fail('BAD_COOKIE', 'illegal_parameter', 'cookie names a suite or group no longer enabled');
  }
  if (clientHello1Hash.length !== suite.hashLength) fail('BAD_COOKIE', 'illegal_parameter', 'cookie hash length does not fit its suite');
  return { clientHello1Hash, suite, group };
}
