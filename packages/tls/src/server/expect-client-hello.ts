/**
 * ExpectClientHello: negotiation (RFC 8446 §4.1.1), then the server's whole first flight:
 * ServerHello, EncryptedExtensions, [CertificateRequest, Certificate, CertificateVerify], Finished.
 */
import { SignatureScheme, type NamedGroupName } from '@puretls/crypto';
import { ExtensionType as E, TLS12, TLS13 } from '../constants.js';
import { after, waitForProvider, type State, type Step } from '../state.js';
import { fail } from '../errors.js';
import { alpnMatch, utf8 } from '../bytes.js';
import { groupCode } from '../groups.js';
import { EarlySecret, finishedVerifyData, type KeyScheduleContext } from '../key-schedule/secrets.js';
import { signedContent } from '../messages/certificate-verify.js';
import {
  encode, findExtension, parseBody, readAlpnList, readKeyShareCH, readNamedGroupList, readRecordSizeLimit, readServerNameList,
  readSignatureSchemeList, readSupportedVersionsCH, writeAlpnList, writeKeyShareEntry, writeU16List, type Extension,
} from '../messages/extensions.js';
import { encodeHandshake, type RawHandshake } from '../messages/handshake.js';
import { variantOf } from '../variant.js';
import { resolveServerCertificates } from '../config.js';
import { ExpectCertificate } from './expect-certificate.js';
import { ExpectEndOfEarlyData } from './expect-end-of-early-data.js';
import { ExpectFinished, handshakeInfo } from './expect-finished.js';
import { checkSecondHello, resumeStatelessRetry, sendHelloRetry } from './hello-retry.js';
import { choosePsk, offeredPskHash, offeredTicketEarlyLimit, recheckResumedChain, refuseEarlyData } from './psk.js';
import { selectCertificate, selectGroup, selectSuite } from './select.js';
import { skipEarlyBudget, unexpected, type PskChoice, type Retry, type ServerCtx, type Shared } from './shared.js';
import type { ClientHello } from '../messages/client-hello.js';
import type { KeyShareEntry } from '../messages/extensions.js';
import type { CipherSuite as Suite } from '../suites.js';

export class ExpectClientHello implements State {
  readonly name = 'ExpectClientHello';
  #statelessRetry: { readonly retry: Retry | undefined } | undefined;
  #prepared = false;
  /** The PSK chosen for this hello, once chosen (and its client chain checked again, see below). */
  #psk: { readonly choice: PskChoice | undefined } | undefined;
  constructor(
    private readonly s: Shared,
    private readonly retry: Retry | undefined,
  ) {}

