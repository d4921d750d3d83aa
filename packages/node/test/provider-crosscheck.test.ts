/**
 * The node:crypto provider against the noble provider on random inputs: the same AEAD output for every
 * TLS AEAD and size (and each opens the other's records), the same hashes/HMAC/HKDF, the same key
 * pairs from the same injected randomness and the same shared secrets, signatures of each verified by
 * the other, and the same errors (class, code, message) for the same bad calls. Plus the small-order
 * EdDSA keys OpenSSL alone would accept, and `selectProvider`.
 */
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { CryptoError, parsePkcs8, type AeadName, type CryptoProvider, type HashName, type NamedGroupName, type PrivateKey, type PublicKey, type SignatureAlgorithm } from '@puretls/crypto';
import { createNobleProvider } from '@puretls/crypto/noble';
import { createNodeProvider, selectProvider } from '@puretls/node/provider';
import { toHex } from '@puretls/test-vectors';
// noble's curves are a dependency of @puretls/crypto only: reached through it, for the check below.
import { ed25519 } from '../../crypto/node_modules/@noble/curves/ed25519.js';
import { ed448 } from '../../crypto/node_modules/@noble/curves/ed448.js';

const node = createNodeProvider();
const noble = createNobleProvider();
const rnd = (n: number): Uint8Array => new Uint8Array(randomBytes(n));

type Captured = { readonly value: string } | { readonly error: string; readonly code?: string; readonly message: string };

/** What a call does, comparable across providers: its result in hex, or its error's class, code and message. */
function capture(fn: () => unknown): Captured {
  try {
    const v = fn();
    if (v instanceof Uint8Array) return { value: toHex(v) };
    if (v === null || typeof v === 'boolean') return { value: String(v) };
    return { value: typeof v };
  } catch (e) {
    if (!(e instanceof Error)) throw e;
    return e instanceof CryptoError ? { error: e.constructor.name, code: e.code, message: e.message } : { error: e.constructor.name, message: e.message };
  }
}

const AEADS: readonly AeadName[] = ['AES-128-GCM', 'AES-256-GCM', 'CHACHA20-POLY1305', 'AES-128-CCM', 'AES-128-CCM-8'];

