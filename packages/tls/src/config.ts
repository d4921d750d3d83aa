/**
 * Immutable, shareable configurations. Everything the engine needs from the outside world (crypto,
 * randomness, time, ephemeral keys, certificates, session storage) comes from here, so a test can fix
 * all of it. Configs are validated and frozen by `clientConfig()` / `serverConfig()`.
 */
import { SignatureScheme, type CryptoProvider, type KeyPair, type NamedGroupName, type SignatureSchemeName } from '@puretls/crypto';
import type { Extension } from './messages/extensions.js';
import type { PaddingPolicy } from './record/fragmenter.js';
import { signerFromPrivateKey, type Signer } from './signer.js';
import { ALL_CIPHER_SUITES, type CipherSuiteName } from './suites.js';
import { MAX_TICKET_LIFETIME, type ClientTicketStore, type TicketSealer } from './tickets.js';
import { checkExternalPsk, type ExternalPsk, type ExternalPskSelector } from './psk.js';
import { createStrikeRegister, type AntiReplay } from './server/anti-replay.js';
import type { ServerSessionStore } from './server/session-store.js';
import type { CertificateVerifier } from './verifier.js';
import { MAX_PLAINTEXT } from './constants.js';
import { utf8 } from './bytes.js';
import type { ProtocolVariant } from './variant.js';

export const DEFAULT_GROUPS: readonly NamedGroupName[] = ['x25519', 'secp256r1', 'x448', 'secp384r1', 'secp521r1'];
/**
 * Offered in signature_algorithms. The PKCS#1 schemes are there for certificate signatures only
 * (RFC 8446 §4.2.3); a CertificateVerify made with them is refused.
 */
export const DEFAULT_SIGNATURE_SCHEMES: readonly SignatureSchemeName[] = [
  'ecdsa_secp256r1_sha256', 'ecdsa_secp384r1_sha384', 'ecdsa_secp521r1_sha512', 'ed25519', 'ed448',
  'rsa_pss_rsae_sha256', 'rsa_pss_rsae_sha384', 'rsa_pss_rsae_sha512',
  'rsa_pss_pss_sha256', 'rsa_pss_pss_sha384', 'rsa_pss_pss_sha512',
  'rsa_pkcs1_sha256', 'rsa_pkcs1_sha384', 'rsa_pkcs1_sha512',
];

/** Which message an extension hook is shaping. */
export type HookedMessage = 'client_hello' | 'encrypted_extensions' | 'certificate_request';

interface CommonOptions {
  readonly provider: CryptoProvider;
  /** Milliseconds since the epoch; the engine reads no clock of its own. */
  readonly now: () => number;
  readonly cipherSuites?: readonly CipherSuiteName[];
  readonly groups?: readonly NamedGroupName[];
  readonly signatureSchemes?: readonly SignatureSchemeName[];
  readonly alpnProtocols?: readonly string[];
  /** Supplies the ephemeral key pair for a group (deterministic tests); default: the provider's. */
  readonly keyPair?: (group: NamedGroupName) => KeyPair;
  /** Zero padding added to protected records (RFC 8446 §5.4). */
  readonly padding?: PaddingPolicy;
  /** Our RFC 8449 record_size_limit (sent when set; 64..16385). */
  readonly recordSizeLimit?: number;
  /** Largest handshake message accepted from the peer (default 64 KiB). */
  readonly maxHandshakeMessageSize?: number;
  /**
   * Bytes `feed()` may buffer while an asynchronous step is pending (default 256 KiB, at least
   * one maximal record). Past it the connection fails with `PENDING_INPUT_LIMIT`.
   */
  readonly maxPendingInput?: number;
  /** Records sent under one key before an automatic KeyUpdate (default: the suite's AEAD limit). */
  readonly keyUpdateAfterRecords?: number;
  /**
   * Rewrites the extension list of a message we send, for replaying recorded handshakes. What the
   * peer answers is still checked against what was actually sent.
   */
  readonly extensionHook?: (message: HookedMessage, extensions: readonly Extension[]) => readonly Extension[];
  /**
   * Receives each traffic secret in NSS key log terms (`CLIENT_HANDSHAKE_TRAFFIC_SECRET`, ...) for
   * SSLKEYLOGFILE-style debugging. Anyone holding these can decrypt the connection.
   */
  readonly keyLog?: KeyLog;
}

export type KeyLog = (label: string, clientRandom: Uint8Array, secret: Uint8Array) => void;

