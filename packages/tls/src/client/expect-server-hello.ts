/** ExpectServerHello: the ServerHello or a HelloRetryRequest (RFC 8446 §4.1.3, §4.1.4). */
import type { NamedGroupName } from '@puretls/crypto';
import { bytesEqual } from '@puretls/wire';
import { ExtensionType as E, TLS12, TLS13 } from '../constants.js';
import { prepared, type State, type Step } from '../state.js';
import { fail } from '../errors.js';
import { groupByCode, groupCode } from '../groups.js';
import { EarlySecret } from '../key-schedule/secrets.js';
import { findExtension, parseBody, readKeyShareEntry } from '../messages/extensions.js';
import type { RawHandshake } from '../messages/handshake.js';
import type { ServerHello } from '../messages/server-hello.js';
import { CipherSuite, cipherSuiteByCode, type CipherSuite as Suite } from '../suites.js';
import { variantOf } from '../variant.js';
import { ExpectEncryptedExtensions } from './expect-encrypted-extensions.js';
import { checkSolicited, ksFor, newKeyPair, sendClientHello, unexpected, type HandshakeCtx, type Shared } from './shared.js';

export class ExpectServerHello implements State {
  readonly name = 'ExpectServerHello';
  constructor(
    private readonly s: Shared,
    /** After a HelloRetryRequest: its suite and selected group. */
    private readonly retry: { suite: Suite; group: NamedGroupName | undefined } | undefined,
  ) {}

  handle(m: RawHandshake): Step {
    if (m.type !== 'server_hello') unexpected(this.name, m);
    const s = this.s;
    const sh = m.body;
    // RFC 9846 §4.2.4: a second HelloRetryRequest is an unexpected_message, before any of its fields
    // is looked at (a suite unlike the first one's would otherwise be reported as illegal_parameter).
    if (sh.isHelloRetryRequest && s.helloRetry) fail('SECOND_HELLO_RETRY', 'unexpected_message', 'second HelloRetryRequest');
    // RFC 9846 §4.3.1: the version is said by supported_versions only; without it this is not TLS 1.3.
    const sv = findExtension(sh.extensions, E.supported_versions);
    if (sv === undefined) fail('VERSION_NOT_TLS13', 'protocol_version', 'server did not select TLS 1.3 (no supported_versions)');
    const version = parseBody(sv.data, (r) => r.u16(), 'supported_versions');
    const variant = variantOf(s.config);
    // RFC 9147 §5.4: DTLS 1.3 says 0xfefc here and 0xfefd in legacy_version.
    if (version !== (variant.datagram ? variant.version : TLS13)) fail('BAD_SELECTED_VERSION', 'illegal_parameter', `server selected version 0x${version.toString(16)}`);
    // RFC 9846 §4.2.3, Appendix E: a TLS 1.3 ServerHello (or HelloRetryRequest, §4.2.4) with a
    // legacy_version other than 0x0303 is a protocol_version, even though §4.3.1 has it ignored for
    // choosing the version (it is: the version was taken from supported_versions above).
    if (sh.legacyVersion !== (variant.datagram ? variant.legacyVersion : TLS12)) fail('BAD_LEGACY_VERSION', 'protocol_version', `ServerHello legacy_version 0x${sh.legacyVersion.toString(16)}`);
    if (!bytesEqual(sh.legacySessionIdEcho, s.sessionId)) fail('SESSION_ID_MISMATCH', 'illegal_parameter', 'legacy_session_id_echo differs from what was sent');
    if (sh.legacyCompressionMethod !== 0) fail('BAD_COMPRESSION', 'illegal_parameter', 'ServerHello compression method is not null');
    const suite = cipherSuiteByCode(sh.cipherSuite);
    if (suite === undefined || !s.config.cipherSuites.includes(suite.name)) {
      fail('SUITE_NOT_OFFERED', 'illegal_parameter', `server selected cipher suite 0x${sh.cipherSuite.toString(16)} that was not offered`);
    }
    checkSolicited(s, sh.extensions, sh.isHelloRetryRequest ? 'HelloRetryRequest' : 'ServerHello', sh.isHelloRetryRequest);
    if (this.retry !== undefined && suite !== this.retry.suite) {
      // RFC 8446 §4.1.4: the ServerHello must keep the HelloRetryRequest's suite.
      fail('SUITE_CHANGED_AFTER_HRR', 'illegal_parameter', 'ServerHello cipher suite differs from the HelloRetryRequest');
    }
    // The suite's AEAD, and the group a HelloRetryRequest asks for, may still have to load.
    const needs = { aeads: [suite.aead], groups: sh.isHelloRetryRequest ? retryGroup(s, sh) : [] };
    return prepared(s.config.provider, needs, () => (sh.isHelloRetryRequest ? this.helloRetry(m.raw, sh, suite) : this.serverHello(m.raw, sh, suite)));
  }