  handle(m: RawHandshake): Step {
    if (m.type !== 'client_hello') unexpected(this.name, m);
    const s = this.s;
    const cfg = s.config;
    const resolver = cfg.certificateResolver;
    if (resolver !== undefined && s.certificates === undefined) {
      // The certificates by SNI, once per connection, before any other choice (RFC 6066 §3).
      const sni = findExtension(m.body.extensions, E.server_name);
      const serverName = sni === undefined ? null : (parseBody(sni.data, readServerNameList, 'server_name') ?? null);
      const answer = resolver({ serverName });
      // A foreign thenable is awaited like a promise; a list (or undefined) is used at once.
      const pending = answer === undefined || Array.isArray(answer) || answer instanceof Promise ? answer : Promise.resolve(answer);
      return after('CertificateResolver', pending, (list) => {
        s.certificates = list === undefined || list.length === 0 ? cfg.certificates : resolveServerCertificates(cfg.provider, list, 'certificateResolver result');
        return this.handle(m);
      });
    }
    // RFC 9846 §5: a change_cipher_spec may arrive any time after the first ClientHello.
    s.io.allowCcs();
    const ch = m.body;
    const ext = (t: number): Extension | undefined => findExtension(ch.extensions, t);
    // RFC 8446 §4.2.1: without supported_versions listing 0x0304 this is not a TLS 1.3 hello.
    const sv = ext(E.supported_versions);
    if (sv === undefined) fail('NO_SUPPORTED_VERSIONS', 'protocol_version', 'ClientHello without supported_versions (TLS 1.2 or older)');
    const variant = variantOf(cfg);
    if (variant.datagram && (ch.legacyCookie === undefined || ch.legacyCookie.length !== 0)) {
      // RFC 9147 §5.3: a DTLS 1.3 server aborts on a non-empty legacy_cookie.
      fail('BAD_LEGACY_COOKIE', 'illegal_parameter', 'DTLS 1.3 ClientHello with a non-empty legacy_cookie');
    }
    if (!parseBody(sv.data, readSupportedVersionsCH, 'supported_versions').includes(variant.datagram ? variant.version : TLS13)) fail('TLS13_NOT_OFFERED', 'protocol_version', 'client does not offer TLS 1.3');
    // RFC 8446 §4.1.2: exactly the null compression method.
    if (ch.legacyCompressionMethods.length !== 1 || ch.legacyCompressionMethods[0] !== 0) {
      fail('BAD_COMPRESSION', 'illegal_parameter', 'ClientHello compression methods are not exactly [null]');
    }
    // Once per hello: it absorbs the cookie's transcript, and handle() runs again after a provider load.
    this.#statelessRetry ??= { retry: this.retry === undefined ? resumeStatelessRetry(s, ch) : undefined };
    const retry = this.retry ?? this.#statelessRetry.retry;
    if (retry !== undefined) checkSecondHello(ch, retry);
    const suite = retry?.suite ?? selectSuite(cfg, ch.cipherSuites, offeredPskHash(s, ch));
    if (!ch.cipherSuites.includes(suite.code)) fail('HRR_SUITE_DROPPED', 'illegal_parameter', 'second ClientHello no longer offers the selected suite');
    const ks: KeyScheduleContext = { provider: cfg.provider, hash: suite.hash, hashLength: suite.hashLength, labelPrefix: variant.labelPrefix };
    const sniExt = ext(E.server_name);
    const serverName = sniExt === undefined ? null : (parseBody(sniExt.data, readServerNameList, 'server_name') ?? null);

    let alpn: string | null = null;
    const alpnExt = ext(E.application_layer_protocol_negotiation);
    if (alpnExt !== undefined && cfg.alpnProtocols.length > 0) {
      const offered = parseBody(alpnExt.data, readAlpnList, 'alpn');
      // Ours in our order of preference, each compared as bytes with what the client offered.
      alpn = cfg.alpnProtocols.find((p) => offered.some((o) => alpnMatch([p], o) !== undefined)) ?? null;
      // RFC 7301 §3.2: no overlap is fatal.
      if (alpn === null) fail('NO_COMMON_ALPN', 'no_application_protocol', 'no application protocol in common');
    }

    // Key exchange (RFC 8446 §4.2.7, §4.2.8, §9.2).
    const groupsExt = ext(E.supported_groups);
    const sharesExt = ext(E.key_share);
    if ((groupsExt === undefined) !== (sharesExt === undefined)) {
      fail('MISSING_GROUPS_OR_SHARES', 'missing_extension', 'supported_groups and key_share must come together');
    }
    const supported = groupsExt === undefined ? [] : parseBody(groupsExt.data, readNamedGroupList, 'supported_groups');
    const shares = sharesExt === undefined ? [] : parseBody(sharesExt.data, readKeyShareCH, 'key_share');
    // A set: a hostile hello may list thousands of groups and shares.
    const supportedSet = new Set(supported);
    for (const e of shares) {
      if (!supportedSet.has(e.group)) fail('KEY_SHARE_NOT_IN_GROUPS', 'illegal_parameter', `key share for group ${e.group} not in supported_groups`);
    }
    const earlyOffered = ext(E.early_data) !== undefined;

    // A lazy provider may still have to load the suite's AEAD and the group we are going to use
    // (selected again below, where a failure counts): handle() runs again once they are in.
    let likelyGroup: NamedGroupName[] = [];
    try {
      const c = groupsExt === undefined ? undefined : selectGroup(cfg, supported, shares);
      if (c?.kind === 'share') likelyGroup = [c.group];
    } catch {
      // No common group: decided below, if a key exchange is needed at all.
    }
    const loading = this.#prepared ? undefined : cfg.provider.prepare?.({ aeads: [suite.aead], groups: likelyGroup });
    if (loading !== undefined && loading !== null) {
      return waitForProvider(loading, () => {
        this.#prepared = true; // once per hello, whatever a provider answers the second time
        return this.handle(m);
      });
    }

    // Before anything is sent: the transcript hash is fixed by the suite.
    s.transcript.setHash(suite.hash);

    // RFC 9147 §5.1: a DTLS server with stateless cookies answers a cookie-less first ClientHello
    // with a HelloRetryRequest (key_share only when the client has no usable share). It MAY skip the
    // exchange for a PSK handshake: we do when we accept 0-RTT with it (a HelloRetryRequest would
    // refuse the early data, RFC 8446 §4.2.10); the amplification limit still bounds our flight.
    const cookieExchange = variant.datagram && retry === undefined && cfg.statelessRetry !== undefined && ext(E.cookie) === undefined;
    const zeroRttCandidate = cookieExchange && earlyOffered && cfg.maxEarlyDataSize > 0;
    if ((!cookieExchange || zeroRttCandidate) && this.#psk === undefined) {
      const choice = choosePsk(s, ch, m.raw, suite, ks, supported.length > 0);
      // A resumed client chain is checked by this connection's verifier (Waiting:CertificateVerifier);
      // rejected, the PSK is not used and the handshake is a full one, which asks for a certificate.
      // Decided before anything is sent or 0-RTT counted against anti-replay; handle() then runs again.
      const recheck = recheckResumedChain(s, choice);
      if (recheck !== undefined) {
        return after('CertificateVerifier', recheck, (ok) => {
          this.#psk = { choice: ok ? choice : undefined };
          return this.handle(m);
        });
      }
      this.#psk = { choice };
    }
    const chosen = this.#psk?.choice;
    const zeroRtt = zeroRttCandidate ? zeroRttWithoutCookie(s, chosen, suite, supported, shares, alpn) : undefined;
    if (cookieExchange && zeroRtt === undefined) {
      const choice = groupsExt === undefined ? undefined : selectGroup(cfg, supported, shares);
      return new ExpectClientHello(s, sendHelloRetry(s, ch, m.raw, suite, choice?.kind === 'retry' ? choice.group : undefined, earlyOffered));
    }

    const pskChoice = zeroRtt ?? chosen;
    if (pskChoice === undefined && ext(E.signature_algorithms) === undefined) {
      // RFC 8446 §9.2: certificate authentication needs signature_algorithms.
      fail('MISSING_SIGNATURE_ALGORITHMS', 'missing_extension', 'ClientHello without signature_algorithms');
    }

    let group: NamedGroupName | null = null;
    let shared: Uint8Array | null = null;
    let serverShare: Uint8Array | null = null;
    if (pskChoice === undefined || pskChoice.dhe) {
      if (groupsExt === undefined) fail('MISSING_KEY_SHARE', 'missing_extension', 'ClientHello without supported_groups/key_share');
      const choice = selectGroup(cfg, supported, shares);
      if (choice.kind === 'retry') {
        // RFC 8446 §4.1.4: at most one HelloRetryRequest.
        if (retry !== undefined) fail('HRR_KEY_SHARE_MISMATCH', 'illegal_parameter', 'second ClientHello lacks the requested key share');
        return new ExpectClientHello(s, sendHelloRetry(s, ch, m.raw, suite, choice.group, earlyOffered));
      }
      group = choice.group;
      const kp = cfg.keyPair ? cfg.keyPair(group) : cfg.provider.group(group).generateKeyPair();
      shared = cfg.provider.group(group).sharedSecret(kp.privateKey, choice.share.keyExchange);
      serverShare = kp.publicKey;
    }

    // Certificate selection (full handshakes only).
    let certChoice: ReturnType<typeof selectCertificate> | null = null;
    if (pskChoice === undefined) {
      const schemes = parseBody((ext(E.signature_algorithms) as Extension).data, readSignatureSchemeList, 'signature_algorithms');
      const certExt = ext(E.signature_algorithms_cert);
      const certSchemes = certExt === undefined ? undefined : parseBody(certExt.data, readSignatureSchemeList, 'signature_algorithms_cert');
      certChoice = selectCertificate(cfg, s.certificates ?? cfg.certificates, serverName, schemes, certSchemes);
    }

    // 0-RTT (RFC 8446 §4.2.10, §8): refused, not the connection, when a check fails.
    let earlyAccepted = false;
    if (earlyOffered) {
      if (retry !== undefined) fail('EARLY_DATA_AFTER_HRR', 'illegal_parameter', 'early_data in the second ClientHello');
      // Accepted already when it let us skip the cookie exchange (the anti-replay check ran once).
      const refused = zeroRtt !== undefined ? null : refuseEarlyData(s, pskChoice, suite, alpn);
      earlyAccepted = refused === null;
      if (refused !== null) s.io.earlyDataRefused?.(refused);
    }
    // RFC 8446 §4.2.6: the client may be asked for a certificate after the handshake.
    s.postHandshakeAuth = ext(E.post_handshake_auth) !== undefined;

    s.transcript.update(m.raw);
    const early = new EarlySecret(ks, pskChoice?.psk);
    const earlyTraffic = earlyAccepted ? early.clientEarlyTrafficSecret(s.transcript.current()) : null;
    if (earlyTraffic !== null) {
      const eems = early.earlyExporterMasterSecret(s.transcript.current());
      s.io.keyLog('CLIENT_EARLY_TRAFFIC_SECRET', ch.random, earlyTraffic);
      s.io.keyLog('EARLY_EXPORTER_SECRET', ch.random, eems);
      s.io.setEarlyExporter(ks, eems);
    }

    // ServerHello (RFC 8446 §4.1.3).
    const shExts: Extension[] = [];
    if (pskChoice !== undefined) shExts.push({ type: E.pre_shared_key, data: encode((w) => w.u16(pskChoice.index)) });
    if (group !== null && serverShare !== null) shExts.push({ type: E.key_share, data: writeKeyShareEntry({ group: groupCode(group), keyExchange: serverShare }) });
    shExts.push({ type: E.supported_versions, data: encode((w) => w.u16(variant.datagram ? variant.version : TLS13)) });
    if (s.io.serverHelloExtensions !== undefined) shExts.push(...s.io.serverHelloExtensions());
    const sh = s.io.send({
      type: 'server_hello',
      body: {
        legacyVersion: variant.datagram ? variant.legacyVersion : TLS12,
        random: cfg.provider.randomBytes(32),
        // RFC 9147 §5: DTLS servers MUST NOT echo legacy_session_id.
        legacySessionIdEcho: variant.datagram ? new Uint8Array(0) : ch.legacySessionId,
        cipherSuite: suite.code,
        legacyCompressionMethod: 0,
        extensions: shExts,
        isHelloRetryRequest: false,
      },
    });
    s.transcript.update(sh);
    // RFC 8446 §D.4: a server answering a non-empty session id sends CCS after its first message.
    if (ch.legacySessionId.length > 0 && !s.ccsSent && !variant.datagram) {
      s.io.sendCcs();
      s.ccsSent = true;
    }
    const hs = early.toHandshake(shared);
    const h = s.transcript.current();
    const chts = hs.clientHandshakeTrafficSecret(h);
    const shts = hs.serverHandshakeTrafficSecret(h);
    s.io.keyLog('CLIENT_HANDSHAKE_TRAFFIC_SECRET', ch.random, chts);
    s.io.keyLog('SERVER_HANDSHAKE_TRAFFIC_SECRET', ch.random, shts);
    s.io.setWriteKeys(ks, suite, shts);
    // RFC 9846 §4.7.1: accepted 0-RTT is held to the max_early_data_size the ticket told the client
    // (our limit may have changed since it was issued); accepted means a ticket was resumed.
    const earlyMax = pskChoice?.state?.maxEarlyDataSize ?? 0;
    if (earlyTraffic !== null && variant.datagram) {
      // RFC 9147 §5.6, §6.1: 0-RTT in epoch 1 and the client's handshake in epoch 2, both readable now.
      if (s.io.setEarlyReadKeys === undefined) fail('INTERNAL_ERROR', 'internal_error', 'datagram 0-RTT without an epoch for it');
      s.io.setEarlyReadKeys(ks, suite, earlyTraffic);
      s.io.acceptEarlyData(earlyMax);
      s.io.setReadKeys(ks, suite, chts);
    } else if (earlyTraffic !== null) {
      s.io.setReadKeys(ks, suite, earlyTraffic);
      s.io.acceptEarlyData(earlyMax);
    } else {
      s.io.setReadKeys(ks, suite, chts);
      s.io.skipEarlyData(earlyOffered ? { remaining: skipEarlyBudget(cfg, offeredTicketEarlyLimit(s, ch)), trialDecrypt: true } : null);
    }

    // EncryptedExtensions (RFC 8446 §4.3.1).
    let eeExts: Extension[] = [];
    const rsl = ext(E.record_size_limit);
    if (rsl !== undefined) {
      s.io.setPeerRecordSizeLimit(parseBody(rsl.data, readRecordSizeLimit, 'record_size_limit'));
      if (cfg.recordSizeLimit !== undefined) eeExts.push({ type: E.record_size_limit, data: encode((w) => w.u16(cfg.recordSizeLimit as number)) });
    }
    if (serverName !== null) eeExts.push({ type: E.server_name, data: new Uint8Array(0) });
    if (earlyAccepted) eeExts.push({ type: E.early_data, data: new Uint8Array(0) });
    if (alpn !== null) eeExts.push({ type: E.application_layer_protocol_negotiation, data: writeAlpnList([utf8(alpn)]) });
    if (cfg.extensionHook !== undefined) eeExts = [...cfg.extensionHook('encrypted_extensions', eeExts)];
    const ourRsl = eeExts.find((e) => e.type === E.record_size_limit);
    if (rsl !== undefined && ourRsl !== undefined && ourRsl.data.length === 2) {
      // RFC 8449 §4: negotiated, so the client's protected records keep to our limit; accepted 0-RTT
      // was sealed before the client saw it, so then the limit starts with its handshake key.
      const ourLimit = ((ourRsl.data[0] as number) << 8) | (ourRsl.data[1] as number);
      s.io.limitReceivedRecords?.(ourLimit, earlyTraffic !== null && !variant.datagram);
    }
    s.transcript.update(s.io.send({ type: 'encrypted_extensions', body: { extensions: eeExts } }));

    const base: ServerCtx = {
      s, suite, ks, chts, shts, group, alpn, serverName, earlyAccepted, resumed: pskChoice !== undefined, externalPsk: pskChoice?.external?.identity ?? null,
      resumedPeerCertificates: pskChoice?.state?.peerCertificates ?? [],
      ...(pskChoice?.state ? { resumedAuthenticatedAt: pskChoice.state.authenticatedAt ?? pskChoice.state.issuedAt } : {}),
      master: null, helloRetry: retry !== undefined, scheme: certChoice?.scheme ?? null, requested: null,
    };
    const finish = (): Step => {
      const verifyData = finishedVerifyData(ks, shts, s.transcript.current());
      s.transcript.update(s.io.send({ type: 'finished', body: { verifyData } }));
      base.serverFinished = verifyData;
      const ms = hs.toMaster();
      const h2 = s.transcript.current();
      const cats = ms.clientApplicationTrafficSecret(h2);
      const sats = ms.serverApplicationTrafficSecret(h2);
      const ems = ms.exporterMasterSecret(h2);
      s.io.keyLog('CLIENT_TRAFFIC_SECRET_0', ch.random, cats);
      s.io.keyLog('SERVER_TRAFFIC_SECRET_0', ch.random, sats);
      s.io.keyLog('EXPORTER_SECRET', ch.random, ems);
      s.io.enterTraffic({ ks, suite, readSecret: cats, writeSecret: sats, exporterMasterSecret: ems });
      base.master = ms;
      const early = s.io.sendTicketsEarly;
      if (early !== undefined && base.requested === null && !earlyAccepted) {
        // RFC 8446 §4.6.1: a server that does not authenticate the client MAY compute the rest of the
        // transcript and send its tickets right after its Finished (Go's crypto/tls does): they leave
        // in the same write, and reach a client that closes as soon as it is connected. Not with
        // 0-RTT (EndOfEarlyData comes first) nor client certificates (their messages are unknown).
        const clientFinished = finishedVerifyData(ks, chts, h2);
        const resumptionSecret = ms.resumptionMasterSecret(s.transcript.withExtra(encodeHandshake({ type: 'finished', body: { verifyData: clientFinished } })));
        base.early = { clientFinished, resumptionSecret };
        early(handshakeInfo(base, null, null), resumptionSecret, ks);
      }
      // RFC 9147 §5.6: no EndOfEarlyData over DTLS.
      if (earlyAccepted && !variant.datagram) return new ExpectEndOfEarlyData(base);
      if (base.requested !== null) return new ExpectCertificate(base);
      return new ExpectFinished(base, null, null);
    };
    if (certChoice === null) return finish();

    if (cfg.clientAuth !== 'none') {
      let crExts: Extension[] = [{ type: E.signature_algorithms, data: writeU16List(cfg.signatureSchemes.map((x) => SignatureScheme[x])) }];
      if (cfg.extensionHook !== undefined) crExts = [...cfg.extensionHook('certificate_request', crExts)];
      const sa = findExtension(crExts, E.signature_algorithms);
      base.requested = sa === undefined ? [] : parseBody(sa.data, readSignatureSchemeList, 'signature_algorithms');
      s.transcript.update(s.io.send({ type: 'certificate_request', body: { certificateRequestContext: new Uint8Array(0), extensions: crExts } }));
    }
    s.transcript.update(
      s.io.send({
        type: 'certificate',
        body: { certificateRequestContext: new Uint8Array(0), certificateList: certChoice.cert.chain.map((d) => ({ certData: d, extensions: [] })) },
      }),
    );
    const scheme = certChoice.scheme;
    const content = signedContent('server', s.transcript.current());
    return after('sign', certChoice.cert.signer.sign(scheme, content), (signature) => {
      s.transcript.update(s.io.send({ type: 'certificate_verify', body: { algorithm: SignatureScheme[scheme], signature } }));
      return finish();
    });
  }
}

/**
 * The PSK of a cookie-less DTLS ClientHello when 0-RTT is accepted with it (binder verified, the same
 * policy and anti-replay checks as always, a key share we can use without a HelloRetryRequest);
 * undefined to go through the cookie exchange instead (which refuses the early data).
 */
function zeroRttWithoutCookie(
  s: Shared, choice: PskChoice | undefined, suite: Suite, supported: readonly number[], shares: readonly KeyShareEntry[], alpn: string | null,
): PskChoice | undefined {
  if (choice === undefined) return undefined;
  if (choice.dhe && selectGroup(s.config, supported, shares).kind !== 'share') return undefined;
  const refused = refuseEarlyData(s, choice, suite, alpn);
  if (refused !== null) {
    s.io.earlyDataRefused?.(refused);
    return undefined;
  }
  return choice;
}
