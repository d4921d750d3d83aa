/**
 * Cross-checks of the noble provider's asymmetric primitives and of the key encodings against
 * node:crypto (OpenSSL), with fresh random keys on both sides:
 * - ECDH on all five TLS groups, both directions: our key share with node's key, node's
 *   `diffieHellman` with KeyObjects imported from our encodeSpki / encodePkcs8 DER (X25519 / X448 keys
 *   have no `PublicKey` kind, so their RFC 8410 DER is written here with the same der.ts writer).
 * - ECDSA P-256/384/521 (and mixed curve/hash pairs): we sign, node verifies, and the reverse, in DER
 *   and IEEE P1363 (`dsaEncoding`); node signs high-S half the time, which we must accept.
 * - Ed25519 / Ed448: deterministic, so both sides give identical signatures.
 * - SPKI / PKCS#8: node-exported DER parses with ours and re-encodes byte for byte (EC, EdDSA, RSA);
 *   a compressed EC SPKI is decompressed; id-RSASSA-PSS keys read as plain RSA keys; an EC PKCS#8
 *   written without its optional public key (RFC 5915 §3) gets the right one derived by OpenSSL.
 */
import * as nodeCrypto from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { encodePkcs8, encodeSpki, parsePkcs8, parseSpki } from '@puretls/crypto';
import type { EcCurve, HashName, NamedGroupName, PrivateKey, PublicKey, SignatureAlgorithm } from '@puretls/crypto';
import { createNobleProvider } from '@puretls/crypto/noble';
import { hex, toHex } from '@puretls/test-vectors';
import { DerReader, derBitString, derInteger, derOctetString, derOid, derSequence } from '../src/der.js';

const provider = createNobleProvider();
const ROUNDS = 4;

const der = (k: nodeCrypto.KeyObject): Uint8Array =>
  new Uint8Array(k.type === 'public' ? k.export({ format: 'der', type: 'spki' }) : k.export({ format: 'der', type: 'pkcs8' }));
const importSpki = (bytes: Uint8Array): nodeCrypto.KeyObject =>
  nodeCrypto.createPublicKey({ key: Buffer.from(bytes), format: 'der', type: 'spki' });
const importPkcs8 = (bytes: Uint8Array): nodeCrypto.KeyObject =>
  nodeCrypto.createPrivateKey({ key: Buffer.from(bytes), format: 'der', type: 'pkcs8' });
const random = (n: number): Uint8Array => new Uint8Array(nodeCrypto.randomBytes(n));

const NIST: readonly [group: NamedGroupName, curve: EcCurve, nodeCurve: string][] = [
  ['secp256r1', 'P-256', 'prime256v1'],
  ['secp384r1', 'P-384', 'secp384r1'],
  ['secp521r1', 'P-521', 'secp521r1'],
];

// RFC 8410 §3 / §7 for the XDH keys, which the PublicKey/PrivateKey unions do not carry.
const XDH: readonly [group: NamedGroupName, nodeType: 'x25519' | 'x448', oid: string][] = [
  ['x25519', 'x25519', '1.3.101.110'],
  ['x448', 'x448', '1.3.101.111'],
];
const xdhSpki = (oid: string, pub: Uint8Array): Uint8Array => derSequence(derSequence(derOid(oid)), derBitString(pub));
const xdhPkcs8 = (oid: string, priv: Uint8Array): Uint8Array =>
  derSequence(derInteger(0n), derSequence(derOid(oid)), derOctetString(derOctetString(priv)));
function xdhRawPublic(spki: Uint8Array): Uint8Array {
  const outer = DerReader.over(spki);
  const seq = outer.sequence();
  seq.sequence();
  return seq.bitString();
}

