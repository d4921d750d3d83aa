/**
 * The `CryptoProvider` contract: everything the protocol engines need from cryptography, behind one
 * plain object so that a provider (noble, node:crypto, WebCrypto) can be swapped without touching them.
 *
 * Conventions: `Uint8Array` in and out; hash, AEAD, key exchange and signing are synchronous in the
 * noble provider, but `sign` / `verify` may return a Promise (a remote key, WebCrypto) and callers
 * must await them. A malformed argument from the caller throws a TypeError/RangeError naming it;
 * malformed *data* (a bad point, a bad signature) gives a `CryptoError` or `false`, never a crash.
 */

export type MaybePromise<T> = T | Promise<T>;

export type HashName = 'SHA-256' | 'SHA-384' | 'SHA-512';

/** An incremental hash; `clone()` lets a transcript hash be read mid-handshake. */
export interface HashContext {
  update(data: Uint8Array): HashContext;
  /** Finishes this context; it must not be used afterwards. */
  digest(): Uint8Array;
  clone(): HashContext;
}

export interface HashFunction {
  readonly name: HashName;
  /** Output length in bytes (Hash.length of RFC 8446). */
  readonly outputLength: number;
  readonly blockLength: number;
  digest(data: Uint8Array): Uint8Array;
  create(): HashContext;
}

/** The AEADs of the TLS 1.3 cipher suites (RFC 8446 §B.4), all with 12-byte nonces. */
export type AeadName = 'AES-128-GCM' | 'AES-256-GCM' | 'CHACHA20-POLY1305' | 'AES-128-CCM' | 'AES-128-CCM-8';

/**
 * A fully parameterised AEAD, for uses beyond the TLS suites (test vectors, DTLS record number
 * masks use the raw ciphers elsewhere). Unsupported combinations throw a RangeError naming the field.
 */
export interface AeadSpec {
  readonly cipher: 'AES-GCM' | 'AES-CCM' | 'CHACHA20-POLY1305';
  readonly keyLength: number;
  readonly nonceLength: number;
  readonly tagLength: number;
}

export interface AeadAlgorithm {
  readonly name: string;
  readonly keyLength: number;
  readonly nonceLength: number;
  readonly tagLength: number;
  /** Keys the cipher once (key expansion, hash subkeys) for many seal/open calls. */
  create(key: Uint8Array): Aead;
}

export interface Aead {
  readonly tagLength: number;
  /**
   * Returns ciphertext || tag. If `output` is given it must have room for plaintext.length + tagLength
   * bytes; the result is then a subarray of it. `output` may alias `plaintext` (in-place).
   */
  seal(nonce: Uint8Array, plaintext: Uint8Array, aad: Uint8Array, output?: Uint8Array): Uint8Array;
  /**
   * Returns the plaintext, or null when authentication fails (nothing is revealed then).
   * If `output` is given it must have room for ciphertext.length - tagLength bytes; it may alias
   * `ciphertext` (decrypting in place). On failure `output` holds no plaintext.
   */
  open(nonce: Uint8Array, ciphertext: Uint8Array, aad: Uint8Array, output?: Uint8Array): Uint8Array | null;
  /**
   * Present where the cipher is faster asynchronously (AES-GCM on Web Crypto): `seal` and `open` with the
   * same results, as Promises (a fresh result buffer). The caller leaves the inputs unchanged until
   * the Promise settles (no copy is made of a 16 KiB record). The TLS engine uses them for application
   * data records, in order; `seal`/`open` remain for everything else.
   */
  readonly sealAsync?: (nonce: Uint8Array, plaintext: Uint8Array, aad: Uint8Array) => Promise<Uint8Array>;
  readonly openAsync?: (nonce: Uint8Array, ciphertext: Uint8Array, aad: Uint8Array) => Promise<Uint8Array | null>;
}

/** TLS NamedGroup names (RFC 8446 §4.2.7). */
export type NamedGroupName = 'x25519' | 'x448' | 'secp256r1' | 'secp384r1' | 'secp521r1';

export interface KeyPair {
  readonly privateKey: Uint8Array;
  /** The key_share encoding: raw 32/56 bytes for X25519/X448, an uncompressed SEC1 point for NIST curves. */
  readonly publicKey: Uint8Array;
}

export interface KeyExchangeGroup {
  readonly name: NamedGroupName;
  /** Length of `publicKey` in the key_share encoding. */
  readonly publicKeyLength: number;
  /** Fresh ephemeral key pair from the provider's randomness. */
  generateKeyPair(): KeyPair;
  /** The key pair for a given private key (lets a test inject a trace's ephemeral key). */
  keyPairFromPrivateKey(privateKey: Uint8Array): KeyPair;
  /**
   * ECDH. Throws `CryptoError` with code `INVALID_PUBLIC_KEY` for a peer share that is not a valid
   * point of the group's encoding, and `ZERO_SHARED_SECRET` for an all-zero X25519/X448 result
   * (RFC 8446 §7.4.2). The NIST result is the x-coordinate (RFC 8446 §7.4.2).
   */
  sharedSecret(privateKey: Uint8Array, peerPublicKey: Uint8Array): Uint8Array;
}

export type EcCurve = 'P-256' | 'P-384' | 'P-521';

export type PublicKey =
  | { readonly kind: 'ec'; readonly curve: EcCurve; /** SEC1 point, uncompressed */ readonly point: Uint8Array }
  | { readonly kind: 'ed25519'; readonly key: Uint8Array }
  | { readonly kind: 'ed448'; readonly key: Uint8Array }
  | { readonly kind: 'rsa'; readonly n: bigint; readonly e: bigint; readonly pss?: RsaPssKeyParams };