describe('AEADs: node:crypto and noble agree byte for byte', () => {
  for (const name of AEADS) {
    it(`${name}: random keys, nonces, AAD and lengths 0..16 KiB seal identically and open each other`, () => {
      const a = node.aead(name);
      const b = noble.aead(name);
      expect([a.name, a.keyLength, a.nonceLength, a.tagLength]).toEqual([b.name, b.keyLength, b.nonceLength, b.tagLength]);
      const lengths = [0, 1, 15, 16, 17, 255, 1000, 4096, 16384, 16385, ...Array.from({ length: 20 }, () => Math.floor(Math.random() * 3000))];
      for (const len of lengths) {
        const key = rnd(a.keyLength);
        const [x, y] = [a.create(key), b.create(key)];
        const nonce = rnd(a.nonceLength);
        const aad = rnd(Math.floor(Math.random() * 40));
        const msg = rnd(len);
        const sealed = x.seal(nonce, msg, aad);
        expect(toHex(sealed), `${name} ${len}`).toBe(toHex(y.seal(nonce, msg, aad)));
        expect(toHex(y.open(nonce, sealed, aad) ?? new Uint8Array([1]))).toBe(toHex(msg));
        // Without `output`, node:crypto's own result buffer comes back: the plaintext, not a view of the input.
        const opened = x.open(nonce, sealed, aad);
        expect(toHex(opened ?? new Uint8Array([1]))).toBe(toHex(msg));
        expect(opened?.buffer).not.toBe(sealed.buffer);
        // In place at an odd offset, as the record layer does.
        const buf = new Uint8Array(5 + sealed.length);
        buf.set(msg, 5);
        expect(toHex(x.seal(nonce, buf.subarray(5, 5 + len), aad, buf.subarray(5)))).toBe(toHex(sealed));
        expect(toHex(x.open(nonce, buf.subarray(5), aad, buf.subarray(5)) ?? new Uint8Array([1]))).toBe(toHex(msg));
        // Any flipped bit fails on both, and writes no plaintext into `output`.
        const bad = sealed.slice();
        const at = Math.floor(Math.random() * bad.length);
        bad[at] = (bad[at] as number) ^ (1 << Math.floor(Math.random() * 8));
        const out = new Uint8Array(len);
        expect(x.open(nonce, bad, aad, out)).toBeNull();
        expect(y.open(nonce, bad, aad)).toBeNull();
        expect(x.open(nonce, bad, aad)).toBeNull();
        expect(out.every((v) => v === 0)).toBe(true);
      }
    });
  }

  it('refuses the same bad arguments with the same errors', () => {
    const calls: [string, (p: CryptoProvider) => unknown][] = [
      ['unknown AEAD', (p) => p.aead('AES-128-OCB' as AeadName)],
      ['GCM with a 12-byte tag', (p) => p.aead({ cipher: 'AES-GCM', keyLength: 16, nonceLength: 12, tagLength: 12 })],
      ['CCM with a 6-byte nonce', (p) => p.aead({ cipher: 'AES-CCM', keyLength: 16, nonceLength: 6, tagLength: 16 })],
      ['ChaCha20 with a 16-byte key', (p) => p.aead({ cipher: 'CHACHA20-POLY1305', keyLength: 16, nonceLength: 12, tagLength: 16 })],
      ['an odd GCM spec is named', (p) => p.aead({ cipher: 'AES-GCM', keyLength: 24, nonceLength: 8, tagLength: 16 }).name],
      ['short key', (p) => p.aead('AES-128-GCM').create(new Uint8Array(15))],
      ['key not bytes', (p) => p.aead('CHACHA20-POLY1305').create([1, 2] as unknown as Uint8Array)],
      ['short nonce', (p) => p.aead('AES-128-GCM').create(new Uint8Array(16)).seal(new Uint8Array(11), new Uint8Array(3), new Uint8Array(0))],
      ['small output', (p) => p.aead('AES-128-GCM').create(new Uint8Array(16)).seal(new Uint8Array(12), new Uint8Array(3), new Uint8Array(0), new Uint8Array(18))],
      [
        'overlapping output',
        (p) => {
          const buf = new Uint8Array(64);
          return p.aead('CHACHA20-POLY1305').create(new Uint8Array(32)).seal(new Uint8Array(12), buf.subarray(0, 20), new Uint8Array(0), buf.subarray(4));
        },
      ],
      ['ciphertext shorter than the tag', (p) => p.aead('AES-128-CCM-8').create(new Uint8Array(16)).open(new Uint8Array(12), new Uint8Array(7), new Uint8Array(0))],
      ['aad not bytes', (p) => p.aead('AES-256-GCM').create(new Uint8Array(32)).open(new Uint8Array(12), new Uint8Array(16), 'x' as unknown as Uint8Array)],
      ['unknown hash', (p) => p.hash('MD5' as HashName)],
      ['prototype name as hash', (p) => p.hmac('constructor' as HashName, new Uint8Array(1), new Uint8Array(1))],
      ['HKDF too long', (p) => p.hkdfExpand('SHA-256', new Uint8Array(32), new Uint8Array(0), 255 * 32 + 1)],
      ['HKDF short PRK', (p) => p.hkdfExpand('SHA-384', new Uint8Array(32), new Uint8Array(0), 10)],
      ['HKDF info not bytes', (p) => p.hkdfExpand('SHA-384', new Uint8Array(48), null as unknown as Uint8Array, 10)],
      ['unknown group', (p) => p.group('ffdhe2048' as NamedGroupName)],
      ['randomBytes(-1)', (p) => p.randomBytes(-1)],
    ];
    for (const [what, call] of calls) expect(capture(() => call(node)), what).toEqual(capture(() => call(noble)));
  });
});

