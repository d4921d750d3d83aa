/** What the client's handshake states share, and the helpers they all use. */
import type { KeyPair, NamedGroupName, SignatureSchemeName } from '@puretls/crypto';
import type { ClientConfig } from '../config.js';
import type { CertificateVerifier } from '../verifier.js';
import { ExtensionType as E } from '../constants.js';
import { fail } from '../errors.js';
import type { HandshakeInfo } from '../events.js';
import { EarlySecret, finishedVerifyData, type HandshakeSecret, type KeyScheduleContext } from '../key-schedule/secrets.js';
import type { Transcript } from '../key-schedule/transcript.js';
import type { Extension } from '../messages/extensions.js';
import type { HandshakeMessage, RawHandshake } from '../messages/handshake.js';
import { variantOf } from '../variant.js';
import { CipherSuite, type CipherSuite as Suite } from '../suites.js';
import type { ClientTicket } from '../tickets.js';
import type { ExternalPsk } from '../psk.js';
import { buildClientHello, withBinder, type BuiltClientHello } from './client-hello.js';

/** What the client's states share; the states themselves hold what is valid at their point. */
export interface Shared {
  readonly io: ClientIo;
  readonly config: ClientConfig;
  /** This connection's verifier, when it has its own (else the config's). */
  readonly verifier?: CertificateVerifier | undefined;
  readonly serverName: string | undefined;
  readonly random: Uint8Array;
  readonly sessionId: Uint8Array;
  session: ClientTicket | undefined;
  /** An external PSK offered instead of a ticket (RFC 8446 §4.2.11). */
  externalPsk?: ExternalPsk | undefined;
  earlyData: Uint8Array | undefined;
  transcript: Transcript;
  sentExtensions: ReadonlySet<number>;
  /** The record_size_limit our ClientHello advertised, if it did (RFC 8449 §4). */
  sentRecordSizeLimit?: number | undefined;
  keyShares: { group: NamedGroupName; keyPair: KeyPair }[];
  helloRetry: boolean;
  ccsSent: boolean;
  earlyDataSent: boolean;
}

export interface ClientIo {
  send(m: HandshakeMessage | Uint8Array): Uint8Array;
  sendCcs(): void;
  setRecordVersion(v: number): void;
  setWriteKeys(ks: KeyScheduleContext, suite: Suite, secret: Uint8Array): void;
  clearWriteKeys(): void;
  setReadKeys(ks: KeyScheduleContext, suite: Suite, secret: Uint8Array): void;
  sendEarlyData(d: Uint8Array): void;
  setCcsAllowed(v: boolean): void;
  setPeerRecordSizeLimit(n: number): void;
  /** Our record_size_limit is negotiated: enforce it on the server's protected records (RFC 8449 §4). */
  limitReceivedRecords?(n: number): void;
  complete(info: HandshakeInfo, t: { ks: KeyScheduleContext; suite: Suite; readSecret: Uint8Array; writeSecret: Uint8Array; exporterMasterSecret: Uint8Array }, rms: Uint8Array): void;
  emitEarlyDataRejected(): void;
  keyLog(label: string, secret: Uint8Array): void;
  /** The verify_data of our Finished and the server's, right before `complete` (RFC 8446 §4.4.4). */
  finished?(sent: Uint8Array, received: Uint8Array): void;
  /** Extra ClientHello extensions from the transport (DTLS connection_id, RFC 9146 §3). */
  clientHelloExtensions?(): readonly Extension[];
  /** client_handshake_traffic_secret is known (DTLS may ACK under it before its own flight, RFC 9147 §7). */
  handshakeWriteSecretKnown?(ks: KeyScheduleContext, suite: Suite, secret: Uint8Array): void;
}

export function ksFor(s: Shared, suite: Suite): KeyScheduleContext {
  return { provider: s.config.provider, hash: suite.hash, hashLength: suite.hashLength, labelPrefix: variantOf(s.config).labelPrefix };
}

