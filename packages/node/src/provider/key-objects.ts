/**
 * node:crypto KeyObjects for puretls key values (raw scalars, seeds, bigint RSA components), cached
 * per key object: a server signs every handshake with the same key, and importing it costs more
 * than an ECDSA signature. The cache is a WeakMap keyed by the caller's object and checked against a
 * copy of the key material on every hit, so a caller that rewrites its key bytes in place gets a new
 * import, never a stale one.
 */
import { createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import type { EcCurve, RsaPrivateKey } from '@puretls/crypto';

type Part = Uint8Array | bigint;

interface Entry {
  readonly parts: readonly Part[];
  readonly key: unknown;
}

const cache = new WeakMap<object, Entry>();

function sameParts(a: readonly Part[], b: readonly Part[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    const x = a[i];
    const y = b[i];
    if (typeof x === 'bigint' || typeof y === 'bigint') {
      if (x !== y) return false;
      continue;
    }
    if (x === undefined || y === undefined || x.length !== y.length) return false;
    for (let j = 0; j < x.length; j++) if (x[j] !== y[j]) return false;
  }
  return true;
}

/** The key made by `make` for `owner`, reused while `parts` are unchanged. */
export function cachedKey<T>(owner: object, parts: readonly Part[], make: () => T): T {
  const hit = cache.get(owner);
  if (hit !== undefined && sameParts(hit.parts, parts)) return hit.key as T;
  const key = make();
  remember(owner, parts, key);
  return key;
}

/** Records `key` as the one for `owner` with these `parts` (a key pair just generated). */
export function remember(owner: object, parts: readonly Part[], key: unknown): void {
  cache.set(owner, { parts: parts.map((p) => (typeof p === 'bigint' ? p : p.slice())), key });
}

// Public keys are looked up by value: each handshake brings new key objects for the same CA and
// server keys, and a public key is no secret. Bounded; the oldest entry goes first.
const PUBLIC_CACHE_SIZE = 256;
const publicCache = new Map<string, KeyObject>();

export function cachedPublicKey(id: string, make: () => KeyObject): KeyObject {
  let key = publicCache.get(id);
  if (key === undefined) {
    key = make();
    if (publicCache.size >= PUBLIC_CACHE_SIZE) publicCache.delete(publicCache.keys().next().value as string);
    publicCache.set(id, key);
  }
  return key;
}

export const toHex = (b: Uint8Array): string => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex');
export const b64url = (b: Uint8Array): string => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('base64url');
export const fromB64url = (s: unknown): Uint8Array => {
  if (typeof s !== 'string') throw new TypeError('expected a base64url string');
  return new Uint8Array(Buffer.from(s, 'base64url'));
};

const fromHex = (h: string): Uint8Array => Uint8Array.from(h.match(/../g) ?? [], (b) => parseInt(b, 16));
const concat = (a: Uint8Array, b: Uint8Array): Uint8Array => {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
};

export type RawKeyKind = 'x25519' | 'x448' | 'ed25519' | 'ed448';

// RFC 5915 ECPrivateKey inside PKCS#8 without the optional public key: OpenSSL derives it.
const EC_PKCS8 = {
  'P-256': ['3041020100301306072a8648ce3d020106082a8648ce3d030107042730250201010420', 32],
  'P-384': ['304e020100301006072a8648ce3d020106052b81040022043730350201010430', 48],
  'P-521': ['3060020100301006072a8648ce3d020106052b81040023044930470201010442', 66],
} as const satisfies Record<EcCurve, readonly [string, number]>;

// OpenSSL's DER decoders cost several times a JWK import (≈ 650 µs for an X25519 PKCS#8 against
// ≈ 60 µs): the hot paths import JWKs.
const OKP_CURVE = { x25519: 'X25519', x448: 'X448', ed25519: 'Ed25519', ed448: 'Ed448' } as const;

/**
 * An X25519/X448/Ed25519/Ed448 private key from its raw bytes, with its raw public key. The JWK `x`
 * is required by Node but not used by OpenSSL, which derives the public key from `d`; we read it back.
 */
export function okpPrivateKey(kind: RawKeyKind, raw: Uint8Array, publicLength: number): { key: KeyObject; publicKey: Uint8Array } {
  const key = createPrivateKey({ key: { kty: 'OKP', crv: OKP_CURVE[kind], d: b64url(raw), x: b64url(new Uint8Array(publicLength)) }, format: 'jwk' });
  const publicKey = fromB64url(key.export({ format: 'jwk' }).x);
  if (publicKey.length !== publicLength) throw new Error(`node:crypto derived a ${publicKey.length}-byte ${kind} public key`);
  return { key, publicKey };
}

export function okpPublicKey(kind: RawKeyKind, raw: Uint8Array): KeyObject {
  return createPublicKey({ key: { kty: 'OKP', crv: OKP_CURVE[kind], x: b64url(raw) }, format: 'jwk' });
}

const EC_JWK_CURVE = { 'P-256': ['P-256', 32], 'P-384': ['P-384', 48], 'P-521': ['P-521', 66] } as const;

/** An uncompressed SEC1 point (length and 0x04 already checked) as a public KeyObject; OpenSSL checks it is on the curve. */
export function ecPublicKey(curve: EcCurve, point: Uint8Array): KeyObject {
  const [crv, L] = EC_JWK_CURVE[curve];
  return createPublicKey({ key: { kty: 'EC', crv, x: b64url(point.subarray(1, 1 + L)), y: b64url(point.subarray(1 + L, 1 + 2 * L)) }, format: 'jwk' });
}

export function ecPrivateKey(curve: EcCurve, d: Uint8Array): KeyObject {
  const [prefix, length] = EC_PKCS8[curve];
  if (d.length !== length) throw new RangeError(`key.d must be ${length} bytes for ${curve}, got ${d.length}`);
  return createPrivateKey({ key: Buffer.from(concat(fromHex(prefix), d)), format: 'der', type: 'pkcs8' });
}

function base64url(n: bigint): string {
  let h = n.toString(16);
  if (h.length % 2 === 1) h = `0${h}`;
  return Buffer.from(h, 'hex').toString('base64url');
}

/** The numbers of an RSA private key (RFC 8017 §3.2). */
export type RsaParts = Omit<RsaPrivateKey, 'kind' | 'pss'>;

export function rsaPrivateKey(k: RsaParts): KeyObject {
  const jwk = { kty: 'RSA', n: base64url(k.n), e: base64url(k.e), d: base64url(k.d), p: base64url(k.p), q: base64url(k.q), dp: base64url(k.dp), dq: base64url(k.dq), qi: base64url(k.qi) };
  return createPrivateKey({ key: jwk, format: 'jwk' });
}

export function rsaPublicKey(n: bigint, e: bigint): KeyObject {
  return createPublicKey({ key: { kty: 'RSA', n: base64url(n), e: base64url(e) }, format: 'jwk' });
}