describe('hashes, HMAC and HKDF agree', () => {
  for (const h of ['SHA-256', 'SHA-384', 'SHA-512'] as const) {
    it(`${h}: digest, incremental with clone, HMAC, Extract (empty salt too) and Expand`, () => {
      const [a, b] = [node.hash(h), noble.hash(h)];
      expect([a.name, a.outputLength, a.blockLength]).toEqual([b.name, b.outputLength, b.blockLength]);
      for (let i = 0; i < 20; i++) {
        const m1 = rnd(Math.floor(Math.random() * 300));
        const m2 = rnd(Math.floor(Math.random() * 300));
        expect(toHex(a.digest(m1))).toBe(toHex(b.digest(m1)));
        const ca = a.create().update(m1);
        const mid = ca.clone();
        expect(toHex(ca.update(m2).digest())).toBe(toHex(b.create().update(m1).update(m2).digest()));
        expect(toHex(mid.digest())).toBe(toHex(b.digest(m1)));
        const key = rnd(Math.floor(Math.random() * 200));
        expect(toHex(node.hmac(h, key, m1))).toBe(toHex(noble.hmac(h, key, m1)));
        const salt = i % 4 === 0 ? new Uint8Array(0) : rnd(Math.floor(Math.random() * 80));
        const prk = node.hkdfExtract(h, salt, m1);
        expect(toHex(prk)).toBe(toHex(noble.hkdfExtract(h, salt, m1)));
        const len = Math.floor(Math.random() * 255 * a.outputLength);
        expect(toHex(node.hkdfExpand(h, prk, m2, len))).toBe(toHex(noble.hkdfExpand(h, prk, m2, len)));
      }
    });
  }
});