export interface ClientCertificate {
  readonly chain: readonly Uint8Array[];
  /** PKCS#8 DER or a signer (whose sign may be async). */
  readonly key: Uint8Array | Signer;
}

export interface ClientConfigOptions extends CommonOptions {
  readonly serverName?: string;
  /** Groups to send key shares for in the first ClientHello (default: the first group). */
  readonly keyShareGroups?: readonly NamedGroupName[];
  readonly verifier: CertificateVerifier;
  readonly clientCertificate?: ClientCertificate;
  /** Send a random legacy_session_id and change_cipher_spec (RFC 8446 §D.4). Default false. */
  readonly compatibilityMode?: boolean;
  /** Also offer psk_ke (resumption without (EC)DHE). Default false: psk_dhe_ke only. */
  readonly allowPskOnlyResumption?: boolean;
  /** Tickets received are put here, and a connection without `options.session` takes one to resume. */
  readonly ticketStore?: ClientTicketStore;
  /**
   * Sent as signature_algorithms_cert (RFC 8446 §4.2.3): the schemes our verifier accepts in
   * certificates, when they differ from signature_algorithms. Any scheme, PKCS#1 included.
   */
  readonly certificateSignatureSchemes?: readonly SignatureSchemeName[];
  /** Pad the ClientHello to 512 bytes when it is between 256 and 511 (RFC 7685). Default false. */
  readonly padClientHello?: boolean;
  /**
   * An external PSK to offer (RFC 8446 §4.2.11), instead of a ticket. The server may still answer
   * with a certificate, which the verifier then checks.
   */
  readonly externalPsk?: ExternalPsk;
  /**
   * Offer post-handshake client authentication (RFC 8446 §4.2.6): the server may then ask for
   * `clientCertificate` at any time after the handshake. Default false.
   */
  readonly postHandshakeAuth?: boolean;
}

export interface ServerCertificate {
  readonly chain: readonly Uint8Array[];
  readonly key: Uint8Array | Signer;
  /** Host names this certificate is for (exact, lower case); empty means "any". */
  readonly serverNames?: readonly string[];
  /**
   * Schemes that sign the chain's certificates, to honour the client's signature_algorithms_cert
   * (RFC 8446 §4.2.3). Unknown (empty) means the chain is not filtered on it.
   */
  readonly chainSchemes?: readonly SignatureSchemeName[];
}

/** What a certificate resolver is told about the ClientHello (RFC 8446 §4.1.2, RFC 6066 §3). */
export interface CertificateResolverRequest {
  /** The SNI host name, null when the client sent none. */
  readonly serverName: string | null;
}

/**
 * Chooses the certificates for one connection from its ClientHello, possibly asynchronously (a
 * database, node's SNICallback). `undefined` or an empty list means `certificates` of the config.
 */
export type CertificateResolver = (
  hello: CertificateResolverRequest,
) => readonly ServerCertificate[] | undefined | Promise<readonly ServerCertificate[] | undefined>;

export interface ServerConfigOptions extends CommonOptions {
  /** May be empty when `certificateResolver` supplies them. */
  readonly certificates: readonly ServerCertificate[];
  /**
   * Called once per connection with the first ClientHello's server name, before negotiation; the
   * connection waits (`Waiting:CertificateResolver`) while it is pending. Its certificates replace
   * `certificates` for that connection.
   */
  readonly certificateResolver?: CertificateResolver;
  readonly clientAuth?: 'none' | 'optional' | 'required';
  /** Verifier of client certificates (required when clientAuth is not 'none'). */
  readonly clientVerifier?: CertificateVerifier;
  /** Stateless tickets: seals the session into the ticket (`createTicketKeys` for named rotating keys). */
  readonly ticketSealer?: TicketSealer;
  /** Stateful tickets: the ticket is an id into this store (exclusive with `ticketSealer`). */
  readonly sessionStore?: ServerSessionStore;
  /** Tickets sent after each full handshake (default 1 when a sealer or store is set). */
  readonly ticketsPerHandshake?: number;
  /** Tickets sent after a resumed handshake (default: `ticketsPerHandshake`). */
  readonly ticketsAfterResumption?: number;
  /** Seconds, at most 604800 (RFC 8446 §4.6.1). Default 7200. */
  readonly ticketLifetime?: number;
  /** 0 disables 0-RTT (default). */
  readonly maxEarlyDataSize?: number;
  /**
   * 0-RTT anti-replay for stateless tickets (RFC 8446 §8.2): share one strike register between the
   * servers that share ticket keys. Default, when 0-RTT is on with a sealer: a register private to
   * this config (window: twice `earlyDataAgeTolerance`). A session store needs none: 0-RTT takes
   * the ticket out of the store (single use).
   */
  readonly antiReplay?: AntiReplay;
  /** External PSKs by identity (RFC 8446 §4.2.11); psk_ke and psk_dhe_ke as the client offers. */
  readonly externalPsks?: ExternalPskSelector;
  /**
   * Makes the cookie of a HelloRetryRequest from Hash(ClientHello1) (RFC 8446 §4.2.2); the second
   * ClientHello must echo it exactly. Without it, HelloRetryRequests carry no cookie.
   */
  readonly helloRetryCookie?: (clientHello1Hash: Uint8Array) => Uint8Array;
  /**
   * Stateless HelloRetryRequest: the cookie is authenticated with this 32-byte key and lets any
   * connection from this config accept the second ClientHello (within `lifetime` ms, default 30000).
   * Exclusive with `helloRetryCookie`.
   */
  readonly statelessRetry?: { readonly key: Uint8Array; readonly lifetime?: number };
  /** Allowed distance between the client's ticket age and ours for 0-RTT, ms (default 10000). */
  readonly earlyDataAgeTolerance?: number;
}

