/**
 * A `CryptoProvider` that hands signatures to the runtime's Web Crypto API (`crypto.subtle`: BoringSSL
 * in Chromium and Bun, Rust crates in Deno, OpenSSL in Node) and keeps everything else on the noble
 * provider. Signing and verification are the expensive part of a handshake in pure JavaScript (an
 * ECDSA P-256 verification costs noble ≈ 2 ms, RSA-2048 signing ≈ 10 ms) and the engine already
 * waits for them asynchronously (DESIGN.md: "Signing and verification may be asynchronous"); hashing,
 * HKDF, key exchange and record protection must be synchronous, so they stay on noble.
 *
 * Through Web Crypto: ECDSA P-256/384/521 with SHA-256/384/512 (DER or P1363), RSASSA-PSS with the
 * MGF1 hash equal to the message hash (all TLS schemes), RSASSA-PKCS1-v1_5. On noble: Ed25519 and
 * Ed448 (Web Crypto has no Ed448 and its Ed25519 strictness differs between engines), PSS with
 * another MGF1 hash, and every input the checks below route there.
 *
 * Same answers as the noble provider: the shared dispatcher checks the arguments and matches keys;
 * before Web Crypto sees a signature it is parsed as strict DER or P1363 with 1 <= r, s < n (engines
 * differ in leniency), RSA keys must be usable as noble defines it and signatures exactly the modulus
 * length; a key the engine refuses to import is decided by noble. Proven by the same Wycheproof files
 * as the other providers. Randomness: ECDSA nonces and PSS salts come from the engine's own CSPRNG
 * (as with node:crypto); `randomBytes` and key generation use the provider's source.
 */
import { ecCurveParams as ecCurve } from './curve-params.js';
import { bigIntToBytes, bytesToBigInt, signatureToCompact } from './ecdsa-encoding.js';
import { derInteger, derSequence } from './der.js';
import { families } from './noble-families.js';
import { createNobleProvider } from './noble-provider.js';
import { webCryptoAesGcm } from './webcrypto-aead.js';
import { bitLength } from './rsa/bigint.js';
import { validateRsaPrivateKey } from './rsa/key.js';
import { isUsablePublicKey } from './rsa/public.js';
import { platformRandom } from './random.js';
import { signatureAlgorithmOf } from './schemes.js';
import { nobleSignatures } from './signature.js';
import { dispatchSignatures, type SignatureDispatch } from './signature-dispatch.js';
import type {
  AeadAlgorithm,
  AeadName,
  AeadSpec,
  CryptoProvider,
  EcCurve,
  HashName,
  MaybePromise,
  PrivateKey,
  PublicKey,
  RandomSource,
  RsaPrivateKey,
  SignatureAlgorithm,
  SignatureSchemeName,
} from './types.js';

export interface WebCryptoProviderOptions {
  /** The SubtleCrypto to use; defaults to `globalThis.crypto.subtle`. */
  readonly subtle?: SubtleCrypto;
  /** AES-GCM application data records on Web Crypto, asynchronously (default true; false: all on noble). */
  readonly asyncRecords?: boolean;
  /** Randomness for `randomBytes` and key generation; defaults to `crypto.getRandomValues`. */
  readonly random?: RandomSource;
}

/** The runtime's SubtleCrypto, or undefined (no Web Crypto, or a browser page that is not a secure context). */
export function platformSubtle(): SubtleCrypto | undefined {
  const c = (globalThis as { crypto?: { subtle?: SubtleCrypto } }).crypto;
  return c?.subtle ?? undefined;
}

const HASH_LENGTH: Readonly<Record<HashName, number>> = { 'SHA-256': 32, 'SHA-384': 48, 'SHA-512': 64 };