/**
 * Present on a key whose SubjectPublicKeyInfo / PKCS#8 algorithm is id-RSASSA-PSS (RFC 4055 §3.1):
 * such a key signs with RSASSA-PSS only (TLS: rsa_pss_pss_*, RFC 8446 §4.2.3). `hash` is the hash
 * the key's parameters bind it to, null when there are no parameters (any hash), and 'other' when
 * they bind it to something TLS cannot use (SHA-1 — the default of present parameters —, an MGF1
 * hash that differs, or a minimum salt longer than the hash).
 */
export interface RsaPssKeyParams {
  readonly hash: HashName | 'other' | null;
}

export interface RsaPrivateKey {
  readonly kind: 'rsa';
  /** Set for id-RSASSA-PSS keys (see `RsaPssKeyParams`). */
  readonly pss?: RsaPssKeyParams;
  readonly n: bigint;
  readonly e: bigint;
  readonly d: bigint;
  readonly p: bigint;
  readonly q: bigint;
  readonly dp: bigint;
  readonly dq: bigint;
  readonly qi: bigint;
}

export type PrivateKey =
  | {
      readonly kind: 'ec';
      readonly curve: EcCurve;
      /** big-endian scalar, curve-sized */
      readonly d: Uint8Array;
      /**
       * SEC1 uncompressed point as read from the encoding, kept only so encodePkcs8 can write it
       * back; never used to sign, not checked against d.
       */
      readonly publicKey?: Uint8Array;
    }
  | { readonly kind: 'ed25519'; readonly seed: Uint8Array }
  | { readonly kind: 'ed448'; readonly seed: Uint8Array }
  | RsaPrivateKey;

/** A signature algorithm in full; TLS SignatureScheme names map onto these (see `schemes.ts`). */
export type SignatureAlgorithm =
  | { readonly type: 'ecdsa'; readonly curve: EcCurve; readonly hash: HashName; readonly encoding: 'der' | 'p1363' }
  | { readonly type: 'ed25519' }
  | { readonly type: 'ed448' }
  | { readonly type: 'rsa-pss'; readonly hash: HashName; readonly mgfHash: HashName; readonly saltLength: number }
  | { readonly type: 'rsa-pkcs1'; readonly hash: HashName };

/** TLS SignatureScheme names (RFC 8446 §4.2.3). PKCS#1 ones are for certificates only. */
export type SignatureSchemeName =
  | 'ecdsa_secp256r1_sha256'
  | 'ecdsa_secp384r1_sha384'
  | 'ecdsa_secp521r1_sha512'
  | 'ed25519'
  | 'ed448'
  | 'rsa_pss_rsae_sha256'
  | 'rsa_pss_rsae_sha384'
  | 'rsa_pss_rsae_sha512'
  | 'rsa_pss_pss_sha256'
  | 'rsa_pss_pss_sha384'
  | 'rsa_pss_pss_sha512'
  | 'rsa_pkcs1_sha256'
  | 'rsa_pkcs1_sha384'
  | 'rsa_pkcs1_sha512';

/** Fills `out` with cryptographically secure random bytes. */
export type RandomSource = (out: Uint8Array) => void;

/** What a connection is about to use, for `CryptoProvider.prepare`. */
export interface ProviderNeeds {
  readonly groups?: readonly NamedGroupName[];
  readonly aeads?: readonly (AeadName | AeadSpec)[];
  readonly signatures?: readonly (SignatureAlgorithm | SignatureSchemeName)[];
}

export interface CryptoProvider {
  readonly name: string;
  /**
   * Present on a provider that loads its algorithms on first need (the lazy noble provider, whose
   * curve and ChaCha20 modules are imported when a connection negotiates them). Returns a Promise
   * while something named is still loading, nothing when all of it is ready. `group()` and `aead()`
   * are synchronous: the TLS and DTLS engines call `prepare` before their first use of a group or
   * AEAD (and wait meanwhile); a direct caller must too, or get CryptoError ALGORITHM_NOT_LOADED.
   * `sign` and `verify` load what they need themselves (their first call may return a Promise).
   */
  prepare?(needs: ProviderNeeds): Promise<void> | undefined;
  randomBytes(length: number): Uint8Array;
  hash(name: HashName): HashFunction;
  hmac(hash: HashName, key: Uint8Array, data: Uint8Array): Uint8Array;
  /** RFC 5869 §2.2; an empty salt means HashLen zero bytes. */
  hkdfExtract(hash: HashName, salt: Uint8Array, ikm: Uint8Array): Uint8Array;
  /** RFC 5869 §2.3; RangeError when length > 255 * HashLen. */
  hkdfExpand(hash: HashName, prk: Uint8Array, info: Uint8Array, length: number): Uint8Array;
  aead(spec: AeadName | AeadSpec): AeadAlgorithm;
  group(name: NamedGroupName): KeyExchangeGroup;
  /** Signs `message` (the whole message: hashing is part of the algorithm). */
  sign(algorithm: SignatureAlgorithm | SignatureSchemeName, key: PrivateKey, message: Uint8Array): MaybePromise<Uint8Array>;
  /**
   * false for any wrong or malformed signature or key/algorithm mismatch; never throws on data. A lazy
   * provider that cannot load the algorithm throws (rejects with) CryptoError ALGORITHM_LOAD_FAILED.
   */
  verify(
    algorithm: SignatureAlgorithm | SignatureSchemeName,
    key: PublicKey,
    message: Uint8Array,
    signature: Uint8Array,
  ): MaybePromise<boolean>;
}
