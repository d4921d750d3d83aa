/** HelloRetryRequest on the server (RFC 8446 §4.1.4) and the checks on the second ClientHello. */
import type { NamedGroupName } from '@puretls/crypto';
import { bytesEqual } from '@puretls/wire';
import { ExtensionType as E, HELLO_RETRY_REQUEST_RANDOM, TLS12, TLS13 } from '../constants.js';
import { fail } from '../errors.js';
import { groupCode } from '../groups.js';
import type { ClientHello } from '../messages/client-hello.js';
import { encodeHandshake, messageHash } from '../messages/handshake.js';
import { makeStatelessCookie, openStatelessCookie } from './cookie.js';
import { encode, findExtension, parseBody, readKeyShareCH, type Extension } from '../messages/extensions.js';
import type { CipherSuite as Suite } from '../suites.js';
import { offeredTicketEarlyLimit } from './psk.js';
import { skipEarlyBudget, type Retry, type Shared } from './shared.js';
import { variantOf, type ProtocolVariant } from '../variant.js';

/** RFC 8446 §4.1.2: the second ClientHello repeats the first except for the allowed changes. */
/** RFC 8446 §4.1.2: the second ClientHello repeats the first except for the allowed changes. */
export function checkSecondHello(ch: ClientHello, retry: Retry): void {
  const ch1 = retry.clientHello1;
  if (ch1 !== undefined && (!bytesEqual(ch.random, ch1.random) || !bytesEqual(ch.legacySessionId, ch1.legacySessionId))) {
    fail('HRR_CLIENT_HELLO_CHANGED', 'illegal_parameter', 'second ClientHello changed random or session id');
  }
  const shares = findExtension(ch.extensions, E.key_share);
  const list = shares === undefined ? [] : parseBody(shares.data, readKeyShareCH, 'key_share');
  if (retry.group !== undefined && (list.length !== 1 || list[0]?.group !== groupCode(retry.group))) {
    fail('HRR_KEY_SHARE_MISMATCH', 'illegal_parameter', 'second ClientHello must carry exactly the requested key share');
  }
  const cookie = findExtension(ch.extensions, E.cookie);
  if (retry.cookie !== undefined) {
    const echoed = cookie === undefined ? undefined : parseBody(cookie.data, (r) => r.vec16(1), 'cookie');
    if (echoed === undefined || !bytesEqual(echoed, retry.cookie)) fail('HRR_COOKIE_MISMATCH', 'illegal_parameter', 'second ClientHello does not echo the cookie');
  } else if (cookie !== undefined) {
    fail('UNSOLICITED_COOKIE', 'illegal_parameter', 'second ClientHello carries a cookie that was not sent');
  }
}

export function sendHelloRetry(s: Shared, ch: ClientHello, raw: Uint8Array, suite: Suite, group: NamedGroupName | undefined, earlyOffered: boolean): Retry {
  s.transcript.update(raw);
  const h1 = s.transcript.current();
  const sr = s.config.statelessRetry;
  const cookie = sr !== undefined ? makeStatelessCookie(s.config, sr.key, h1, suite, group === undefined ? 0 : groupCode(group)) : s.config.helloRetryCookie?.(h1);
  s.transcript.restartWithMessageHash();
  const variant = variantOf(s.config);
  const hrr = s.io.send(helloRetryRequest(ch.legacySessionId, suite, group, cookie, variant));
  s.transcript.update(hrr);
  if (ch.legacySessionId.length > 0 && !s.ccsSent && !variant.datagram) {
    s.io.sendCcs();
    s.ccsSent = true;
  }
  // RFC 8446 §4.2.10: 0-RTT sent with ClientHello1 is skipped (cleartext records, no keys).
  s.io.skipEarlyData(earlyOffered ? { remaining: skipEarlyBudget(s.config, offeredTicketEarlyLimit(s, ch)), trialDecrypt: false } : null);
  return { suite, group, cookie, clientHello1: ch };
}

/** The HelloRetryRequest this server sends: deterministic, so a stateless retry can rebuild it. */
function helloRetryRequest(sessionId: Uint8Array, suite: Suite, group: NamedGroupName | undefined, cookie: Uint8Array | undefined, variant: ProtocolVariant): Uint8Array {
  const exts: Extension[] = group === undefined ? [] : [{ type: E.key_share, data: encode((w) => w.u16(groupCode(group))) }];
  if (cookie !== undefined) exts.push({ type: E.cookie, data: encode((w) => w.vec16(cookie, 1)) });
  exts.push({ type: E.supported_versions, data: encode((w) => w.u16(variant.datagram ? variant.version : TLS13)) });
  // RFC 9147 §5, §5.4: DTLS echoes no session id and says 0xfefd.
  const legacyVersion = variant.datagram ? variant.legacyVersion : TLS12;
  const legacySessionIdEcho = variant.datagram ? new Uint8Array(0) : sessionId;
  return encodeHandshake({
    type: 'server_hello',
    body: { legacyVersion, random: HELLO_RETRY_REQUEST_RANDOM, legacySessionIdEcho, cipherSuite: suite.code, legacyCompressionMethod: 0, extensions: exts, isHelloRetryRequest: true },
  });
}

/**
 * A second ClientHello carrying a stateless cookie, on a connection that kept no state: the cookie is
 * verified and the transcript rebuilt as message_hash(Hash(ClientHello1)) + HelloRetryRequest.
 */
export function resumeStatelessRetry(s: Shared, ch: ClientHello): Retry | undefined {
  const sr = s.config.statelessRetry;
  const ext = findExtension(ch.extensions, E.cookie);
  if (sr === undefined || ext === undefined) return undefined;
  const cookie = parseBody(ext.data, (r) => r.vec16(1), 'cookie').slice();
  const st = openStatelessCookie(s.config, sr.key, sr.lifetime, cookie);
  s.transcript.setHash(st.suite.hash);
  s.transcript.update(messageHash(st.clientHello1Hash));
  const variant = variantOf(s.config);
  s.transcript.update(helloRetryRequest(ch.legacySessionId, st.suite, st.group, cookie, variant));
  // The CCS of compatibility mode went out with the HelloRetryRequest.
  s.ccsSent = ch.legacySessionId.length > 0 && !variant.datagram;
  return { suite: st.suite, group: st.group, cookie, clientHello1: undefined };
}