function base64url(bytes: Uint8Array): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
  let out = '';
  let i = 0;
  for (; i + 2 < bytes.length; i += 3) {
    const v = ((bytes[i] as number) << 16) | ((bytes[i + 1] as number) << 8) | (bytes[i + 2] as number);
    out += alphabet[v >> 18] + (alphabet[(v >> 12) & 63] as string) + (alphabet[(v >> 6) & 63] as string) + (alphabet[v & 63] as string);
  }
  const rest = bytes.length - i;
  if (rest > 0) {
    const v = ((bytes[i] as number) << 16) | (rest === 2 ? (bytes[i + 1] as number) << 8 : 0);
    out += (alphabet[v >> 18] as string) + (alphabet[(v >> 12) & 63] as string) + (rest === 2 ? (alphabet[(v >> 6) & 63] as string) : '');
  }
  return out;
}

/** RFC 7518 §2 Base64urlUInt: the minimal big-endian octets of a non-negative integer. */
function uint(n: bigint): string {
  return base64url(bigIntToBytes(n, Math.max(1, Math.ceil(bitLength(n) / 8))));
}

// Web Crypto takes BufferSource; a Uint8Array over an ArrayBuffer is one.
const buf = (b: Uint8Array): Uint8Array<ArrayBuffer> => (b.buffer instanceof ArrayBuffer ? (b as Uint8Array<ArrayBuffer>) : new Uint8Array(b));

/** Imported keys, per key object and algorithm: a server signs with one key many times. */
class KeyCache {
  readonly #keys = new WeakMap<object, Map<string, Promise<CryptoKey>>>();
  get(key: object, algorithm: string, load: () => Promise<CryptoKey>): Promise<CryptoKey> {
    let m = this.#keys.get(key);
    if (m === undefined) {
      m = new Map();
      this.#keys.set(key, m);
    }
    let k = m.get(algorithm);
    if (k === undefined) {
      k = load();
      m.set(algorithm, k);
      // A refused import is not cached: the caller falls back to noble, and a later call may retry.
      k.catch(() => m.delete(algorithm));
    }
    return k;
  }
}

/** `op` on the imported key; noble decides when the runtime refuses the import or the operation. */
function onWeb<T>(key: Promise<CryptoKey>, op: (k: CryptoKey) => Promise<T>, noble: () => MaybePromise<T>): Promise<T> {
  return key.then(op).catch(() => noble());
}