describe('ECDH against node:crypto', () => {
  for (const [groupName, curve, nodeCurve] of NIST) {
    it(`${groupName}: both directions agree, with keys moved through our SPKI / PKCS#8`, () => {
      const group = provider.group(groupName);
      for (let i = 0; i < ROUNDS; i++) {
        const ours = group.generateKeyPair();
        expect(ours.publicKey.length).toBe(group.publicKeyLength);
        const theirs = nodeCrypto.generateKeyPairSync('ec', { namedCurve: nodeCurve });
        const theirKey = parseSpki(der(theirs.publicKey));
        if (theirKey.kind !== 'ec') throw new Error('expected an EC key');
        expect(theirKey.curve).toBe(curve);

        const ourSpki = encodeSpki({ kind: 'ec', curve, point: ours.publicKey });
        const ourPkcs8 = encodePkcs8({ kind: 'ec', curve, d: ours.privateKey });
        const ourPublicObject = importSpki(ourSpki);
        const ourPrivateObject = importPkcs8(ourPkcs8);
        // OpenSSL derives the same public key from our private key encoding.
        expect(toHex(der(nodeCrypto.createPublicKey(ourPrivateObject)))).toBe(toHex(ourSpki));
        // The same with the public key written in: OpenSSL reads it back unchanged.
        const withPublic = encodePkcs8({ kind: 'ec', curve, d: ours.privateKey, publicKey: ours.publicKey });
        expect(withPublic.length).toBeGreaterThan(ourPkcs8.length);
        expect(toHex(der(nodeCrypto.createPublicKey(importPkcs8(withPublic))))).toBe(toHex(ourSpki));
        expect(parsePkcs8(withPublic)).toEqual({ kind: 'ec', curve, d: ours.privateKey, publicKey: ours.publicKey });

        const mine = group.sharedSecret(ours.privateKey, theirKey.point);
        const nodeWithOurPublic = new Uint8Array(nodeCrypto.diffieHellman({ privateKey: theirs.privateKey, publicKey: ourPublicObject }));
        const nodeWithOurPrivate = new Uint8Array(nodeCrypto.diffieHellman({ privateKey: ourPrivateObject, publicKey: theirs.publicKey }));
        expect(toHex(mine)).toBe(toHex(nodeWithOurPublic));
        expect(toHex(mine)).toBe(toHex(nodeWithOurPrivate));
        expect(mine.length).toBe({ 'P-256': 32, 'P-384': 48, 'P-521': 66 }[curve]);
      }
    });
  }
  for (const [groupName, nodeType, oid] of XDH) {
    it(`${groupName}: both directions agree, with keys moved through RFC 8410 DER`, () => {
      const group = provider.group(groupName);
      for (let i = 0; i < ROUNDS; i++) {
        const ours = group.generateKeyPair();
        const theirs = nodeCrypto.generateKeyPairSync(nodeType as 'x25519');
        const theirPublic = xdhRawPublic(der(theirs.publicKey));
        expect(theirPublic.length).toBe(group.publicKeyLength);
        const ourPrivateObject = importPkcs8(xdhPkcs8(oid, ours.privateKey));
        expect(toHex(der(nodeCrypto.createPublicKey(ourPrivateObject)))).toBe(toHex(xdhSpki(oid, ours.publicKey)));

        const mine = group.sharedSecret(ours.privateKey, theirPublic);
        const a = new Uint8Array(nodeCrypto.diffieHellman({ privateKey: theirs.privateKey, publicKey: importSpki(xdhSpki(oid, ours.publicKey)) }));
        const b = new Uint8Array(nodeCrypto.diffieHellman({ privateKey: ourPrivateObject, publicKey: theirs.publicKey }));
        expect(toHex(mine)).toBe(toHex(a));
        expect(toHex(mine)).toBe(toHex(b));
      }
    });
  }
});

const NODE_HASH: Readonly<Record<HashName, string>> = { 'SHA-256': 'sha256', 'SHA-384': 'sha384', 'SHA-512': 'sha512' };

// SEC 2 §2.4.2, §2.5.1, §2.6.1: the group orders n, to count node's high-S signatures.
const ORDERS: Readonly<Record<EcCurve, { readonly scalarLength: number; readonly order: bigint }>> = {
  'P-256': { scalarLength: 32, order: 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n },
  'P-384': {
    scalarLength: 48,
    order: 0xffffffffffffffffffffffffffffffffffffffffffffffffc7634d81f4372ddf581a0db248b0a77aecec196accc52973n,
  },
  'P-521': {
    scalarLength: 66,
    order:
      0x01fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffa51868783bf2f966b7fcc0148f709a5d03bb5c9b8899c47aebb6fb71e91386409n,
  },
};

const ECDSA_CASES: readonly [curve: EcCurve, nodeCurve: string, hash: HashName][] = [
  ['P-256', 'prime256v1', 'SHA-256'],
  ['P-384', 'secp384r1', 'SHA-384'],
  ['P-521', 'secp521r1', 'SHA-512'],
  // Curve and hash are independent in the algorithm: truncation (SHA-512 on P-256) and padding (SHA-256 on P-384/521).
  ['P-256', 'prime256v1', 'SHA-512'],
  ['P-384', 'secp384r1', 'SHA-256'],
  ['P-521', 'secp521r1', 'SHA-256'],
];

