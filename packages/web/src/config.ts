/**
 * Usual defaults for the Web binding: the Web Crypto provider where the runtime has `crypto.subtle`
 * (signatures and AES-GCM application data on the platform, the rest on noble), else the noble
 * provider; AES-GCM first with Web Crypto, ChaCha20-Poly1305 first without it (a software AES needs
 * key-dependent lookup tables and was the slower in Chromium, see the README); the runtime's clock; and X.509 path validation against the trust anchors given. No root list
 * is built in: pass your CA, or import `@puretls/x509/mozilla-roots` (only bundles that import it carry it).
 */
import type { CryptoProvider } from '@puretls/crypto';
import { createNobleProvider } from '@puretls/crypto/noble-lazy';
import { createWebCryptoProvider, hasWebCryptoAes, platformSubtle } from '@puretls/crypto/webcrypto';
import { clientConfig, serverConfig, type CipherSuiteName, type ClientConfig, type ClientConfigOptions, type ServerConfig, type ServerConfigOptions } from '@puretls/tls';
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

export type WebProviderChoice = 'auto' | 'webcrypto' | 'noble';

const shared: { webcrypto?: CryptoProvider; noble?: CryptoProvider } = {};

/**
 * The provider for `choice`: 'webcrypto' (throws a TypeError where there is no `crypto.subtle`),
 * 'noble', or 'auto' (default): Web Crypto when the runtime has it. One instance per choice is shared,
 * so imported keys are cached across connections.
 */
export function selectWebProvider(choice: WebProviderChoice = 'auto'): CryptoProvider {
  if (choice !== 'auto' && choice !== 'webcrypto' && choice !== 'noble') throw new RangeError("choice must be 'auto', 'webcrypto' or 'noble'");
  const kind = choice === 'auto' ? (platformSubtle() !== undefined ? 'webcrypto' : 'noble') : choice;
  if (kind === 'noble') return (shared.noble ??= createNobleProvider());
  return (shared.webcrypto ??= createWebCryptoProvider());
}

/** Our suite order without fast AES: ChaCha20-Poly1305 first, then the AES suites as @puretls/tls orders them. */
export const WEB_CIPHER_SUITES: readonly CipherSuiteName[] = Object.freeze([
  'TLS_CHACHA20_POLY1305_SHA256',
  'TLS_AES_128_GCM_SHA256',
  'TLS_AES_256_GCM_SHA384',
  'TLS_AES_128_CCM_SHA256',
  'TLS_AES_128_CCM_8_SHA256',
] satisfies CipherSuiteName[]);

/** With AES-GCM records on Web Crypto (hardware AES where the platform has it): AES-GCM first. */
export const WEB_CRYPTO_CIPHER_SUITES: readonly CipherSuiteName[] = Object.freeze([
  'TLS_AES_128_GCM_SHA256',
  'TLS_AES_256_GCM_SHA384',
  'TLS_CHACHA20_POLY1305_SHA256',
  'TLS_AES_128_CCM_SHA256',
  'TLS_AES_128_CCM_8_SHA256',
] satisfies CipherSuiteName[]);

/** The default suite order for `provider` (issue: on a runtime without fast AES, prefer ChaCha20-Poly1305). */
export function webCipherSuites(provider: CryptoProvider): readonly CipherSuiteName[] {
  return hasWebCryptoAes(provider) ? WEB_CRYPTO_CIPHER_SUITES : WEB_CIPHER_SUITES;
}

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

/** A client config: `selectWebProvider()`, `Date.now`, ChaCha20 first, X.509 verification against `trustAnchors`. */
export function webClientConfig(options: WebClientConfigOptions): ClientConfig {
  if (options === null || typeof options !== 'object') throw new TypeError('options must be an object');
  const provider: CryptoProvider = options.provider ?? selectWebProvider();
  const verifier = createCertificateVerifier({ trustAnchors: trustStore(options.trustAnchors), provider });
  const { trustAnchors: _anchors, ...rest } = options;
  return clientConfig({ cipherSuites: webCipherSuites(provider), ...rest, provider, now: options.now ?? clock, verifier });
}

/** A server config: `selectWebProvider()`, `Date.now`, ChaCha20 first, certificates and keys as PEM or DER. */
export function webServerConfig(options: WebServerConfigOptions): ServerConfig {
  if (options === null || typeof options !== 'object') throw new TypeError('options must be an object');
  if (!Array.isArray(options.certificates)) throw new TypeError('options.certificates must be an array');
  const provider: CryptoProvider = options.provider ?? selectWebProvider();
  const certificates = options.certificates.map((c, i) => ({
    chain: typeof c.chain === 'string' ? pemBlocks(c.chain, 'CERTIFICATE', `options.certificates[${i}].chain`) : c.chain,
    key: typeof c.key === 'string' ? (pemBlocks(c.key, 'PRIVATE KEY', `options.certificates[${i}].key`)[0] as Uint8Array) : c.key,
    ...(c.serverNames !== undefined ? { serverNames: c.serverNames } : {}),
  }));
  return serverConfig({ cipherSuites: webCipherSuites(provider), ...options, provider, now: options.now ?? clock, certificates });
}