function webSignatures(subtle: SubtleCrypto, noble: SignatureDispatch<true>): SignatureDispatch<true> {
  const keys = new KeyCache();
  const validRsa = new WeakSet<RsaPrivateKey>();
  // A JWK private key needs its public point: noble's curve, loaded on the first EC key (once per key).
  const ecPublicPoint = async (curve: EcCurve, d: Uint8Array): Promise<Uint8Array> => (await families.nist.load()).ecCurve(curve).ecdsa.getPublicKey(d, false);

  const ecPrivate = (key: Extract<PrivateKey, { kind: 'ec' }>): Promise<CryptoKey> =>
    keys.get(key, 'ECDSA', async () => {
      const c = ecCurve(key.curve);
      const point = await ecPublicPoint(key.curve, key.d);
      const L = c.fieldLength;
      const jwk: JsonWebKey = {
        kty: 'EC',
        crv: key.curve,
        d: base64url(key.d),
        x: base64url(point.subarray(1, 1 + L)),
        y: base64url(point.subarray(1 + L)),
      };
      return subtle.importKey('jwk', jwk, { name: 'ECDSA', namedCurve: key.curve }, false, ['sign']);
    });

  const rsaJwk = (key: { n: bigint; e: bigint }): JsonWebKey => ({ kty: 'RSA', n: uint(key.n), e: uint(key.e) });
  const rsaPrivate = (key: RsaPrivateKey, name: 'RSA-PSS' | 'RSASSA-PKCS1-v1_5', hash: HashName): Promise<CryptoKey> =>
    keys.get(key, `${name}/${hash}`, () => {
      const jwk: JsonWebKey = { ...rsaJwk(key), d: uint(key.d), p: uint(key.p), q: uint(key.q), dp: uint(key.dp), dq: uint(key.dq), qi: uint(key.qi) };
      return subtle.importKey('jwk', jwk, { name, hash }, false, ['sign']);
    });

  /** Valid for noble's rules (CryptoError INVALID_PRIVATE_KEY otherwise), checked once per key. */
  const checkRsa = (key: RsaPrivateKey): void => {
    if (validRsa.has(key)) return;
    validateRsaPrivateKey(key);
    validRsa.add(key);
  };

  const pssFits = (n: bigint, hash: HashName, saltLength: number): boolean => Math.ceil((bitLength(n) - 1) / 8) >= HASH_LENGTH[hash] + saltLength + 2;

  return dispatchSignatures({
    ecdsa: {
      sign(alg, key, message) {
        const c = ecCurve(alg.curve);
        // The caller's errors (a scalar out of range) come from noble, synchronously, as before.
        if (!(key.d instanceof Uint8Array) || key.d.length !== c.scalarLength) return noble.sign(alg, key, message);
        const d = bytesToBigInt(key.d);
        if (d < 1n || d >= c.n) return noble.sign(alg, key, message);
        return onWeb(
          ecPrivate(key),
          async (k) => {
            const p1363 = new Uint8Array(await subtle.sign({ name: 'ECDSA', hash: alg.hash }, k, buf(message)));
            if (alg.encoding === 'p1363') return p1363;
            const L = c.scalarLength;
            return derSequence(derInteger(bytesToBigInt(p1363.subarray(0, L))), derInteger(bytesToBigInt(p1363.subarray(L))));
          },
          () => noble.sign(alg, key, message),
        );
      },
      verify(alg, key, message, signature) {
        const c = ecCurve(alg.curve);
        const compact = signatureToCompact(c, alg.encoding, signature);
        if (compact === undefined) return false;
        if (key.point.length !== c.pointLength || key.point[0] !== 0x04) return false;
        return onWeb(
          keys.get(key, 'ECDSA', () => subtle.importKey('raw', buf(key.point), { name: 'ECDSA', namedCurve: alg.curve }, false, ['verify'])),
          (k) => subtle.verify({ name: 'ECDSA', hash: alg.hash }, k, buf(compact), buf(message)),
          () => noble.verify(alg, key, message, signature),
        );
      },
    },
    // Ed25519 / Ed448: noble (see the header).
    ed25519: { sign: (alg, key, message) => noble.sign(alg, key, message), verify: (alg, key, message, signature) => noble.verify(alg, key, message, signature) },
    ed448: { sign: (alg, key, message) => noble.sign(alg, key, message), verify: (alg, key, message, signature) => noble.verify(alg, key, message, signature) },
    'rsa-pss': {
      sign(alg, key, message) {
        checkRsa(key);
        if (alg.mgfHash !== alg.hash || !pssFits(key.n, alg.hash, alg.saltLength)) return noble.sign(alg, key, message);
        return onWeb(
          rsaPrivate(key, 'RSA-PSS', alg.hash),
          async (k) => new Uint8Array(await subtle.sign({ name: 'RSA-PSS', saltLength: alg.saltLength }, k, buf(message))),
          () => noble.sign(alg, key, message),
        );
      },
      verify(alg, key, message, signature) {
        if (alg.mgfHash !== alg.hash) return noble.verify(alg, key, message, signature);
        if (!isUsablePublicKey(key) || signature.length !== Math.ceil(bitLength(key.n) / 8)) return false;
        if (!pssFits(key.n, alg.hash, alg.saltLength)) return false;
        return onWeb(
          keys.get(key, `RSA-PSS/${alg.hash}`, () => subtle.importKey('jwk', rsaJwk(key), { name: 'RSA-PSS', hash: alg.hash }, false, ['verify'])),
          (k) => subtle.verify({ name: 'RSA-PSS', saltLength: alg.saltLength }, k, buf(signature), buf(message)),
          () => noble.verify(alg, key, message, signature),
        );
      },
    },
    'rsa-pkcs1': {
      sign(alg, key, message) {
        checkRsa(key);
        return onWeb(
          rsaPrivate(key, 'RSASSA-PKCS1-v1_5', alg.hash),
          async (k) => new Uint8Array(await subtle.sign({ name: 'RSASSA-PKCS1-v1_5' }, k, buf(message))),
          () => noble.sign(alg, key, message),
        );
      },
      verify(alg, key, message, signature) {
        if (!isUsablePublicKey(key) || signature.length !== Math.ceil(bitLength(key.n) / 8)) return false;
        return onWeb(
          keys.get(key, `RSASSA-PKCS1-v1_5/${alg.hash}`, () =>
            subtle.importKey('jwk', rsaJwk(key), { name: 'RSASSA-PKCS1-v1_5', hash: alg.hash }, false, ['verify']),
          ),
          (k) => subtle.verify({ name: 'RSASSA-PKCS1-v1_5' }, k, buf(signature), buf(message)),
          () => noble.verify(alg, key, message, signature),
        );
      },
    },
  });
}

