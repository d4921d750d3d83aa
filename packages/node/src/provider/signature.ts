/**
 * Signatures on node:crypto (OpenSSL): ECDSA P-256/384/521, Ed25519, Ed448, RSASSA-PSS and
 * RSASSA-PKCS1-v1_5, behind the dispatcher of @puretls/crypto that the noble provider uses too
 * (`dispatchSignatures`): a malformed algorithm is a TypeError/RangeError, a key of the wrong kind
 * makes `sign` throw CryptoError KEY_ALGORITHM_MISMATCH and `verify` return false, an invalid RSA
 * private key is CryptoError INVALID_PRIVATE_KEY, and `verify` never throws on data.
 *
 * Where OpenSSL is more lenient than noble, the difference is checked here before OpenSSL sees the
 * input: ECDSA signatures are parsed as strict DER (or P1363) with 1 <= r, s < n and handed over as
 * P1363; EdDSA public keys must be canonical and not of small order, and S < L (RFC 8032 §5.1.7,
 * §5.2.7; noble's strict mode); RSA keys must be usable as noble defines it. OpenSSL's Ed25519 check
 * is the cofactorless equation, and so is the noble provider's (eddsa.ts): a signature whose R, or a
 * key whose point, has a small-order part is refused by both.
 * RSA-PSS with an MGF1 hash other than the message hash (not a TLS scheme) has no node:crypto
 * option, so it goes to the bigint RSA of @puretls/crypto/rsa.
 */
import { constants, sign as nodeSign, verify as nodeVerifyRaw, type KeyObject } from 'node:crypto';
import { CryptoError, dispatchSignatures, type PrivateKey, type RandomSource, type SignatureDispatch } from '@puretls/crypto';
import { RSA_MAX_EXPONENT_BITS, RSA_MAX_MODULUS_BITS, RSA_MIN_MODULUS_BITS, rsaModulusBits, rsaPssSign, rsaPssVerify, validateRsaPrivateKey } from '@puretls/crypto/rsa';
import { assertEcScalar, nistCurve } from './kex.js';
import { cachedKey, cachedPublicKey, ecPrivateKey, ecPublicKey, okpPrivateKey, okpPublicKey, rsaPrivateKey, rsaPublicKey, toHex } from './key-objects.js';
import { hashInfo, plain } from './hash.js';

// --- EdDSA (RFC 8032) ---

interface EdParams {
  readonly name: 'Ed25519' | 'Ed448';
  readonly kind: 'ed25519' | 'ed448';
  readonly size: number;
  readonly p: bigint;
  readonly L: bigint;
  /** y-coordinates of the small-order points (the torsion subgroup). */
  readonly smallOrderY: readonly bigint[];
}

const P25519 = 2n ** 255n - 19n;
const P448 = 2n ** 448n - 2n ** 224n - 1n;
// The torsion subgroup of edwards25519 (order 8): y = 1 (identity), p-1 (order 2), 0 (order 4) and
// the two y of the order-8 points (as in libsodium's small-order blocklist).
const Y8 = 0x05fc536d880238b13933c6d305acdfd5f098eff289f4c345b027b2c28f95e826n;
const ED25519: EdParams = {
  name: 'Ed25519',
  kind: 'ed25519',
  size: 32,
  p: P25519,
  L: 2n ** 252n + 27742317777372353535851937790883648493n,
  smallOrderY: [0n, 1n, P25519 - 1n, Y8, P25519 - Y8],
};
// edwards448 has cofactor 4: y = 1, p-1 (x = 0) and y = 0 (x = ±1).
const ED448: EdParams = {
  name: 'Ed448',
  kind: 'ed448',
  size: 57,
  p: P448,
  L: 2n ** 446n - 13818066809895115352007386748515426880336692474882178609894547503885n,
  smallOrderY: [0n, 1n, P448 - 1n],
};

function littleEndian(bytes: Uint8Array): bigint {
  let n = 0n;
  for (let i = bytes.length - 1; i >= 0; i--) n = (n << 8n) | BigInt(bytes[i] as number);
  return n;
}

/** y of an RFC 8032 point encoding (the sign bit of x cleared). */
function edY(c: EdParams, encoded: Uint8Array): bigint {
  const y = encoded.slice();
  y[c.size - 1] = (y[c.size - 1] as number) & 0x7f;
  return littleEndian(y);
}

function assertSeed(c: EdParams, seed: unknown): asserts seed is Uint8Array {
  if (!(seed instanceof Uint8Array)) throw new TypeError('key.seed must be a Uint8Array');
  if (seed.length !== c.size) throw new RangeError(`key.seed must be ${c.size} bytes for ${c.name}, got ${seed.length}`);
}

function edSign(c: EdParams, seed: Uint8Array, message: Uint8Array): Uint8Array {
  assertSeed(c, seed);
  const key = cachedKey(seed, [seed], () => okpPrivateKey(c.kind, seed, c.size).key);
  return plain(nodeSign(null, message, key));
}