describe('ECDSA against node:crypto', () => {
  for (const [curve, nodeCurve, hash] of ECDSA_CASES) {
    for (const encoding of ['der', 'p1363'] as const) {
      it(`${curve} with ${hash}, ${encoding}: we sign and node verifies, node signs and we verify`, async () => {
        const alg: SignatureAlgorithm = { type: 'ecdsa', curve, hash, encoding };
        const dsaEncoding = encoding === 'der' ? 'der' : 'ieee-p1363';
        let highS = 0;
        for (let i = 0; i < ROUNDS * 2; i++) {
          const pair = nodeCrypto.generateKeyPairSync('ec', { namedCurve: nodeCurve });
          const priv = parsePkcs8(der(pair.privateKey));
          const pub = parseSpki(der(pair.publicKey));
          const msg = random(1 + i * 17);

          const ours = await provider.sign(alg, priv, msg);
          expect(nodeCrypto.verify(NODE_HASH[hash], msg, { key: pair.publicKey, dsaEncoding }, ours)).toBe(true);

          const theirs = new Uint8Array(nodeCrypto.sign(NODE_HASH[hash], msg, { key: pair.privateKey, dsaEncoding }));
          expect(await provider.verify(alg, pub, msg, theirs)).toBe(true);
          expect(await provider.verify(alg, pub, msg, ours)).toBe(true);
          // The same signature must not verify in the other encoding, for another message or key.
          expect(await provider.verify({ ...alg, encoding: encoding === 'der' ? 'p1363' : 'der' }, pub, msg, theirs)).toBe(false);
          const other = msg.slice();
          other[0] = (other[0] as number) ^ 1;
          expect(await provider.verify(alg, pub, other, theirs)).toBe(false);
          if (encoding === 'p1363') {
            const { scalarLength, order } = ORDERS[curve];
            const sOf = (sig: Uint8Array): bigint => BigInt(`0x${toHex(sig.subarray(scalarLength))}`);
            if (sOf(theirs) > order / 2n) highS++;
            // (r, n - s) is the other valid signature: both sides accept it (no low-S rule in TLS).
            const flipped = ours.slice();
            flipped.set(hex((order - sOf(ours)).toString(16).padStart(2 * scalarLength, '0')), scalarLength);
            expect(await provider.verify(alg, pub, msg, flipped)).toBe(true);
            expect(nodeCrypto.verify(NODE_HASH[hash], msg, { key: pair.publicKey, dsaEncoding }, flipped)).toBe(true);
          }
        }
        if (encoding === 'p1363') console.log(`${curve}/${hash}: node produced ${highS} high-S signatures of ${ROUNDS * 2}, all accepted`);
      });
    }
  }

  it('signing is RFC 6979 hedged with the provider randomness: same source, same signature; another, another', async () => {
    const pair = nodeCrypto.generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
    const priv = parsePkcs8(der(pair.privateKey));
    const pub = parseSpki(der(pair.publicKey));
    const fixed = (byte: number) => (out: Uint8Array): void => void out.fill(byte);
    const msg = random(20);
    const sign = (byte: number): Promise<Uint8Array> | Uint8Array => createNobleProvider({ random: fixed(byte) }).sign('ecdsa_secp256r1_sha256', priv, msg);
    const [a1, a2, b] = [await sign(1), await sign(1), await sign(2)];
    expect(toHex(a1)).toBe(toHex(a2));
    expect(toHex(a1)).not.toBe(toHex(b));
    for (const sig of [a1, b]) expect(nodeCrypto.verify('sha256', msg, pair.publicKey, sig)).toBe(true);
    expect(await provider.verify('ecdsa_secp256r1_sha256', pub, msg, b)).toBe(true);
  });

  it('signing with a key of the wrong curve or kind is KEY_ALGORITHM_MISMATCH; verifying is false', async () => {
    const pair = nodeCrypto.generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
    const priv = parsePkcs8(der(pair.privateKey));
    const pub = parseSpki(der(pair.publicKey));
    const msg = random(10);
    const p384: SignatureAlgorithm = { type: 'ecdsa', curve: 'P-384', hash: 'SHA-384', encoding: 'der' };
    expect(() => provider.sign(p384, priv, msg)).toThrowError(expect.objectContaining({ code: 'KEY_ALGORITHM_MISMATCH' }));
    expect(() => provider.sign('ed25519', priv, msg)).toThrowError(expect.objectContaining({ code: 'KEY_ALGORITHM_MISMATCH' }));
    const sig = await provider.sign('ecdsa_secp256r1_sha256', priv, msg);
    expect(await provider.verify('ecdsa_secp256r1_sha256', pub, msg, sig)).toBe(true);
    expect(await provider.verify(p384, pub, msg, sig)).toBe(false);
    expect(await provider.verify('ed25519', pub, msg, sig)).toBe(false);
    expect(await provider.verify('rsa_pss_rsae_sha256', pub, msg, sig)).toBe(false);
  });
});