describe('key exchange agrees', () => {
  const GROUPS: readonly NamedGroupName[] = ['x25519', 'x448', 'secp256r1', 'secp384r1', 'secp521r1'];
  for (const name of GROUPS) {
    it(`${name}: the same randomness gives the same key pair; secrets agree across providers`, () => {
      const seeded = (create: typeof createNodeProvider, seed: number): CryptoProvider => {
        let counter = seed;
        return create({ random: (out) => void out.forEach((_, i) => (out[i] = (counter++ * 131 + i * 7) & 0xff)) });
      };
      for (let s = 1; s < 12; s++) {
        const a = seeded(createNodeProvider, s * 1000).group(name).generateKeyPair();
        const b = seeded(createNobleProvider, s * 1000).group(name).generateKeyPair();
        expect(toHex(a.privateKey)).toBe(toHex(b.privateKey));
        expect(toHex(a.publicKey)).toBe(toHex(b.publicKey));
        const peer = noble.group(name).generateKeyPair();
        expect(toHex(node.group(name).sharedSecret(a.privateKey, peer.publicKey))).toBe(toHex(noble.group(name).sharedSecret(peer.privateKey, a.publicKey)));
        expect(node.group(name).publicKeyLength).toBe(noble.group(name).publicKeyLength);
        // Without injected randomness OpenSSL generates the key: it must be the key noble derives.
        const own = node.group(name).generateKeyPair();
        expect(toHex(noble.group(name).keyPairFromPrivateKey(own.privateKey).publicKey)).toBe(toHex(own.publicKey));
        expect(toHex(node.group(name).sharedSecret(own.privateKey, peer.publicKey))).toBe(toHex(noble.group(name).sharedSecret(peer.privateKey, own.publicKey)));
      }
    });
  }

  it('refuses the same bad shares and keys with the same errors', () => {
    const p256 = noble.group('secp256r1').generateKeyPair();
    const x = noble.group('x25519').generateKeyPair();
    const compressed = Uint8Array.of(2 + ((p256.publicKey[64] as number) & 1), ...p256.publicKey.subarray(1, 33));
    const offCurve = p256.publicKey.slice();
    offCurve[64] = (offCurve[64] as number) ^ 1;
    const n = Uint8Array.from(Buffer.from('ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551', 'hex'));
    const order8 = Uint8Array.from(Buffer.from('e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800', 'hex'));
    const calls: [string, (p: CryptoProvider) => unknown][] = [
      ['x25519 short share', (p) => p.group('x25519').sharedSecret(x.privateKey, new Uint8Array(31))],
      ['x25519 zero share', (p) => p.group('x25519').sharedSecret(x.privateKey, new Uint8Array(32))],
      ['x25519 order-8 share', (p) => p.group('x25519').sharedSecret(x.privateKey, order8)],
      ['x448 zero share', (p) => p.group('x448').sharedSecret(new Uint8Array(56).fill(9), new Uint8Array(56))],
      ['x25519 short private key', (p) => p.group('x25519').sharedSecret(x.privateKey.subarray(1), x.publicKey)],
      ['x25519 private key not bytes', (p) => p.group('x25519').keyPairFromPrivateKey('k' as unknown as Uint8Array)],
      ['P-256 compressed share', (p) => p.group('secp256r1').sharedSecret(p256.privateKey, compressed)],
      ['P-256 off-curve share', (p) => p.group('secp256r1').sharedSecret(p256.privateKey, offCurve)],
      ['P-256 empty share', (p) => p.group('secp256r1').sharedSecret(p256.privateKey, new Uint8Array(0))],
      ['P-256 all-zero share', (p) => p.group('secp256r1').sharedSecret(p256.privateKey, Uint8Array.of(4, ...new Uint8Array(64)))],
      ['P-256 zero private key', (p) => p.group('secp256r1').keyPairFromPrivateKey(new Uint8Array(32))],
      ['P-256 private key n', (p) => p.group('secp256r1').keyPairFromPrivateKey(n)],
      ['P-256 short private key', (p) => p.group('secp256r1').sharedSecret(p256.privateKey.subarray(2), p256.publicKey)],
      ['P-384 share not bytes', (p) => p.group('secp384r1').sharedSecret(new Uint8Array(48).fill(1), {} as Uint8Array)],
    ];
    for (const [what, call] of calls) {
      const [a, b] = [capture(() => call(node)), capture(() => call(noble))];
      expect(a, what).toEqual(b);
      expect('error' in a, what).toBe(true);
    }
  });
});

const der = (k: { export(o: { format: 'der'; type: 'pkcs8' }): Buffer }): Uint8Array => new Uint8Array(k.export({ format: 'der', type: 'pkcs8' }));
const publicOf = (p: PrivateKey, provider: CryptoProvider): PublicKey => {
  switch (p.kind) {
    case 'ec':
      return { kind: 'ec', curve: p.curve, point: provider.group(p.curve === 'P-256' ? 'secp256r1' : p.curve === 'P-384' ? 'secp384r1' : 'secp521r1').keyPairFromPrivateKey(p.d).publicKey };
    case 'ed25519':
      return { kind: 'ed25519', key: ed25519.getPublicKey(p.seed) };
    case 'ed448':
      return { kind: 'ed448', key: ed448.getPublicKey(p.seed) };
    case 'rsa':
      return { kind: 'rsa', n: p.n, e: p.e };
  }
};