const resolveAlgorithm = (a: SignatureAlgorithm | SignatureSchemeName): SignatureAlgorithm => (typeof a === 'string' ? signatureAlgorithmOf(a) : a);

const withAsyncAes = new WeakSet<CryptoProvider>();

/** Whether `provider` is a Web Crypto provider whose AES-GCM records go to Web Crypto (fast AES). */
export function hasWebCryptoAes(provider: CryptoProvider): boolean {
  return withAsyncAes.has(provider);
}

/**
 * The noble provider with ECDSA and RSA signatures on Web Crypto. Throws a TypeError when there is no
 * SubtleCrypto (pick with `platformSubtle()` first, or use the noble provider).
 */
export function createWebCryptoProvider(options: WebCryptoProviderOptions = {}): CryptoProvider {
  if (options === null || typeof options !== 'object') throw new TypeError('options must be an object');
  const subtle = options.subtle ?? platformSubtle();
  if (subtle === undefined || subtle === null || typeof subtle.verify !== 'function') {
    throw new TypeError('options.subtle: this runtime has no crypto.subtle (use the noble provider)');
  }
  const base = createNobleProvider(options.random !== undefined ? { random: options.random } : {});
  const signatures = webSignatures(subtle, nobleSignatures(options.random ?? platformRandom));
  if (options.asyncRecords !== undefined && typeof options.asyncRecords !== 'boolean') throw new TypeError('options.asyncRecords must be a boolean');
  const asyncRecords = options.asyncRecords ?? true;
  const gcm = new Map<AeadName, AeadAlgorithm>();
  const aead = (spec: AeadName | AeadSpec): AeadAlgorithm => {
    const plain = base.aead(spec); // resolves and checks the spec: noble's names and errors
    const isGcm = typeof spec === 'string' ? spec === 'AES-128-GCM' || spec === 'AES-256-GCM' : spec.cipher === 'AES-GCM';
    if (!asyncRecords || !isGcm || plain.nonceLength !== 12 || plain.tagLength !== 16) return plain;
    const cached = typeof spec === 'string' ? gcm.get(spec) : undefined;
    if (cached !== undefined) return cached;
    const alg = webCryptoAesGcm(subtle, plain.name, { cipher: 'AES-GCM', keyLength: plain.keyLength, nonceLength: 12, tagLength: 16 });
    if (typeof spec === 'string') gcm.set(spec, alg);
    return alg;
  };
  const provider: CryptoProvider = Object.freeze({
    ...base,
    name: 'webcrypto',
    aead,
    sign: (algorithm: SignatureAlgorithm | SignatureSchemeName, key: PrivateKey, message: Uint8Array): MaybePromise<Uint8Array> =>
      signatures.sign(resolveAlgorithm(algorithm), key, message),
    verify: (algorithm: SignatureAlgorithm | SignatureSchemeName, key: PublicKey, message: Uint8Array, signature: Uint8Array): MaybePromise<boolean> =>
      signatures.verify(resolveAlgorithm(algorithm), key, message, signature),
  } satisfies CryptoProvider);
  if (asyncRecords) withAsyncAes.add(provider);
  return provider;
}