describe('EdDSA against node:crypto', () => {
  for (const type of ['ed25519', 'ed448'] as const) {
    it(`${type}: identical signatures from both sides, each verifies the other's`, async () => {
      for (let i = 0; i < ROUNDS; i++) {
        const pair = nodeCrypto.generateKeyPairSync(type as 'ed25519');
        const priv = parsePkcs8(der(pair.privateKey));
        const pub = parseSpki(der(pair.publicKey));
        expect(priv.kind).toBe(type);
        const msg = random(i * 50);
        const ours = await provider.sign(type, priv, msg);
        const theirs = new Uint8Array(nodeCrypto.sign(null, msg, pair.privateKey));
        expect(toHex(ours)).toBe(toHex(theirs));
        expect(nodeCrypto.verify(null, msg, pair.publicKey, ours)).toBe(true);
        expect(await provider.verify(type, pub, msg, theirs)).toBe(true);
      }
    });
  }
});

describe('SPKI / PKCS#8 against node:crypto', () => {
  const pairs: [string, () => nodeCrypto.KeyPairKeyObjectResult][] = [
    ['EC P-256', () => nodeCrypto.generateKeyPairSync('ec', { namedCurve: 'prime256v1' })],
    ['EC P-384', () => nodeCrypto.generateKeyPairSync('ec', { namedCurve: 'secp384r1' })],
    ['EC P-521', () => nodeCrypto.generateKeyPairSync('ec', { namedCurve: 'secp521r1' })],
    ['Ed25519', () => nodeCrypto.generateKeyPairSync('ed25519')],
    ['Ed448', () => nodeCrypto.generateKeyPairSync('ed448')],
    ['RSA-2048', () => nodeCrypto.generateKeyPairSync('rsa', { modulusLength: 2048 })],
  ];
  for (const [name, generate] of pairs) {
    it(`${name}: node's DER parses and re-encodes byte for byte, and matches node's JWK`, () => {
      const pair = generate();
      const spki = der(pair.publicKey);
      const pkcs8 = der(pair.privateKey);
      const pub: PublicKey = parseSpki(spki);
      const priv: PrivateKey = parsePkcs8(pkcs8);
      expect(toHex(encodeSpki(pub))).toBe(toHex(spki));
      expect(toHex(encodePkcs8(priv))).toBe(toHex(pkcs8));

      const jwk = pair.privateKey.export({ format: 'jwk' });
      const b64 = (s: string | undefined): string => toHex(new Uint8Array(Buffer.from(s ?? '', 'base64url')));
      const big = (s: string | undefined): bigint => BigInt(`0x${b64(s) || '0'}`);
      switch (pub.kind) {
        case 'ec':
          expect(toHex(pub.point)).toBe(`04${b64(jwk.x)}${b64(jwk.y)}`);
          expect(priv.kind === 'ec' && toHex(priv.d)).toBe(b64(jwk.d));
          // node's ECPrivateKey carries the public key: kept, so the re-encoding above is identical.
          expect(priv.kind === 'ec' && priv.publicKey !== undefined && toHex(priv.publicKey)).toBe(toHex(pub.point));
          break;
        case 'ed25519':
        case 'ed448':
          expect(toHex(pub.key)).toBe(b64(jwk.x));
          expect(priv.kind === pub.kind && toHex(priv.seed)).toBe(b64(jwk.d));
          break;
        case 'rsa':
          expect([pub.n, pub.e]).toEqual([big(jwk.n), big(jwk.e)]);
          if (priv.kind !== 'rsa') throw new Error('expected an RSA private key');
          expect([priv.d, priv.p, priv.q, priv.dp, priv.dq, priv.qi]).toEqual([jwk.d, jwk.p, jwk.q, jwk.dp, jwk.dq, jwk.qi].map(big));
          break;
      }
    });
  }

  it('an EC PKCS#8 without the optional publicKey (RFC 5915 §3): OpenSSL derives the right public key from d', () => {
    for (const [, curve, nodeCurve] of NIST) {
      for (let i = 0; i < ROUNDS; i++) {
        const pair = nodeCrypto.generateKeyPairSync('ec', { namedCurve: nodeCurve });
        const priv = parsePkcs8(der(pair.privateKey));
        if (priv.kind !== 'ec') throw new Error('expected an EC key');
        const bare = encodePkcs8({ kind: 'ec', curve, d: priv.d });
        expect(parsePkcs8(bare)).toEqual({ kind: 'ec', curve, d: priv.d });
        expect(bare.length).toBeLessThan(der(pair.privateKey).length);
        const imported = importPkcs8(bare);
        expect(toHex(der(nodeCrypto.createPublicKey(imported)))).toBe(toHex(der(pair.publicKey)));
        const jwk = imported.export({ format: 'jwk' });
        const original = pair.privateKey.export({ format: 'jwk' });
        expect([jwk.x, jwk.y, jwk.d]).toEqual([original.x, original.y, original.d]);
        // OpenSSL keeps the layout: it exports such a key without the public key too, byte for byte.
        expect(toHex(der(imported))).toBe(toHex(bare));
      }
    }
  });

  it('a compressed EC point in SPKI (RFC 5480 §2.2) is decompressed to the point node exports', () => {
    for (const [, curve, nodeCurve] of NIST) {
      const pair = nodeCrypto.generateKeyPairSync('ec', { namedCurve: nodeCurve });
      const uncompressed = parseSpki(der(pair.publicKey));
      if (uncompressed.kind !== 'ec') throw new Error('expected an EC key');
      const compressedPoint = new Uint8Array(
        nodeCrypto.ECDH.convertKey(Buffer.from(uncompressed.point), nodeCurve, undefined, undefined, 'compressed') as Buffer,
      );
      const oidOf = { 'P-256': '1.2.840.10045.3.1.7', 'P-384': '1.3.132.0.34', 'P-521': '1.3.132.0.35' }[curve];
      const compressedSpki = derSequence(derSequence(derOid('1.2.840.10045.2.1'), derOid(oidOf)), derBitString(compressedPoint));
      // OpenSSL reads the same point from it (it keeps the compressed form on export, so compare JWK).
      const jwk = importSpki(compressedSpki).export({ format: 'jwk' });
      const coordinate = (s: string | undefined): string => toHex(new Uint8Array(Buffer.from(s ?? '', 'base64url')));
      expect(`04${coordinate(jwk.x)}${coordinate(jwk.y)}`).toBe(toHex(uncompressed.point));
      expect(compressedSpki.length).toBeLessThan(der(pair.publicKey).length);
      expect(parseSpki(compressedSpki)).toEqual(uncompressed);
    }
  });

  it('id-RSASSA-PSS keys (RFC 4055) parse as PSS-marked RSA keys and re-encode as node reads them', () => {
    const variants = [
      nodeCrypto.generateKeyPairSync('rsa-pss', { modulusLength: 1024 }),
      nodeCrypto.generateKeyPairSync('rsa-pss', { modulusLength: 1024, hashAlgorithm: 'sha256', mgf1HashAlgorithm: 'sha256' }),
    ];
    for (const pair of variants) {
      const pub = parseSpki(der(pair.publicKey));
      const priv = parsePkcs8(der(pair.privateKey));
      if (pub.kind !== 'rsa' || priv.kind !== 'rsa') throw new Error('expected RSA keys');
      expect([priv.n, priv.e]).toEqual([pub.n, pub.e]);
      expect(priv.p * priv.q).toBe(priv.n);
      expect(pair.publicKey.asymmetricKeyDetails?.publicExponent).toBe(pub.e);
      const restricted = pair.publicKey.asymmetricKeyDetails?.hashAlgorithm;
      expect(pub.pss).toEqual({ hash: restricted === 'sha256' ? 'SHA-256' : null });
      expect(priv.pss).toEqual(pub.pss);
      // Re-encoded, OpenSSL reads an RSA-PSS key with the same modulus and restriction.
      const back = importSpki(encodeSpki(pub));
      expect(back.asymmetricKeyType).toBe('rsa-pss');
      expect(back.asymmetricKeyDetails?.hashAlgorithm).toBe(restricted);
      const jwk = importSpki(encodeSpki({ kind: 'rsa', n: pub.n, e: pub.e })).export({ format: 'jwk' });
      expect(BigInt(`0x${toHex(new Uint8Array(Buffer.from(jwk.n ?? '', 'base64url')))}`)).toBe(pub.n);
      expect(nodeCrypto.createPrivateKey({ key: Buffer.from(encodePkcs8(priv)), format: 'der', type: 'pkcs8' }).asymmetricKeyType).toBe('rsa-pss');
    }
  });
});