export interface ClientConfig extends Required<Omit<ClientConfigOptions, 'serverName' | 'clientCertificate' | 'ticketStore' | 'certificateSignatureSchemes' | 'keyPair' | 'padding' | 'recordSizeLimit' | 'extensionHook' | 'keyUpdateAfterRecords' | 'keyLog' | 'externalPsk' | 'maxPendingInput'>> {
  readonly keyLog: KeyLog | undefined;
  readonly externalPsk: ExternalPsk | undefined;
  readonly maxPendingInput: number;
  /** Set by @puretls/dtls on a copy of the config; absent means TLS 1.3. */
  readonly variant?: ProtocolVariant;
  readonly serverName: string | undefined;
  readonly ticketStore: ClientTicketStore | undefined;
  readonly certificateSignatureSchemes: readonly SignatureSchemeName[] | undefined;
  readonly clientCertificate: { readonly chain: readonly Uint8Array[]; readonly signer: Signer } | undefined;
  readonly keyPair: ((group: NamedGroupName) => KeyPair) | undefined;
  readonly padding: PaddingPolicy | undefined;
  readonly recordSizeLimit: number | undefined;
  readonly extensionHook: CommonOptions['extensionHook'];
  readonly keyUpdateAfterRecords: number | undefined;
}

export interface ResolvedServerCertificate {
  readonly chain: readonly Uint8Array[];
  readonly signer: Signer;
  readonly serverNames: readonly string[];
  readonly chainSchemes: readonly SignatureSchemeName[];
}

export interface ServerConfig extends Required<Omit<ServerConfigOptions, 'certificates' | 'certificateResolver' | 'clientVerifier' | 'ticketSealer' | 'helloRetryCookie' | 'statelessRetry' | 'keyPair' | 'padding' | 'recordSizeLimit' | 'extensionHook' | 'keyUpdateAfterRecords' | 'keyLog' | 'sessionStore' | 'antiReplay' | 'externalPsks' | 'maxPendingInput'>> {
  readonly keyLog: KeyLog | undefined;
  readonly sessionStore: ServerSessionStore | undefined;
  readonly antiReplay: AntiReplay | undefined;
  readonly externalPsks: ExternalPskSelector | undefined;
  readonly maxPendingInput: number;
  /** Set by @puretls/dtls on a copy of the config; absent means TLS 1.3. */
  readonly variant?: ProtocolVariant;
  readonly certificates: readonly ResolvedServerCertificate[];
  readonly certificateResolver: CertificateResolver | undefined;
  readonly clientVerifier: CertificateVerifier | undefined;
  readonly ticketSealer: TicketSealer | undefined;
  readonly helloRetryCookie: ((clientHello1Hash: Uint8Array) => Uint8Array) | undefined;
  readonly statelessRetry: { readonly key: Uint8Array; readonly lifetime: number } | undefined;
  readonly keyPair: ((group: NamedGroupName) => KeyPair) | undefined;
  readonly padding: PaddingPolicy | undefined;
  readonly recordSizeLimit: number | undefined;
  readonly extensionHook: CommonOptions['extensionHook'];
  readonly keyUpdateAfterRecords: number | undefined;
}

