/**
 * The options of the binding: node:tls names first (`ca`, `cert`, `key`, `ALPNProtocols`,
 * `rejectUnauthorized`, `servername`, `session`, `requestCert`, `SNICallback`, ...), then ours
 * (`groups`, `cipherSuites`, `signatureSchemes`, `keyLog`, `earlyData`, ...), and their translation
 * into the engine's config fields.
 */
import type { Duplex } from 'node:stream';
import type { CryptoProvider } from '@puretls/crypto';
import type { AntiReplay, CipherSuiteName, TicketSealer } from '@puretls/tls';
import { alpnFrom, cipherSuitesFrom, groupsFrom, signatureSchemesFrom } from './names.js';
import { selectProvider, type ProviderChoice } from './provider/select.js';
import type { PeerCertificate } from './peer-certificate.js';
import type { SecureContext, SecureContextOptions } from './secure-context.js';

type Version = 'TLSv1.3' | 'TLSv1.2' | 'TLSv1.1' | 'TLSv1';

/** Options both sides share (node:tls names first, then ours). */
export interface CommonOptions extends SecureContextOptions {
  readonly secureContext?: SecureContext;
  readonly ALPNProtocols?: readonly (string | Uint8Array)[];
  /** Client: refuse an unverified server (default true). Server: refuse an unverified client certificate. */
  readonly rejectUnauthorized?: boolean;
  readonly minVersion?: Version;
  readonly maxVersion?: Version;
  /** Ours: key exchange groups in preference order (`['x25519', 'secp256r1']` or `'X25519:P-256'`). */
  readonly groups?: string | readonly string[];
  /** node's name for the same (`'X25519:P-256'`). */
  readonly ecdhCurve?: string;
  /** Ours: TLS 1.3 suites in preference order; node's `ciphersuites` string is accepted too. */
  readonly cipherSuites?: string | readonly string[];
  readonly ciphersuites?: string;
  /** node's cipher string: its TLS 1.3 entries (`TLS_...`) are used, TLS 1.2 ones are ignored. */
  readonly ciphers?: string;
  readonly signatureSchemes?: string | readonly string[];
  readonly sigalgs?: string;
  /** Ours: called with each NSS key log line (the `'keylog'` event carries it too). */
  readonly keyLog?: (line: Buffer) => void;
  /**
   * Ours: the crypto provider, or which one to pick: 'auto' (the default: node:crypto where the runtime
   * has it, else noble; PURETLS_PROVIDER=node|noble overrides), 'node' or 'noble' to force one.
   */
  readonly provider?: CryptoProvider | ProviderChoice;
  /** Like net.Socket: keep our write side open after the peer closed its side (default false). */
  readonly allowHalfOpen?: boolean;
}

export interface ClientOptions extends CommonOptions {
  readonly host?: string;
  readonly port?: number;
  /** SNI (and the name checked); default `host` unless it is an IP literal. */
  readonly servername?: string;
  readonly checkServerIdentity?: (host: string, cert: PeerCertificate) => Error | undefined;
  /** A session from `'session'` / `getSession()` to resume. */
  readonly session?: Uint8Array;
  /** An existing connection to run TLS over (STARTTLS). */
  readonly socket?: Duplex;
  /** Ours: 0-RTT data sent with a resumption whose ticket allows it (resent after the handshake if refused). */
  readonly earlyData?: Uint8Array;
  /** Ours: groups to send key shares for in the first ClientHello (default: the first group). */
  readonly keyShareGroups?: string | readonly string[];
}

export interface ServerSideOptions extends CommonOptions {
  readonly requestCert?: boolean;
  /** Ours: overrides `requestCert`: 'optional' asks, 'required' insists (validation failures still follow rejectUnauthorized). */
  readonly clientAuth?: 'none' | 'optional' | 'required';
  readonly SNICallback?: (servername: string, cb: (err: Error | null, ctx?: SecureContext | null) => void) => void;
  /** Ours: extra certificates chosen by SNI (exact host names). */
  readonly certificates?: readonly { readonly context: SecureContext; readonly serverNames: readonly string[] }[];
  /** Ours: accept 0-RTT up to this many bytes (default 0: refused). */
  readonly maxEarlyData?: number;
}

export interface TLSSocketOptions extends ClientOptions, ServerSideOptions {
  readonly isServer?: boolean;
  /** Server side: session tickets sealed with this (set by `createServer`). */
  readonly ticketSealer?: TicketSealer;
  /** Server side: the 0-RTT replay filter shared by the server's connections (set by `createServer`). */
  readonly antiReplay?: AntiReplay;
  /** Server side: NewSessionTicket messages after a full handshake. */
  readonly ticketsPerHandshake?: number;
}

export interface Cipher {
  readonly name: CipherSuiteName;
  readonly standardName: CipherSuiteName;
  readonly version: 'TLSv1.3';
}

export const IP_LITERAL = /^(\d{1,3}(\.\d{1,3}){3}|[0-9a-fA-F:]*:[0-9a-fA-F:.]*)$/;

export function checkVersions(o: CommonOptions): void {
  if (o.maxVersion !== undefined && o.maxVersion !== 'TLSv1.3') throw new RangeError('options.maxVersion: puretls speaks TLS 1.3 only');
  if (o.minVersion !== undefined && !['TLSv1.3', 'TLSv1.2', 'TLSv1.1', 'TLSv1'].includes(o.minVersion)) throw new RangeError('options.minVersion must be a TLS version name');
}

const chosen = new Map<ProviderChoice | 'default', CryptoProvider>();

/**
 * `options.provider` as a provider: one instance per choice, so that the per-provider caches (signers,
 * certificate verifiers) are shared by every connection. Unset means 'auto' with PURETLS_PROVIDER honoured.
 */
export function resolveProvider(p: CryptoProvider | ProviderChoice | undefined): CryptoProvider {
  if (p !== undefined && typeof p !== 'string') {
    if (p === null || typeof p !== 'object') throw new TypeError('options.provider must be a CryptoProvider or auto, node, noble');
    return p;
  }
  if (p !== undefined && p !== 'auto' && p !== 'node' && p !== 'noble') throw new RangeError(`options.provider must be 'auto', 'node' or 'noble', got ${String(p)}`);
  const key = p ?? 'default';
  let provider = chosen.get(key);
  if (provider === undefined) {
    provider = selectProvider(p === undefined ? {} : { force: p });
    chosen.set(key, provider);
  }
  return provider;
}

export function commonConfig(o: CommonOptions) {
  const groups = o.groups ?? o.ecdhCurve;
  const fromCiphers = o.ciphers?.split(':').filter((c) => c.startsWith('TLS_'));
  const suites = o.cipherSuites ?? o.ciphersuites ?? (fromCiphers !== undefined && fromCiphers.length > 0 ? fromCiphers : undefined);
  const schemes = o.signatureSchemes ?? o.sigalgs;
  return {
    provider: resolveProvider(o.provider),
    now: () => Date.now(),
    alpnProtocols: alpnFrom(o.ALPNProtocols),
    ...(groups === undefined || groups === 'auto' ? {} : { groups: groupsFrom(groups) }),
    ...(suites === undefined ? {} : { cipherSuites: cipherSuitesFrom(suites) }),
    ...(schemes === undefined ? {} : { signatureSchemes: signatureSchemesFrom(schemes) }),
  };
}

