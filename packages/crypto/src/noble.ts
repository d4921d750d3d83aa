/**
 * The default `CryptoProvider`, built on @noble/hashes, @noble/ciphers and @noble/curves, with RSA
 * on `bigint` (noble has none). Pure JavaScript: runs in every runtime.
 */
import { nobleAead } from './aead.js';
import { hkdfExpand, hkdfExtract, hmac, nobleHash } from './hash.js';
import { nobleGroup } from './kex.js';
import { platformRandom, randomBytesFrom } from './random.js';
import { signatureAlgorithmOf } from './schemes.js';
import { nobleSignatures } from './signature.js';
import type { CryptoProvider, KeyExchangeGroup, NamedGroupName, RandomSource, SignatureAlgorithm, SignatureSchemeName } from './types.js';

export interface NobleProviderOptions {
  /** Randomness; defaults to `crypto.getRandomValues`. Tests inject a fixed source. */
  readonly random?: RandomSource;
}

const resolveAlgorithm = (a: SignatureAlgorithm | SignatureSchemeName): SignatureAlgorithm =>
  typeof a === 'string' ? signatureAlgorithmOf(a) : a;

export function createNobleProvider(options: NobleProviderOptions = {}): CryptoProvider {
  const random = options.random ?? platformRandom;
  if (typeof random !== 'function') throw new TypeError('options.random must be a function');
  const groups = new Map<NamedGroupName, KeyExchangeGroup>();
  const signatures = nobleSignatures(random);
  return Object.freeze({
    name: 'noble',
    randomBytes: (length: number) => randomBytesFrom(random, length),
    hash: nobleHash,
    hmac,
    hkdfExtract,
    hkdfExpand,
    aead: nobleAead,
    group(name: NamedGroupName): KeyExchangeGroup {
      let g = groups.get(name);
      if (g === undefined) {
        g = nobleGroup(name, random);
        groups.set(name, g);
      }
      return g;
    },
    sign: (algorithm, key, message) => signatures.sign(resolveAlgorithm(algorithm), key, message),
    verify: (algorithm, key, message, signature) => signatures.verify(resolveAlgorithm(algorithm), key, message, signature),
  } satisfies CryptoProvider);
}

/** A shared provider with platform randomness. */
export const nobleProvider: CryptoProvider = createNobleProvider();