function nonEmptyList<T>(v: readonly T[] | undefined, dflt: readonly T[], name: string): readonly T[] {
  const list = v ?? dflt;
  if (!Array.isArray(list) || list.length === 0) throw new TypeError(`${name} must be a non-empty array`);
  return Object.freeze([...list]);
}

function common(o: CommonOptions) {
  if (o === null || typeof o !== 'object') throw new TypeError('options must be an object');
  if (o.provider === undefined || typeof o.provider.hash !== 'function') throw new TypeError('options.provider must be a CryptoProvider');
  if (typeof o.now !== 'function') throw new TypeError('options.now must be a function returning milliseconds');
  const suites = nonEmptyList(o.cipherSuites, ALL_CIPHER_SUITES, 'options.cipherSuites');
  for (const s of suites) if (!ALL_CIPHER_SUITES.includes(s)) throw new TypeError(`options.cipherSuites: unknown suite ${String(s)}`);
  const groups = nonEmptyList(o.groups, DEFAULT_GROUPS, 'options.groups');
  for (const g of groups) if (!DEFAULT_GROUPS.includes(g)) throw new TypeError(`options.groups: unknown group ${String(g)}`);
  const signatureSchemes = nonEmptyList(o.signatureSchemes, DEFAULT_SIGNATURE_SCHEMES, 'options.signatureSchemes');
  for (const s of signatureSchemes) {
    if (!DEFAULT_SIGNATURE_SCHEMES.includes(s)) throw new TypeError(`options.signatureSchemes: ${String(s)} is not supported`);
  }
  const alpnProtocols = Object.freeze([...(o.alpnProtocols ?? [])]);
  // RFC 7301 §3.1: a protocol name is 1..255 bytes (ours go out as UTF-8).
  for (const p of alpnProtocols) if (typeof p !== 'string' || p.length === 0 || utf8(p).length > 255) throw new TypeError('options.alpnProtocols: each must be a string of 1..255 UTF-8 bytes');
  if (o.recordSizeLimit !== undefined && (!Number.isInteger(o.recordSizeLimit) || o.recordSizeLimit < 64 || o.recordSizeLimit > MAX_PLAINTEXT + 1)) {
    throw new RangeError('options.recordSizeLimit must be an integer in 64..16385');
  }
  const maxHandshakeMessageSize = o.maxHandshakeMessageSize ?? 65536;
  if (!Number.isInteger(maxHandshakeMessageSize) || maxHandshakeMessageSize < 1024) throw new RangeError('options.maxHandshakeMessageSize must be an integer >= 1024');
  const maxPendingInput = o.maxPendingInput ?? 262144;
  if (!Number.isInteger(maxPendingInput) || maxPendingInput < 5 + MAX_PLAINTEXT + 256) throw new RangeError('options.maxPendingInput must be an integer >= 16645 (one maximal record)');
  if (o.keyUpdateAfterRecords !== undefined && (!Number.isInteger(o.keyUpdateAfterRecords) || o.keyUpdateAfterRecords < 1)) {
    throw new RangeError('options.keyUpdateAfterRecords must be a positive integer');
  }
  return {
    provider: o.provider,
    now: o.now,
    cipherSuites: suites,
    groups,
    signatureSchemes,
    alpnProtocols,
    keyPair: o.keyPair,
    padding: o.padding,
    recordSizeLimit: o.recordSizeLimit,
    maxHandshakeMessageSize,
    maxPendingInput,
    keyUpdateAfterRecords: o.keyUpdateAfterRecords,
    extensionHook: o.extensionHook,
    keyLog: o.keyLog,
  };
}

function toSigner(provider: CryptoProvider, key: Uint8Array | Signer, name: string): Signer {
  if (key instanceof Uint8Array) return signerFromPrivateKey(provider, key);
  if (key === null || typeof key !== 'object' || typeof key.sign !== 'function' || !Array.isArray(key.schemes)) {
    throw new TypeError(`${name} must be PKCS#8 DER bytes or a signer { schemes, sign }`);
  }
  return key;
}

function checkChain(chain: readonly Uint8Array[], name: string): readonly Uint8Array[] {
  if (!Array.isArray(chain) || chain.length === 0 || !chain.every((c) => c instanceof Uint8Array && c.length > 0)) {
    throw new TypeError(`${name} must be a non-empty array of DER certificates`);
  }
  return Object.freeze([...chain]);
}

