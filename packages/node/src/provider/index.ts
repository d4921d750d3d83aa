/**
 * The accelerated `CryptoProvider` over node:crypto (OpenSSL), synchronous like the noble one and
 * with the same semantics (see each file), and `selectProvider`, which picks the best provider for
 * the runtime: node:crypto where it is present (Node, Bun, Deno's node compatibility), otherwise the
 * pure noble provider; either can be forced.
 */
import { randomFillSync } from 'node:crypto';
import type { CryptoProvider, KeyExchangeGroup, NamedGroupName, RandomSource, SignatureAlgorithm, SignatureSchemeName } from '@puretls/crypto';
import { signatureAlgorithmOf } from '@puretls/crypto';
import { nodeAead } from './aead.js';
import { nodeHash, nodeHkdfExpand, nodeHkdfExtract, nodeHmac } from './hash.js';
import { nodeGroup } from './kex.js';
import { nodeSignatures } from './signature.js';

export { selectProvider, type ProviderChoice, type SelectProviderOptions } from './select.js';

export interface NodeProviderOptions {
  /**
   * Randomness for `randomBytes` and key generation; defaults to OpenSSL's CSPRNG. X25519/X448 keys
   * always come from it; when given, NIST-curve key pairs are derived from it exactly as the noble
   * provider derives them (same bytes, same key), when not, OpenSSL generates them itself (faster).
   * ECDSA, RSA-PSS and RSA blinding always use OpenSSL's own randomness.
   */
  readonly random?: RandomSource;
}

// OpenSSL's CSPRNG, drawn a few KiB at a time: a handshake asks for about six short strings (randoms,
// key shares, ticket nonces) and each native call costs more than the bytes. Bytes handed out are
// zeroed in the pool, so none stays behind in memory once used.
const POOL_SIZE = 4096;
const SMALL = 256;
const pool = new Uint8Array(POOL_SIZE);
let poolAt = POOL_SIZE;

// getRandomValues-compatible default; no 64 KiB limit.
const opensslRandom: RandomSource = (out) => {
  const n = out.length;
  if (n > SMALL) {
    randomFillSync(out);
    return;
  }
  if (poolAt + n > POOL_SIZE) {
    randomFillSync(pool);
    poolAt = 0;
  }
  out.set(pool.subarray(poolAt, poolAt + n));
  pool.fill(0, poolAt, poolAt + n);
  poolAt += n;
};

const resolveAlgorithm = (a: SignatureAlgorithm | SignatureSchemeName): SignatureAlgorithm => (typeof a === 'string' ? signatureAlgorithmOf(a) : a);

export function createNodeProvider(options: NodeProviderOptions = {}): CryptoProvider {
  const random = options.random ?? opensslRandom;
  if (typeof random !== 'function') throw new TypeError('options.random must be a function');
  const groups = new Map<NamedGroupName, KeyExchangeGroup>();
  const signatures = nodeSignatures(random);
  return Object.freeze({
    name: 'node:crypto',
    randomBytes(length: number): Uint8Array {
      if (!Number.isSafeInteger(length) || length < 0) throw new RangeError(`length must be a non-negative integer, got ${length}`);
      const out = new Uint8Array(length);
      random(out);
      return out;
    },
    hash: nodeHash,
    hmac: nodeHmac,
    hkdfExtract: nodeHkdfExtract,
    hkdfExpand: nodeHkdfExpand,
    aead: nodeAead,
    group(name: NamedGroupName): KeyExchangeGroup {
      let g = groups.get(name);
      if (g === undefined) {
        g = nodeGroup(name, random, options.random !== undefined);
        groups.set(name, g);
      }
      return g;
    },
    sign: (algorithm, key, message) => signatures.sign(resolveAlgorithm(algorithm), key, message),
    verify: (algorithm, key, message, signature) => signatures.verify(resolveAlgorithm(algorithm), key, message, signature),
  } satisfies CryptoProvider);
}