export function unexpected(state: string, m: RawHandshake): never {
  fail('UNEXPECTED_MESSAGE', 'unexpected_message', `${state}: unexpected ${m.type}`);
}

/** RFC 9846 §4.2: a response to an extension we did not send is unsupported_extension. */
export function checkSolicited(s: Shared, exts: readonly { type: number }[], where: string, allowCookie = false): void {
  for (const e of exts) {
    if (allowCookie && e.type === E.cookie) continue;
    if (!s.sentExtensions.has(e.type)) fail('UNSOLICITED_EXTENSION', 'unsupported_extension', `${where} carries extension ${e.type} that was not offered`);
  }
}

export function newKeyPair(s: Shared, group: NamedGroupName): KeyPair {
  return s.config.keyPair ? s.config.keyPair(group) : s.config.provider.group(group).generateKeyPair();
}

export function sendClientHello(s: Shared, cookie: Uint8Array | undefined): BuiltClientHello {
  const c = s.config;
  let psk: { identity: Uint8Array; obfuscatedTicketAge: number; binderLength: number } | undefined;
  const session = s.session;
  const ext = session === undefined ? s.externalPsk : undefined;
  if (session !== undefined) {
    const suite = CipherSuite[session.cipherSuite];
    const age = Math.max(0, Math.floor(c.now() - session.receivedAt));
    psk = { identity: session.ticket, obfuscatedTicketAge: (age + session.ageAdd) >>> 0, binderLength: suite.hashLength };
  } else if (ext !== undefined) {
    // RFC 8446 §4.2.11: obfuscated_ticket_age is 0 for external identities.
    psk = { identity: ext.identity, obfuscatedTicketAge: 0, binderLength: ext.hash === 'SHA-384' ? 48 : 32 };
  }
  const built = buildClientHello({
    config: c,
    random: s.random,
    sessionId: s.sessionId,
    serverName: s.serverName,
    keyShares: s.keyShares,
    cookie,
    earlyData: s.earlyData !== undefined && !s.helloRetry,
    psk,
    variant: variantOf(c),
    extraExtensions: s.io.clientHelloExtensions?.() ?? [],
  });
  let raw = built.raw;
  if (session !== undefined || ext !== undefined) {
    // RFC 8446 §4.2.11.2: the binder is an HMAC over the transcript up to the truncated ClientHello,
    // under the PSK's hash (the transcript's own hash is fixed by the server's choice of suite).
    const hash = session !== undefined ? CipherSuite[session.cipherSuite].hash : (ext as ExternalPsk).hash;
    const ks: KeyScheduleContext = { ...ksFor(s, CipherSuite[session?.cipherSuite ?? (hash === 'SHA-384' ? 'TLS_AES_256_GCM_SHA384' : 'TLS_AES_128_GCM_SHA256')]), hash };
    const early = new EarlySecret(ks, session !== undefined ? session.psk : (ext as ExternalPsk).secret);
    const truncated = raw.subarray(0, raw.length - built.bindersLength);
    const binderKey = session !== undefined ? early.binderKey(false) : early.binderKey(true, ext?.imported === true);
    const binder = finishedVerifyData(ks, binderKey, s.transcript.hashAs(hash, truncated));
    raw = withBinder(raw, binder);
  }
  s.io.send(raw);
  s.transcript.update(raw);
  s.sentExtensions = built.extensionTypes;
  s.sentRecordSizeLimit = built.recordSizeLimit;
  return built;
}

export interface HandshakeCtx {
  readonly s: Shared;
  readonly suite: Suite;
  readonly ks: KeyScheduleContext;
  readonly hs: HandshakeSecret;
  readonly chts: Uint8Array;
  readonly shts: Uint8Array;
  readonly group: NamedGroupName | null;
  readonly resumed: boolean;
  alpn: string | null;
  earlyAccepted: boolean;
  certRequest: { context: Uint8Array; schemes: number[] } | null;
  peerChain: readonly Uint8Array[];
  scheme: SignatureSchemeName | null;
}