function certificateSchemes(list: readonly SignatureSchemeName[] | undefined): readonly SignatureSchemeName[] | undefined {
  if (list === undefined) return undefined;
  const out = nonEmptyList(list, [], 'options.certificateSignatureSchemes');
  for (const s of out) if (!(s in SignatureScheme)) throw new TypeError(`options.certificateSignatureSchemes: unknown scheme ${String(s)}`);
  return out;
}

function ticketStore(t: ClientTicketStore | undefined): ClientTicketStore | undefined {
  if (t !== undefined && (t === null || typeof t.put !== 'function' || typeof t.take !== 'function')) {
    throw new TypeError('options.ticketStore must have put() and take()');
  }
  return t;
}

export function clientConfig(o: ClientConfigOptions): ClientConfig {
  const c = common(o);
  // No insecure default: without a verifier there is no way to know who we talk to.
  if (o.verifier === undefined || o.verifier === null || typeof o.verifier.verify !== 'function') {
    throw new TypeError('options.verifier is required (a CertificateVerifier); there is no insecure default');
  }
  const keyShareGroups = nonEmptyList(o.keyShareGroups, [c.groups[0] as NamedGroupName], 'options.keyShareGroups');
  for (const g of keyShareGroups) if (!c.groups.includes(g)) throw new TypeError(`options.keyShareGroups: ${g} is not in options.groups`);
  return Object.freeze({
    ...c,
    serverName: o.serverName,
    keyShareGroups,
    verifier: o.verifier,
    clientCertificate:
      o.clientCertificate === undefined
        ? undefined
        : Object.freeze({ chain: checkChain(o.clientCertificate.chain, 'options.clientCertificate.chain'), signer: toSigner(c.provider, o.clientCertificate.key, 'options.clientCertificate.key') }),
    compatibilityMode: o.compatibilityMode ?? false,
    allowPskOnlyResumption: o.allowPskOnlyResumption ?? false,
    padClientHello: o.padClientHello ?? false,
    externalPsk: o.externalPsk === undefined ? undefined : clientPsk(o.externalPsk, c.cipherSuites),
    postHandshakeAuth: o.postHandshakeAuth ?? false,
    ticketStore: ticketStore(o.ticketStore),
    certificateSignatureSchemes: certificateSchemes(o.certificateSignatureSchemes),
  });
}

function clientPsk(p: ExternalPsk, suites: readonly CipherSuiteName[]): ExternalPsk {
  const psk = checkExternalPsk(p, 'options.externalPsk');
  // RFC 8446 §4.2.11: the PSK can only be used with a suite of its hash.
  if (!suites.some((s) => (s.endsWith('SHA384') ? 'SHA-384' : 'SHA-256') === psk.hash)) {
    throw new TypeError(`options.externalPsk: no enabled cipher suite uses ${psk.hash}`);
  }
  return psk;
}

function statelessRetry(o: ServerConfigOptions): ServerConfig['statelessRetry'] {
  const sr = o.statelessRetry;
  if (sr === undefined) return undefined;
  if (o.helloRetryCookie !== undefined) throw new TypeError('options.statelessRetry and options.helloRetryCookie are exclusive');
  if (!(sr.key instanceof Uint8Array) || sr.key.length !== 32) throw new TypeError('options.statelessRetry.key must be a 32-byte Uint8Array');
  const lifetime = sr.lifetime ?? 30000;
  if (!Number.isInteger(lifetime) || lifetime <= 0) throw new RangeError('options.statelessRetry.lifetime must be a positive integer (ms)');
  return Object.freeze({ key: sr.key.slice(), lifetime });
}

/** Checks and resolves server certificates (keys become signers); `name` names the argument. */
export function resolveServerCertificates(provider: CryptoProvider, list: readonly ServerCertificate[], name: string): readonly ResolvedServerCertificate[] {
  if (!Array.isArray(list)) throw new TypeError(`${name} must be an array`);
  return Object.freeze(
    list.map((cert: ServerCertificate, i) => {
      if (cert === null || typeof cert !== 'object') throw new TypeError(`${name}[${i}] must be an object`);
      return Object.freeze({
        chain: checkChain(cert.chain, `${name}[${i}].chain`),
        signer: toSigner(provider, cert.key, `${name}[${i}].key`),
        serverNames: Object.freeze((cert.serverNames ?? []).map((n: string) => n.toLowerCase())),
        chainSchemes: Object.freeze([...(cert.chainSchemes ?? [])]),
      });
    }),
  );
}