describe('signatures: each provider verifies the other', () => {
  const rsa = parsePkcs8(der(generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey));
  const CASES: [string, PrivateKey, SignatureAlgorithm][] = [];
  for (const [curve, nodeCurve, hash] of [
    ['P-256', 'prime256v1', 'SHA-256'],
    ['P-384', 'secp384r1', 'SHA-384'],
    ['P-521', 'secp521r1', 'SHA-512'],
  ] as const) {
    const key = parsePkcs8(der(generateKeyPairSync('ec', { namedCurve: nodeCurve }).privateKey));
    for (const encoding of ['der', 'p1363'] as const) CASES.push([`ECDSA ${curve} ${encoding}`, key, { type: 'ecdsa', curve, hash, encoding }]);
    CASES.push([`ECDSA ${curve} with SHA-256`, key, { type: 'ecdsa', curve, hash: 'SHA-256', encoding: 'der' }]);
  }
  CASES.push(['Ed25519', parsePkcs8(der(generateKeyPairSync('ed25519').privateKey)), { type: 'ed25519' }]);
  CASES.push(['Ed448', parsePkcs8(der(generateKeyPairSync('ed448').privateKey)), { type: 'ed448' }]);
  for (const hash of ['SHA-256', 'SHA-384', 'SHA-512'] as const) {
    CASES.push([`RSA-PSS ${hash}`, rsa, { type: 'rsa-pss', hash, mgfHash: hash, saltLength: { 'SHA-256': 32, 'SHA-384': 48, 'SHA-512': 64 }[hash] }]);
    CASES.push([`RSA PKCS#1 ${hash}`, rsa, { type: 'rsa-pkcs1', hash }]);
  }
  CASES.push(['RSA-PSS SHA-256 with MGF1-SHA-384 (noble fallback)', rsa, { type: 'rsa-pss', hash: 'SHA-256', mgfHash: 'SHA-384', saltLength: 20 }]);

  for (const [what, key, alg] of CASES) {
    it(`${what}: signed by either, verified by both; a changed message or signature fails on both`, async () => {
      const pub = publicOf(key, noble);
      for (let i = 0; i < 3; i++) {
        const msg = rnd(Math.floor(Math.random() * 500));
        for (const [signer, label] of [
          [node, 'node'],
          [noble, 'noble'],
        ] as const) {
          const sig = await signer.sign(alg, key, msg);
          expect(await node.verify(alg, pub, msg, sig), `${label}-signed, node verifies`).toBe(true);
          expect(await noble.verify(alg, pub, msg, sig), `${label}-signed, noble verifies`).toBe(true);
          const other = Uint8Array.of(...msg, 1);
          expect(await node.verify(alg, pub, other, sig)).toBe(false);
          expect(await noble.verify(alg, pub, other, sig)).toBe(false);
          const bad = sig.slice();
          const at = Math.floor(Math.random() * bad.length);
          bad[at] = (bad[at] as number) ^ 0x10;
          expect(await node.verify(alg, pub, msg, bad), `${what} flipped byte ${at}`).toBe(await noble.verify(alg, pub, msg, bad));
        }
      }
    });
  }

  it('deterministic schemes (Ed25519, Ed448, PKCS#1 v1.5) give the same bytes', async () => {
    for (const [, key, alg] of CASES.filter(([, , a]) => a.type === 'ed25519' || a.type === 'ed448' || a.type === 'rsa-pkcs1')) {
      const msg = rnd(100);
      expect(toHex(await node.sign(alg, key, msg))).toBe(toHex(await noble.sign(alg, key, msg)));
    }
  });

  it('refuses the same bad keys and algorithms with the same errors', () => {
    const ec = CASES[0]?.[1] as PrivateKey;
    const ed = CASES.find(([w]) => w === 'Ed25519')?.[1] as PrivateKey;
    const small = parsePkcs8(der(generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey));
    if (small.kind !== 'rsa') throw new Error('not rsa');
    const m = rnd(10);
    const calls: [string, (p: CryptoProvider) => unknown][] = [
      ['ECDSA with an Ed25519 key', (p) => p.sign('ecdsa_secp256r1_sha256', ed, m)],
      ['ECDSA P-384 with a P-256 key', (p) => p.sign('ecdsa_secp384r1_sha384', ec, m)],
      ['Ed25519 with an EC key', (p) => p.sign('ed25519', ec, m)],
      ['RSA-PSS with an EC key', (p) => p.sign('rsa_pss_rsae_sha256', ec, m)],
      ['EC key with a zero scalar', (p) => p.sign('ecdsa_secp256r1_sha256', { kind: 'ec', curve: 'P-256', d: new Uint8Array(32) }, m)],
      ['Ed25519 short seed', (p) => p.sign('ed25519', { kind: 'ed25519', seed: new Uint8Array(31) }, m)],
      ['RSA with a broken CRT value', (p) => p.sign('rsa_pss_rsae_sha256', { ...small, dp: small.dp + 2n }, m)],
      ['RSA-PSS SHA-512 salt 64 on a 1024-bit key', (p) => p.sign({ type: 'rsa-pss', hash: 'SHA-512', mgfHash: 'SHA-512', saltLength: 100 }, small, m)],
      ['unknown algorithm type', (p) => p.sign({ type: 'dsa' } as unknown as SignatureAlgorithm, ec, m)],
      ['bad hash', (p) => p.verify({ type: 'ecdsa', curve: 'P-256', hash: 'SHA-1', encoding: 'der' } as unknown as SignatureAlgorithm, { kind: 'ec', curve: 'P-256', point: new Uint8Array(65) }, m, m)],
      ['message not bytes', (p) => p.sign('ed25519', ed, 'hello' as unknown as Uint8Array)],
      ['verify with a null key', (p) => p.verify('ed25519', null as unknown as PublicKey, m, new Uint8Array(64))],
      ['verify RSA with e = 1', (p) => p.verify('rsa_pkcs1_sha256', { kind: 'rsa', n: small.n, e: 1n }, m, new Uint8Array(128))],
      ['verify RSA with an even modulus', (p) => p.verify('rsa_pkcs1_sha256', { kind: 'rsa', n: small.n + 1n, e: 65537n }, m, new Uint8Array(128))],
      ['verify EC with an off-curve point', (p) => p.verify('ecdsa_secp256r1_sha256', { kind: 'ec', curve: 'P-256', point: Uint8Array.of(4, ...new Uint8Array(64).fill(7)) }, m, Uint8Array.of(0x30, 6, 2, 1, 1, 2, 1, 1))],
      ['verify a BER-length ECDSA signature', (p) => p.verify('ecdsa_secp256r1_sha256', publicOf(ec, noble), m, Uint8Array.of(0x30, 0x81, 6, 2, 1, 1, 2, 1, 1))],
    ];
    for (const [what, call] of calls) expect(capture(() => call(node)), what).toEqual(capture(() => call(noble)));
  });

  it('refuses signatures under small-order EdDSA keys, which OpenSSL alone would accept (RFC 8032 strict, as noble)', () => {
    const msg = rnd(32);
    const le = (n: bigint, len: number): Uint8Array => Uint8Array.from({ length: len }, (_, i) => Number((n >> BigInt(8 * i)) & 0xffn));
    const p25519 = 2n ** 255n - 19n;
    const y8 = 0x05fc536d880238b13933c6d305acdfd5f098eff289f4c345b027b2c28f95e826n;
    const identity25519 = le(1n, 32);
    for (const y of [0n, 1n, p25519 - 1n, y8, p25519 - y8]) {
      for (const sign of [0, 0x80]) {
        const key = le(y, 32);
        key[31] = (key[31] as number) | sign;
        let point;
        try {
          point = ed25519.Point.fromBytes(key);
        } catch {
          continue; // x = 0 with the sign bit set: not an encoding at all
        }
        // The table is right: noble agrees each of these is of small order.
        expect(point.isSmallOrder(), `y = ${y}`).toBe(true);
        // R = identity, S = 0: [S]B = R + [k]A holds whenever [k]A is the identity; for the identity key
        // that is every message, and OpenSSL's own check accepts it.
        const sig = Uint8Array.of(...identity25519, ...new Uint8Array(32));
        expect(node.verify('ed25519', { kind: 'ed25519', key }, msg, sig)).toBe(noble.verify('ed25519', { kind: 'ed25519', key }, msg, sig));
        expect(node.verify('ed25519', { kind: 'ed25519', key }, msg, sig)).toBe(false);
      }
    }
    const p448 = 2n ** 448n - 2n ** 224n - 1n;
    for (const y of [0n, 1n, p448 - 1n]) {
      const key = le(y, 57);
      expect(ed448.Point.fromBytes(key).isSmallOrder()).toBe(true);
      const sig = Uint8Array.of(...le(1n, 57), ...new Uint8Array(57));
      expect(node.verify('ed448', { kind: 'ed448', key }, msg, sig)).toBe(false);
      expect(noble.verify('ed448', { kind: 'ed448', key }, msg, sig)).toBe(false);
    }
    // L of both curves as noble has it.
    const sMax = (L: bigint, len: number): Uint8Array => le(L, len);
    const ed = generateKeyPairSync('ed25519');
    const seed = parsePkcs8(der(ed.privateKey));
    if (seed.kind !== 'ed25519') throw new Error('not ed25519');
    const pub: PublicKey = { kind: 'ed25519', key: ed25519.getPublicKey(seed.seed) };
    const sig = node.sign('ed25519', seed, msg) as Uint8Array;
    // S + L verifies under the cofactorless equation but is malleable: both refuse it.
    const s = sig.subarray(32).reduceRight((acc, b) => (acc << 8n) | BigInt(b), 0n);
    const malleable = Uint8Array.of(...sig.subarray(0, 32), ...sMax(s + ed25519.Point.Fn.ORDER, 32));
    expect(node.verify('ed25519', pub, msg, malleable)).toBe(false);
    expect(noble.verify('ed25519', pub, msg, malleable)).toBe(false);
    expect(node.verify('ed25519', pub, msg, sig)).toBe(true);
  });
});

