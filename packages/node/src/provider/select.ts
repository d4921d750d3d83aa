/**
 * Picks the provider for the runtime: node:crypto where it works (it is probed once, synchronously,
 * through `process.getBuiltinModule` so that a runtime without it costs nothing and a bundler does not
 * pull it in), otherwise the pure noble provider. `force` overrides the choice, as does the
 * PURETLS_PROVIDER environment variable ('node' or 'noble') when no `force` is given.
 */
import type { CryptoProvider, RandomSource } from '@puretls/crypto';
import { createNobleProvider } from '@puretls/crypto/noble-lazy';
import { createNodeProvider } from './index.js';

export type ProviderChoice = 'auto' | 'node' | 'noble';

export interface SelectProviderOptions {
  /** 'node' fails when node:crypto lacks what the provider needs; 'noble' is always available. Default 'auto'. */
  readonly force?: ProviderChoice;
  readonly random?: RandomSource;
}

interface NodeCryptoProbe {
  createCipheriv?: unknown;
  diffieHellman?: unknown;
  getCiphers?: () => string[];
  getCurves?: () => string[];
}

function nodeCryptoUsable(): boolean {
  const proc = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
  const c = proc?.getBuiltinModule?.('node:crypto') as NodeCryptoProbe | undefined;
  if (c === undefined || typeof c.createCipheriv !== 'function' || typeof c.diffieHellman !== 'function') return false;
  // Every AEAD and curve the provider offers must be there (some embedders build OpenSSL without them).
  const ciphers = new Set(c.getCiphers?.() ?? []);
  const curves = new Set(c.getCurves?.() ?? []);
  return ['aes-128-gcm', 'aes-256-gcm', 'chacha20-poly1305', 'aes-128-ccm'].every((x) => ciphers.has(x)) && ['prime256v1', 'secp384r1', 'secp521r1'].every((x) => curves.has(x));
}

function envChoice(): ProviderChoice | undefined {
  const env = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env?.['PURETLS_PROVIDER'];
  return env === 'node' || env === 'noble' || env === 'auto' ? env : undefined;
}

export function selectProvider(options: SelectProviderOptions = {}): CryptoProvider {
  if (typeof options !== 'object' || options === null) throw new TypeError('options must be an object');
  const force = options.force ?? envChoice() ?? 'auto';
  if (force !== 'auto' && force !== 'node' && force !== 'noble') throw new RangeError(`options.force must be 'auto', 'node' or 'noble', got ${String(force)}`);
  const random = options.random;
  const opts = random === undefined ? {} : { random };
  if (force === 'noble') return createNobleProvider(opts);
  if (force === 'node') {
    if (!nodeCryptoUsable()) throw new Error('node:crypto is not available (or lacks an AEAD or curve) in this runtime');
    return createNodeProvider(opts);
  }
  return nodeCryptoUsable() ? createNodeProvider(opts) : createNobleProvider(opts);
}