function edVerify(c: EdParams, publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean {
  if (publicKey.length !== c.size || signature.length !== 2 * c.size) return false;
  // RFC 8032 §5.1.7 / §5.2.7 step 1: S < L, and A a canonical encoding (y < p; x = 0 only with a
  // clear sign bit, which for these curves is y = ±1, both small-order); A not of small order.
  if (littleEndian(signature.subarray(c.size)) >= c.L) return false;
  const y = edY(c, publicKey);
  if (y >= c.p || c.smallOrderY.includes(y)) return false;
  const key = cachedPublicKey(`${c.kind}:${toHex(publicKey)}`, () => okpPublicKey(c.kind, publicKey));
  // OpenSSL compares the recomputed R with the signature's bytes, so a non-canonical R fails there.
  return nodeVerifyRaw(null, message, key, signature);
}

// --- ECDSA ---

/** A strict DER length at r[i] (X.690 §10.1: definite, minimal); [length, next index] or undefined. */
function derLength(r: Uint8Array, i: number): [number, number] | undefined {
  const first = r[i];
  if (first === undefined) return undefined;
  if (first < 0x80) return [first, i + 1];
  if (first === 0x81) {
    const l = r[i + 1];
    return l !== undefined && l >= 0x80 ? [l, i + 2] : undefined;
  }
  return undefined; // signatures are bounded well below 256 bytes
}

/** A DER INTEGER at sig[i] that is minimal and positive; [value, next index] or undefined. */
function derPositiveInteger(sig: Uint8Array, i: number): [bigint, number] | undefined {
  if (sig[i] !== 0x02) return undefined;
  const len = derLength(sig, i + 1);
  if (len === undefined) return undefined;
  const [length, start] = len;
  const end = start + length;
  if (length === 0 || end > sig.length) return undefined;
  const b0 = sig[start] as number;
  if (b0 & 0x80) return undefined; // negative
  if (length > 1 && b0 === 0 && ((sig[start + 1] as number) & 0x80) === 0) return undefined; // not minimal
  let v = 0n;
  for (let j = start; j < end; j++) v = (v << 8n) | BigInt(sig[j] as number);
  return [v, end];
}

function toFixed(n: bigint, length: number, out: Uint8Array, offset: number): void {
  for (let i = offset + length - 1; i >= offset; i--, n >>= 8n) out[i] = Number(n & 0xffn);
}

/** r || s of fixed width, or undefined when the encoding or the range check fails. */
function ecdsaCompact(n: bigint, L: number, encoding: 'der' | 'p1363', sig: Uint8Array): Uint8Array | undefined {
  let r: bigint;
  let s: bigint;
  if (encoding === 'p1363') {
    if (sig.length !== 2 * L) return undefined;
    r = 0n;
    s = 0n;
    for (let i = 0; i < L; i++) r = (r << 8n) | BigInt(sig[i] as number);
    for (let i = L; i < 2 * L; i++) s = (s << 8n) | BigInt(sig[i] as number);
  } else {
    // Ecdsa-Sig-Value ::= SEQUENCE { r INTEGER, s INTEGER } (RFC 5480 §2.2), strict DER, nothing after.
    if (sig.length > 2 * L + 16 || sig[0] !== 0x30) return undefined;
    const outer = derLength(sig, 1);
    if (outer === undefined || outer[1] + outer[0] !== sig.length) return undefined;
    const ri = derPositiveInteger(sig, outer[1]);
    if (ri === undefined) return undefined;
    const si = derPositiveInteger(sig, ri[1]);
    if (si === undefined || si[1] !== sig.length) return undefined;
    r = ri[0];
    s = si[0];
  }
  if (r < 1n || r >= n || s < 1n || s >= n) return undefined;
  const out = new Uint8Array(2 * L);
  toFixed(r, L, out, 0);
  toFixed(s, L, out, L);
  return out;
}

// --- RSA ---

// RFC 8017 §9.2 note 1: the DigestInfo prefix is 19 octets for SHA-256/384/512.
const DIGEST_INFO_PREFIX = 19;

function rsaKeyObject(key: PrivateKey & { kind: 'rsa' }): KeyObject {
  const parts = [key.n, key.e, key.d, key.p, key.q, key.dp, key.dq, key.qi];
  return cachedKey(key, parts, () => {
    validateRsaPrivateKey(key);
    return rsaPrivateKey(key);
  });
}

const rsaPublicKeyObject = (n: bigint, e: bigint): KeyObject => cachedPublicKey(`rsa:${n.toString(16)}:${e.toString(16)}`, () => rsaPublicKey(n, e));

function isUsableRsaPublicKey(n: unknown, e: unknown): n is bigint {
  return (
    typeof n === 'bigint' && typeof e === 'bigint' && n > 0n && (n & 1n) === 1n && rsaModulusBits(n) >= RSA_MIN_MODULUS_BITS && rsaModulusBits(n) <= RSA_MAX_MODULUS_BITS && (e & 1n) === 1n && e > 1n && e < n && rsaModulusBits(e) <= RSA_MAX_EXPONENT_BITS
  );
}

// --- dispatch ---

export type NodeSignatures = SignatureDispatch;

/** The OpenSSL signatures behind the dispatcher the noble provider uses too (argument checks, key matching). */
export function nodeSignatures(random: RandomSource): NodeSignatures {
  return dispatchSignatures({
    ecdsa: {
      sign(alg, key, message) {
        const c = nistCurve(alg.curve);
        assertEcScalar(c, key.d, 'key.d');
        const k = cachedKey(key, [key.d], () => ecPrivateKey(c.curve, key.d));
        return plain(nodeSign(hashInfo(alg.hash).node, message, { key: k, dsaEncoding: alg.encoding === 'der' ? 'der' : 'ieee-p1363' }));
      },
      verify(alg, key, message, signature) {
        const c = nistCurve(alg.curve);
        const compact = ecdsaCompact(c.n, c.scalarLength, alg.encoding, signature);
        if (compact === undefined) return false;
        // PublicKey.point is uncompressed by contract.
        if (!(key.point instanceof Uint8Array) || key.point.length !== c.pointLength || key.point[0] !== 0x04) return false;
        const k = cachedPublicKey(`${c.curve}:${toHex(key.point)}`, () => ecPublicKey(c.curve, key.point));
        return nodeVerifyRaw(hashInfo(alg.hash).node, message, { key: k, dsaEncoding: 'ieee-p1363' }, compact);
      },
    },
    ed25519: {
      sign: (_alg, key, message) => edSign(ED25519, key.seed, message),
      verify: (_alg, key, message, signature) => key.key instanceof Uint8Array && edVerify(ED25519, key.key, message, signature),
    },
    ed448: {
      sign: (_alg, key, message) => edSign(ED448, key.seed, message),
      verify: (_alg, key, message, signature) => key.key instanceof Uint8Array && edVerify(ED448, key.key, message, signature),
    },
    'rsa-pss': {
      sign(alg, key, message) {
        // node:crypto cannot express RSA-PSS with another MGF1 hash: our bigint RSA signs it.
        if (alg.mgfHash !== alg.hash) return rsaPssSign(key, alg.hash, alg.saltLength, message, random, alg.mgfHash);
        const k = rsaKeyObject(key);
        // RFC 8017 §9.1.1 step 3: emLen >= hLen + sLen + 2, emBits = modBits - 1.
        const emLen = Math.ceil((rsaModulusBits(key.n) - 1) / 8);
        if (emLen < hashInfo(alg.hash).outputLength + alg.saltLength + 2) {
          throw new CryptoError('KEY_ALGORITHM_MISMATCH', `RSA modulus too short for PSS with ${alg.hash} and a ${alg.saltLength}-octet salt`);
        }
        return plain(nodeSign(hashInfo(alg.hash).node, message, { key: k, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: alg.saltLength }));
      },
      verify(alg, key, message, signature) {
        if (!isUsableRsaPublicKey(key.n, key.e)) return false;
        if (alg.mgfHash !== alg.hash) return rsaPssVerify({ n: key.n, e: key.e }, alg.hash, alg.mgfHash, alg.saltLength, message, signature);
        const bits = rsaModulusBits(key.n);
        if (signature.length !== Math.ceil(bits / 8)) return false;
        if (Math.ceil((bits - 1) / 8) < hashInfo(alg.hash).outputLength + alg.saltLength + 2) return false;
        const k = rsaPublicKeyObject(key.n, key.e);
        return nodeVerifyRaw(hashInfo(alg.hash).node, message, { key: k, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: alg.saltLength }, signature);
      },
    },
    'rsa-pkcs1': {
      sign(alg, key, message) {
        const k = rsaKeyObject(key);
        // RFC 8017 §9.2 step 3: emLen >= tLen + 11.
        if (Math.ceil(rsaModulusBits(key.n) / 8) < DIGEST_INFO_PREFIX + hashInfo(alg.hash).outputLength + 11) {
          throw new CryptoError('KEY_ALGORITHM_MISMATCH', `RSA modulus too short for PKCS#1 v1.5 with ${alg.hash}`);
        }
        return plain(nodeSign(hashInfo(alg.hash).node, message, { key: k, padding: constants.RSA_PKCS1_PADDING }));
      },
      verify(alg, key, message, signature) {
        if (!isUsableRsaPublicKey(key.n, key.e)) return false;
        const bits = rsaModulusBits(key.n);
        if (signature.length !== Math.ceil(bits / 8)) return false;
        if (signature.length < DIGEST_INFO_PREFIX + hashInfo(alg.hash).outputLength + 11) return false;
        const k = rsaPublicKeyObject(key.n, key.e);
        return nodeVerifyRaw(hashInfo(alg.hash).node, message, { key: k, padding: constants.RSA_PKCS1_PADDING }, signature);
      },
    },
  });
}