describe('Ed25519: one verdict on every provider for torsion components (RFC 8032 §5.1.7)', () => {
  // RFC 8032 lets a verifier use the cofactored or the cofactorless equation; OpenSSL uses the
  // latter, so noble (and the Web Crypto provider, which verifies Ed25519 with it) must too: a
  // CertificateVerify must not pass or fail by provider. Signatures made by the key holder.
  it('refuses an R with an order-8 part and a key with one, on node:crypto, noble and Web Crypto alike', async () => {
    const { createWebCryptoProvider } = await import('@puretls/crypto/webcrypto');
    const { sha512 } = await import('../../crypto/node_modules/@noble/hashes/sha2.js');
    const providers: Record<string, CryptoProvider> = { node, noble, webcrypto: createWebCryptoProvider() };
    const Pt = ed25519.Point;
    const L = Pt.Fn.ORDER;
    const le = (b: Uint8Array): bigint => b.reduceRight((acc, x) => (acc << 8n) | BigInt(x), 0n);
    const tole = (n: bigint): Uint8Array => Uint8Array.from({ length: 32 }, (_, i) => Number((n >> BigInt(8 * i)) & 0xffn));
    const T8 = Pt.fromHex('26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05');
    expect(T8.multiply(8n).equals(Pt.ZERO)).toBe(true);
    const msg = new TextEncoder().encode('CertificateVerify content');
    const a = (le(rnd(32)) % (L - 1n)) + 1n;
    const A = Pt.BASE.multiply(a);
    /** S = r + k·a over R, under the key encoded as `Ab` (the signer knows a). */
    const sign = (Ab: Uint8Array, R: typeof A, r: bigint): { sig: Uint8Array; k: bigint } => {
      const Rb = R.toBytes();
      const k = le(sha512(Uint8Array.of(...Rb, ...Ab, ...msg))) % L;
      return { sig: Uint8Array.of(...Rb, ...tole((r + k * a) % L)), k };
    };
    const r = (le(rnd(32)) % (L - 1n)) + 1n;
    const honest = sign(A.toBytes(), Pt.BASE.multiply(r), r).sig;
    const twistedR = sign(A.toBytes(), Pt.BASE.multiply(r).add(T8), r).sig;
    const Am = A.add(T8);
    let ri = r;
    let mixed = sign(Am.toBytes(), Pt.BASE.multiply(ri), ri);
    // [k]T8 vanishes when 8 divides k: then even the cofactorless equation holds.
    while (mixed.k % 8n === 0n) mixed = sign(Am.toBytes(), Pt.BASE.multiply(++ri), ri);
    const verdicts: Record<string, boolean[]> = {};
    for (const [name, p] of Object.entries(providers)) {
      verdicts[name] = [
        await p.verify('ed25519', { kind: 'ed25519', key: A.toBytes() }, msg, honest),
        await p.verify('ed25519', { kind: 'ed25519', key: A.toBytes() }, msg, twistedR),
        await p.verify('ed25519', { kind: 'ed25519', key: Am.toBytes() }, msg, mixed.sig),
      ];
    }
    expect(verdicts).toEqual({ node: [true, false, false], noble: [true, false, false], webcrypto: [true, false, false] });
  });
});

