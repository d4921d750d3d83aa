/**
 * Usual defaults for the Web binding: the noble provider, the runtime's clock, and X.509 path
 * validation against the trust anchors given. No root list is built in: pass your CA, or import
 * `@puretls/x509/mozilla-roots` (only bundles that import it carry it).
 */
import type { CryptoProvider } from '@puretls/crypto';
import { createNobleProvider } from '@puretls/crypto/noble';
import { clientConfig, serverConfig, type ClientConfig, type ClientConfigOptions, type ServerConfig, type ServerConfigOptions } from '@puretls/tls';
import { createCertificateVerifier, decodePem, TrustStore } from '@puretls/x509';

export interface WebClientConfigOptions extends Partial<Omit<ClientConfigOptions, 'verifier'>> {
  /** PEM text, DER certificates, or a TrustStore (e.g. `mozillaRoots()` of @puretls/x509/mozilla-roots). */
  readonly trustAnchors: string | readonly Uint8Array[] | TrustStore;
}

export interface WebServerCertificate {
  /** PEM text (leaf first) or DER certificates. */
  readonly chain: string | readonly Uint8Array[];
  /** PEM (PKCS#8 "PRIVATE KEY") or PKCS#8 DER. */
  readonly key: string | Uint8Array;
  readonly serverNames?: readonly string[];
}

export interface WebServerConfigOptions extends Partial<Omit<ServerConfigOptions, 'certificates'>> {
  readonly certificates: readonly WebServerCertificate[];
}

const clock = (): number => Date.now();

function trustStore(anchors: WebClientConfigOptions['trustAnchors']): TrustStore {
  if (anchors instanceof TrustStore) return anchors;
  if (typeof anchors === 'string') return TrustStore.fromPem(anchors);
  if (Array.isArray(anchors) && anchors.every((a) => a instanceof Uint8Array)) return TrustStore.fromDer(anchors);
  throw new TypeError('options.trustAnchors must be PEM text, an array of DER certificates or a TrustStore');
}

function pemBlocks(text: string, label: string, name: string): Uint8Array[] {
  const blocks = decodePem(text).filter((b) => b.label === label).map((b) => b.der);
  if (blocks.length === 0) throw new TypeError(`${name} has no ${label} block`);
  return blocks;
}

/** A client config: noble crypto, `Date.now`, X.509 verification against `trustAnchors`. */
export function webClientConfig(options: WebClientConfigOptions): ClientConfig {
  if (options === null || typeof options !== 'object') throw new TypeError('options must be an object');
  const provider: CryptoProvider = options.provider ?? createNobleProvider();
  const verifier = createCertificateVerifier({ trustAnchors: trustStore(options.trustAnchors), provider });
  const { trustAnchors: _anchors, ...rest } = options;
  return clientConfig({ ...rest, provider, now: options.now ?? clock, verifier });
}

/** A server config: noble crypto, `Date.now`, certificates and keys as PEM or DER. */
export function webServerConfig(options: WebServerConfigOptions): ServerConfig {
  if (options === null || typeof options !== 'object') throw new TypeError('options must be an object');
  if (!Array.isArray(options.certificates)) throw new TypeError('options.certificates must be an array');
  const provider: CryptoProvider = options.provider ?? createNobleProvider();
  const certificates = options.certificates.map((c, i) => ({
    chain: typeof c.chain === 'string' ? pemBlocks(c.chain, 'CERTIFICATE', `options.certificates[${i}].chain`) : c.chain,
    key: typeof c.key === 'string' ? (pemBlocks(c.key, 'PRIVATE KEY', `options.certificates[${i}].key`)[0] as Uint8Array) : c.key,
    ...(c.serverNames !== undefined ? { serverNames: c.serverNames } : {}),
  }));
  return serverConfig({ ...options, provider, now: options.now ?? clock, certificates });
}
