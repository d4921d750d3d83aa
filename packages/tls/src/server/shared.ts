/** What the server's handshake states share. */
import type { NamedGroupName, SignatureSchemeName } from '@puretls/crypto';
import type { ResolvedServerCertificate, ServerConfig } from '../config.js';
import type { CertificateVerifier } from '../verifier.js';
import { fail } from '../errors.js';
import type { HandshakeInfo } from '../events.js';
import type { KeyScheduleContext, MasterSecret } from '../key-schedule/secrets.js';
import type { Transcript } from '../key-schedule/transcript.js';
import type { ClientHello } from '../messages/client-hello.js';
import type { Extension } from '../messages/extensions.js';
import type { HandshakeMessage, RawHandshake } from '../messages/handshake.js';
import type { CipherSuite as Suite } from '../suites.js';
import type { ServerTicketState } from '../tickets.js';
import type { ExternalPsk } from '../psk.js';

export interface ServerIo {
  send(m: HandshakeMessage | Uint8Array): Uint8Array;
  sendCcs(): void;
  setWriteKeys(ks: KeyScheduleContext, suite: Suite, secret: Uint8Array): void;
  setReadKeys(ks: KeyScheduleContext, suite: Suite, secret: Uint8Array): void;
  setPeerRecordSizeLimit(n: number): void;
  /**
   * Our record_size_limit is negotiated: enforce it on the client's protected records (RFC 8449 §4),
   * from its next read key when the current one is 0-RTT's. Absent (DTLS): not enforced.
   */
  limitReceivedRecords?(n: number, fromNextReadKey: boolean): void;
  allowCcs(): void;
  keyLog(label: string, clientRandom: Uint8Array, secret: Uint8Array): void;
  setEarlyExporter(ks: KeyScheduleContext, secret: Uint8Array): void;
  skipEarlyData(v: { remaining: number; trialDecrypt: boolean } | null): void;
  acceptEarlyData(max: number): void;
  enterTraffic(t: { ks: KeyScheduleContext; suite: Suite; readSecret: Uint8Array; writeSecret: Uint8Array; exporterMasterSecret: Uint8Array }): void;
  complete(info: HandshakeInfo, rms: Uint8Array, ks: KeyScheduleContext, suite: Suite): void;
  /**
   * Sends the session tickets now, with the first flight, from the resumption secret computed over the
   * client's Finished as we expect it (RFC 8446 §4.6.1); `complete` then sends none. Absent: tickets
   * wait for the client's Finished (DTLS, where a ticket must be acknowledged, RFC 9147 §5.8).
   */
  sendTicketsEarly?(info: HandshakeInfo, rms: Uint8Array, ks: KeyScheduleContext): void;
  /** The verify_data of our Finished and the client's, right before `complete` (RFC 8446 §4.4.4). */
  finished?(sent: Uint8Array, received: Uint8Array): void;
  /** Extra ServerHello extensions from the transport (DTLS connection_id, RFC 9146 §3). */
  serverHelloExtensions?(): readonly Extension[];
  /** The client offered 0-RTT and it is refused (the connection goes on). */
  earlyDataRefused?(reason: string): void;
  /**
   * Datagram variant: 0-RTT is accepted; its records come in their own epoch (RFC 9147 §6.1: epoch 1),
   * readable beside the handshake epoch, since DTLS has no EndOfEarlyData (§5.6).
   */
  setEarlyReadKeys?(ks: KeyScheduleContext, suite: Suite, secret: Uint8Array): void;
}

export interface Shared {
  readonly io: ServerIo;
  readonly config: ServerConfig;
  readonly transcript: Transcript;
  ccsSent: boolean;
  /** This connection's client certificate verifier, when it has its own (else the config's). */
  readonly clientVerifier?: CertificateVerifier | undefined;
  /** The certificates from `config.certificateResolver`, once it answered. */
  certificates?: readonly ResolvedServerCertificate[];
  /** The client sent post_handshake_auth (RFC 8446 §4.2.6). */
  postHandshakeAuth?: boolean;
}

export function unexpected(state: string, m: RawHandshake): never {
  fail('UNEXPECTED_MESSAGE', 'unexpected_message', `${state}: unexpected ${m.type}`);
}

/** Least budget for skipping refused 0-RTT when the ticket's max_early_data_size is not known. */
export const SKIP_BUDGET_MIN = 16384;
/** Padding in skipped 0-RTT records counts for nothing (RFC 9846 §4.7.1) but cannot be seen: this much is allowed. */
export const SKIP_PADDING_ALLOWANCE = 16384;

/**
 * The budget for skipping refused 0-RTT (RFC 9846 §4.3.10), in bytes of plaintext as the connection
 * counts them (see `Connection#skipEarly`): what the client may send — the offered ticket's
 * max_early_data_size, or our own limit for a ticket we cannot open — plus the padding allowance.
 */
export function skipEarlyBudget(config: ServerConfig, ticketMax: number): number {
  return Math.max(ticketMax, config.maxEarlyDataSize, SKIP_BUDGET_MIN) + SKIP_PADDING_ALLOWANCE;
}

export interface Retry {
  readonly suite: Suite;
  /** Undefined when the HelloRetryRequest only carried a cookie (DTLS, RFC 9147 §5.1). */
  readonly group: NamedGroupName | undefined;
  readonly cookie: Uint8Array | undefined;
  /** Absent when the retry was resumed from a stateless cookie. */
  readonly clientHello1: ClientHello | undefined;
}

export interface PskChoice {
  readonly psk: Uint8Array;
  /** The resumed ticket's state; null for an external PSK. */
  readonly state: ServerTicketState | null;
  readonly external: ExternalPsk | null;
  readonly index: number;
  readonly dhe: boolean;
  readonly ageOk: boolean;
  /** The verified binder: unique per ClientHello, the strike register's key (RFC 8446 §8.2). */
  readonly binder: Uint8Array;
  /** The ticket id when the state came from the session store. */
  readonly storeId: Uint8Array | null;
}

export interface ServerCtx {
  readonly s: Shared;
  readonly suite: Suite;
  readonly ks: KeyScheduleContext;
  readonly chts: Uint8Array;
  readonly shts: Uint8Array;
  readonly group: NamedGroupName | null;
  readonly alpn: string | null;
  readonly serverName: string | null;
  readonly earlyAccepted: boolean;
  readonly resumed: boolean;
  /** The client's chain kept in the resumed ticket (RFC 8446 §4.6.1): reported again. */
  readonly resumedPeerCertificates?: readonly Uint8Array[];
  /** When the session a resumed ticket carries was authenticated (`ServerTicketState.authenticatedAt`). */
  readonly resumedAuthenticatedAt?: number;
  /** Identity of the external PSK the handshake used, if any. */
  readonly externalPsk?: Uint8Array | null;
  readonly helloRetry: boolean;
  readonly scheme: SignatureSchemeName | null;
  master: MasterSecret | null;
  /** The verify_data of the Finished we sent, once sent. */
  serverFinished?: Uint8Array;
  /** Schemes of our CertificateRequest, when one was sent. */
  requested: number[] | null;
  /** With tickets sent with the first flight: the client Finished verify_data we expect, and the
   *  resumption master secret over it. */
  early?: { readonly clientFinished: Uint8Array; readonly resumptionSecret: Uint8Array };
}