describe('selectProvider', () => {
  it('picks node:crypto under Node, and either can be forced', () => {
    expect(selectProvider().name).toBe('node:crypto');
    expect(selectProvider({ force: 'auto' }).name).toBe('node:crypto');
    expect(selectProvider({ force: 'node' }).name).toBe('node:crypto');
    expect(selectProvider({ force: 'noble' }).name).toBe('noble');
    expect(() => selectProvider({ force: 'webcrypto' as 'auto' })).toThrow(RangeError);
  });

  it('PURETLS_PROVIDER forces the choice when the caller does not', () => {
    const before = process.env['PURETLS_PROVIDER'];
    try {
      process.env['PURETLS_PROVIDER'] = 'noble';
      expect(selectProvider().name).toBe('noble');
      expect(selectProvider({ force: 'node' }).name).toBe('node:crypto');
    } finally {
      if (before === undefined) delete process.env['PURETLS_PROVIDER'];
      else process.env['PURETLS_PROVIDER'] = before;
    }
  });

  it('passes the injected randomness to the provider it picks', () => {
    for (const force of ['node', 'noble'] as const) {
      const p = selectProvider({ force, random: (out) => void out.fill(7) });
      expect(toHex(p.randomBytes(4))).toBe('07070707');
      expect(toHex(p.group('x25519').generateKeyPair().privateKey)).toBe('07'.repeat(32));
    }
  });
});