export function serverConfig(o: ServerConfigOptions): ServerConfig {
  const c = common(o);
  const resolver = o.certificateResolver;
  if (resolver !== undefined && typeof resolver !== 'function') throw new TypeError('options.certificateResolver must be a function');
  if (!Array.isArray(o.certificates) || (o.certificates.length === 0 && resolver === undefined)) {
    throw new TypeError('options.certificates must be a non-empty array (or empty with options.certificateResolver)');
  }
  const certificates = resolveServerCertificates(c.provider, o.certificates, 'options.certificates');
  const clientAuth = o.clientAuth ?? 'none';
  if (!['none', 'optional', 'required'].includes(clientAuth)) throw new TypeError("options.clientAuth must be 'none', 'optional' or 'required'");
  if (clientAuth !== 'none' && (o.clientVerifier === undefined || typeof o.clientVerifier.verify !== 'function')) {
    throw new TypeError('options.clientVerifier is required when options.clientAuth is not none');
  }
  const ticketLifetime = o.ticketLifetime ?? 7200;
  if (!Number.isInteger(ticketLifetime) || ticketLifetime < 0 || ticketLifetime > MAX_TICKET_LIFETIME) throw new RangeError('options.ticketLifetime must be 0..604800 seconds');
  const maxEarlyDataSize = o.maxEarlyDataSize ?? 0;
  if (!Number.isInteger(maxEarlyDataSize) || maxEarlyDataSize < 0 || maxEarlyDataSize > 0xffffffff) throw new RangeError('options.maxEarlyDataSize must be a uint32');
  if (o.ticketSealer !== undefined && (o.ticketSealer === null || typeof o.ticketSealer.seal !== 'function' || typeof o.ticketSealer.open !== 'function')) {
    throw new TypeError('options.ticketSealer must have seal() and open()');
  }
  const store = o.sessionStore;
  if (store !== undefined && (store === null || typeof store.put !== 'function' || typeof store.get !== 'function' || typeof store.take !== 'function')) {
    throw new TypeError('options.sessionStore must have put(), get() and take()');
  }
  if (store !== undefined && o.ticketSealer !== undefined) throw new TypeError('options.ticketSealer and options.sessionStore are exclusive');
  if (o.externalPsks !== undefined && typeof o.externalPsks !== 'function') throw new TypeError('options.externalPsks must be a function (identity) => ExternalPsk | undefined');
  const earlyDataAgeTolerance = o.earlyDataAgeTolerance ?? 10000;
  if (!Number.isInteger(earlyDataAgeTolerance) || earlyDataAgeTolerance < 0) throw new RangeError('options.earlyDataAgeTolerance must be a non-negative integer (ms)');
  let antiReplay = o.antiReplay;
  if (antiReplay !== undefined && (antiReplay === null || typeof antiReplay.check !== 'function')) throw new TypeError('options.antiReplay must have check()');
  // Safe by default: stateless 0-RTT always runs behind a strike register.
  if (antiReplay === undefined && maxEarlyDataSize > 0 && o.ticketSealer !== undefined) {
    antiReplay = createStrikeRegister({ window: Math.max(1, 2 * earlyDataAgeTolerance) });
  }
  const perHandshake = o.ticketsPerHandshake ?? (o.ticketSealer !== undefined || store !== undefined ? 1 : 0);
  const afterResumption = o.ticketsAfterResumption ?? perHandshake;
  for (const [n, v] of [['ticketsPerHandshake', perHandshake], ['ticketsAfterResumption', afterResumption]] as const) {
    // Clients stop reading a peer that sends many messages without data (Go after 16, ours after 32).
    if (!Number.isInteger(v) || v < 0 || v > 16) throw new RangeError(`options.${n} must be an integer in 0..16`);
  }
  return Object.freeze({
    ...c,
    certificates,
    certificateResolver: resolver,
    clientAuth,
    clientVerifier: o.clientVerifier,
    ticketSealer: o.ticketSealer,
    sessionStore: store,
    antiReplay,
    externalPsks: o.externalPsks,
    helloRetryCookie: o.helloRetryCookie,
    statelessRetry: statelessRetry(o),
    ticketsPerHandshake: perHandshake,
    ticketsAfterResumption: afterResumption,
    ticketLifetime,
    maxEarlyDataSize,
    earlyDataAgeTolerance,
  });
}