  private helloRetry(raw: Uint8Array, hrr: ServerHello, suite: Suite): Step {
    const s = this.s;
    s.helloRetry = true;
    let group: NamedGroupName | undefined;
    const ks = findExtension(hrr.extensions, E.key_share);
    if (ks !== undefined) {
      const code = parseBody(ks.data, (r) => r.u16(), 'key_share');
      const name = groupByCode(code);
      // RFC 8446 §4.2.8: the group must be offered in supported_groups and not already have a share.
      if (name === undefined || !s.config.groups.includes(name)) fail('HRR_GROUP_NOT_OFFERED', 'illegal_parameter', `HelloRetryRequest selects group ${code} that was not offered`);
      if (s.keyShares.some((k) => k.group === name)) fail('HRR_GROUP_ALREADY_SHARED', 'illegal_parameter', `HelloRetryRequest selects ${name}, for which a share was sent`);
      group = name;
    }
    const cookieExt = findExtension(hrr.extensions, E.cookie);
    const cookie = cookieExt === undefined ? undefined : parseBody(cookieExt.data, (r) => r.vec16(1), 'cookie').slice();
    // RFC 8446 §4.1.4: a HelloRetryRequest that would not change the ClientHello is illegal.
    if (group === undefined && cookie === undefined) fail('HRR_NO_CHANGE', 'illegal_parameter', 'HelloRetryRequest changes nothing');
    if (s.session !== undefined && CipherSuite[s.session.cipherSuite].hash !== suite.hash) s.session = undefined;
    if (s.externalPsk !== undefined && s.externalPsk.hash !== suite.hash) s.externalPsk = undefined;
    s.transcript.setHash(suite.hash);
    // RFC 8446 §4.4.1: ClientHello1 becomes message_hash.
    s.transcript.restartWithMessageHash();
    s.transcript.update(raw);
    if (s.earlyDataSent) s.io.emitEarlyDataRejected();
    s.io.clearWriteKeys();
    s.io.setRecordVersion(TLS12);
    // RFC 8446 §D.4: in compatibility mode the CCS goes before the second flight.
    if (s.config.compatibilityMode && !s.ccsSent) {
      s.io.sendCcs();
      s.ccsSent = true;
    }
    if (group !== undefined) s.keyShares = [{ group, keyPair: newKeyPair(s, group) }];
    sendClientHello(s, cookie);
    return new ExpectServerHello(s, { suite, group });
  }

  private serverHello(raw: Uint8Array, sh: ServerHello, suite: Suite): Step {
    const s = this.s;
    let psk: Uint8Array | undefined;
    const pskExt = findExtension(sh.extensions, E.pre_shared_key);
    if (pskExt !== undefined) {
      const index = parseBody(pskExt.data, (r) => r.u16(), 'pre_shared_key');
      // RFC 8446 §4.2.11: the index must be within the offered list and the hash must match.
      const offered = s.session ?? s.externalPsk;
      if (offered === undefined || index !== 0) fail('PSK_INDEX_INVALID', 'illegal_parameter', `server selected PSK identity ${index} that was not offered`);
      const pskHash = s.session !== undefined ? CipherSuite[s.session.cipherSuite].hash : s.externalPsk?.hash;
      if (pskHash !== suite.hash) fail('PSK_SUITE_MISMATCH', 'illegal_parameter', 'selected suite hash differs from the PSK hash');
      psk = s.session !== undefined ? s.session.psk : s.externalPsk?.secret;
    }
    let shared: Uint8Array | null = null;
    let group: NamedGroupName | null = null;
    const ksExt = findExtension(sh.extensions, E.key_share);
    if (ksExt !== undefined) {
      const entry = parseBody(ksExt.data, readKeyShareEntry, 'key_share');
      const mine = s.keyShares.find((k) => groupCode(k.group) === entry.group);
      // RFC 8446 §4.2.8: the server's share must be for a group the client sent a share for.
      if (mine === undefined) fail('KEY_SHARE_GROUP_NOT_OFFERED', 'illegal_parameter', `server key share for group ${entry.group} that has no client share`);
      if (this.retry?.group !== undefined && mine.group !== this.retry.group) fail('HRR_GROUP_MISMATCH', 'illegal_parameter', 'ServerHello group differs from the HelloRetryRequest');
      shared = s.config.provider.group(mine.group).sharedSecret(mine.keyPair.privateKey, entry.keyExchange);
      group = mine.group;
    } else if (psk === undefined) {
      fail('MISSING_KEY_SHARE', 'missing_extension', 'ServerHello without key_share');
    } else if (!s.config.allowPskOnlyResumption) {
      // RFC 9846 §4.3.11: we offered psk_dhe_ke only, which needs the server's key_share.
      fail('PSK_DHE_WITHOUT_KEY_SHARE', 'illegal_parameter', 'ServerHello accepts the PSK without key_share, but only psk_dhe_ke was offered');
    }
    s.transcript.setHash(suite.hash);
    s.transcript.update(raw);
    const ks = ksFor(s, suite);
    const hs = new EarlySecret(ks, psk).toHandshake(shared);
    const h = s.transcript.current();
    const chts = hs.clientHandshakeTrafficSecret(h);
    const shts = hs.serverHandshakeTrafficSecret(h);
    s.io.keyLog('CLIENT_HANDSHAKE_TRAFFIC_SECRET', chts);
    s.io.keyLog('SERVER_HANDSHAKE_TRAFFIC_SECRET', shts);
    s.io.setReadKeys(ks, suite, shts);
    s.io.handshakeWriteSecretKnown?.(ks, suite, chts);
    const ctx: HandshakeCtx = { s, suite, ks, hs, chts, shts, group, resumed: psk !== undefined, alpn: null, earlyAccepted: false, certRequest: null, peerChain: [], scheme: null };
    return new ExpectEncryptedExtensions(ctx);
  }
}

/** The offered group a HelloRetryRequest selects, if it is one (helloRetry() checks it properly). */
function retryGroup(s: Shared, hrr: ServerHello): NamedGroupName[] {
  const ks = findExtension(hrr.extensions, E.key_share);
  if (ks === undefined || ks.data.length !== 2) return [];
  const name = groupByCode(((ks.data[0] as number) << 8) | (ks.data[1] as number));
  return name !== undefined && s.config.groups.includes(name) ? [name] : [];
}