describe('default randomness (OpenSSL, drawn through a pool)', () => {
  it('never hands out the same bytes twice, across pool refills and for large requests', () => {
    const p = createNodeProvider();
    const seen = new Set<string>();
    // 3 000 × 32 bytes is more than twenty refills of the 4 KiB pool; lengths vary so slices straddle refills.
    for (let i = 0; i < 3000; i++) {
      const b = p.randomBytes(24 + (i % 17));
      expect(b.length).toBe(24 + (i % 17));
      const hex = toHex(b.subarray(0, 24));
      expect(seen.has(hex)).toBe(false);
      seen.add(hex);
    }
    // Requests above the pool's slice size come straight from OpenSSL.
    const big = [p.randomBytes(70000), p.randomBytes(70000)];
    expect(toHex(big[0] as Uint8Array)).not.toBe(toHex(big[1] as Uint8Array));
    expect((big[0] as Uint8Array).some((x) => x !== 0)).toBe(true);
    expect(p.randomBytes(0).length).toBe(0);
  });

  it('gives X25519 key shares distinct private keys', () => {
    const g = createNodeProvider().group('x25519');
    const keys = new Set(Array.from({ length: 500 }, () => toHex(g.generateKeyPair().privateKey)));
    expect(keys.size).toBe(500);
  });
});
