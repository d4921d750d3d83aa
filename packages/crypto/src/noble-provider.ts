/**
 * The noble `CryptoProvider`, built on @noble/hashes, @noble/ciphers and @noble/curves, with RSA on
 * `bigint` (noble has none). Pure JavaScript: runs in every runtime.
 *
 * Curves, RSA and ChaCha20-Poly1305 are imported on first need (noble-families.ts). `prepare` loads
 * what a connection is about to use; `group()` and `aead()` of something not loaded yet throw
 * CryptoError ALGORITHM_NOT_LOADED, and `sign`/`verify` load it themselves. Entry points:
 * `@puretls/crypto/noble` loads everything up front (every call synchronous), `@puretls/crypto/noble-lazy`
 * nothing until it is needed.
 */
import { nobleAead } from './aead.js';
import { resolveAeadSpec } from './aead-spec.js';
import { CryptoError } from './errors.js';
import { hkdfExpand, hkdfExtract, hmac, nobleHash } from './hash.js';
import { xdhGroup } from './kex.js';
import { families, type FamilyName } from './noble-families.js';
import { platformRandom, randomBytesFrom } from './random.js';
import { signatureAlgorithmOf } from './schemes.js';
import { nobleSignatures } from './signature.js';
import type {
  CryptoProvider, KeyExchangeGroup, NamedGroupName, ProviderNeeds, RandomSource, SignatureAlgorithm, SignatureSchemeName,
} from './types.js';

export interface NobleProviderOptions {
  /** Randomness; defaults to `crypto.getRandomValues`. Tests inject a fixed source. */
  readonly random?: RandomSource;
}

const resolveAlgorithm = (a: SignatureAlgorithm | SignatureSchemeName): SignatureAlgorithm =>
  typeof a === 'string' ? signatureAlgorithmOf(a) : a;

const GROUP_FAMILY: Readonly<Record<NamedGroupName, FamilyName>> = {
  x25519: 'curve25519',
  x448: 'curve448',
  secp256r1: 'nist',
  secp384r1: 'nist',
  secp521r1: 'nist',
};

const SIGNATURE_FAMILY: Readonly<Record<SignatureAlgorithm['type'], FamilyName>> = {
  ecdsa: 'nist',
  ed25519: 'curve25519',
  ed448: 'curve448',
  'rsa-pss': 'rsa',
  'rsa-pkcs1': 'rsa',
};

function groupFamily(name: NamedGroupName): FamilyName {
  const f = typeof name === 'string' && Object.hasOwn(GROUP_FAMILY, name) ? GROUP_FAMILY[name] : undefined;
  if (f === undefined) throw new RangeError(`name must be a supported NamedGroup, got ${String(name)}`);
  return f;
}

function notLoaded(what: string, need: string): CryptoError {
  return new CryptoError('ALGORITHM_NOT_LOADED', `${what} is not loaded yet: await provider.prepare({ ${need} }) first`);
}

function makeGroup(name: NamedGroupName, random: RandomSource): KeyExchangeGroup {
  switch (name) {
    case 'x25519': {
      const m = families.curve25519.value;
      if (m === undefined) throw notLoaded(name, "groups: ['x25519']");
      return xdhGroup('x25519', m.x25519, 32, random);
    }
    case 'x448': {
      const m = families.curve448.value;
      if (m === undefined) throw notLoaded(name, "groups: ['x448']");
      return xdhGroup('x448', m.x448, 56, random);
    }
    default: {
      const m = families.nist.value;
      if (m === undefined) throw notLoaded(name, `groups: ['${name}']`);
      return m.nistGroup(name, name === 'secp256r1' ? 'P-256' : name === 'secp384r1' ? 'P-384' : 'P-521', random);
    }
  }
}

/** The families `needs` asks for (checked like the synchronous calls would check them). */
function familiesOf(needs: ProviderNeeds): Set<FamilyName> {
  if (typeof needs !== 'object' || needs === null) throw new TypeError('needs must be an object');
  const list = <T>(v: readonly T[] | undefined, name: string): readonly T[] => {
    if (v !== undefined && !Array.isArray(v)) throw new TypeError(`needs.${name} must be an array`);
    return v ?? [];
  };
  const out = new Set<FamilyName>();
  for (const g of list(needs.groups, 'groups')) out.add(groupFamily(g));
  for (const a of list(needs.aeads, 'aeads')) if (resolveAeadSpec(a).spec.cipher === 'CHACHA20-POLY1305') out.add('chacha');
  for (const s of list(needs.signatures, 'signatures')) {
    const alg = resolveAlgorithm(s) as SignatureAlgorithm | undefined; // undefined for an unknown scheme name
    if (typeof alg !== 'object' || alg === null) throw new RangeError(`needs.signatures: unknown signature scheme ${String(s)}`);
    const type = alg.type;
    const f = Object.hasOwn(SIGNATURE_FAMILY, type) ? SIGNATURE_FAMILY[type] : undefined;
    if (f === undefined) throw new TypeError(`needs.signatures: algorithm.type is not supported: ${String(type)}`);
    out.add(f);
  }
  return out;
}

/** Loads what `needs` names; nothing to wait for (undefined) when it is all loaded. */
export function prepareNoble(needs: ProviderNeeds): Promise<void> | undefined {
  const loading: Promise<unknown>[] = [];
  for (const f of familiesOf(needs)) if (families[f].value === undefined) loading.push(families[f].load());
  return loading.length === 0 ? undefined : Promise.all(loading).then(() => undefined);
}

export function createNobleProvider(options: NobleProviderOptions = {}): CryptoProvider {
  const random = options.random ?? platformRandom;
  if (typeof random !== 'function') throw new TypeError('options.random must be a function');
  const groups = new Map<NamedGroupName, KeyExchangeGroup>();
  const signatures = nobleSignatures(random);
  return Object.freeze({
    name: 'noble',
    prepare: prepareNoble,
    randomBytes: (length: number) => randomBytesFrom(random, length),
    hash: nobleHash,
    hmac,
    hkdfExtract,
    hkdfExpand,
    aead: (spec) => nobleAead(spec, families.chacha.value?.chachaPoly),
    group(name: NamedGroupName): KeyExchangeGroup {
      let g = groups.get(name);
      if (g === undefined) {
        groupFamily(name);
        g = makeGroup(name, random);
        groups.set(name, g);
      }
      return g;
    },
    sign: (algorithm, key, message) => signatures.sign(resolveAlgorithm(algorithm), key, message),
    verify: (algorithm, key, message, signature) => signatures.verify(resolveAlgorithm(algorithm), key, message, signature),
  } satisfies CryptoProvider);
}
