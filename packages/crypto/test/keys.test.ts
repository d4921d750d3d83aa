/**
 * Key encodings (SPKI, PKCS#8) against malformed DER: every row of the table must fail with a
 * CryptoError of the stated code — INVALID_KEY_ENCODING for structure (truncation, trailing data,
 * wrong tags, indefinite or non-minimal lengths, bad INTEGER / BIT STRING / OID forms, wrong
 * parameters), UNSUPPORTED_ALGORITHM for well-formed but unknown algorithms and curves,
 * INVALID_PUBLIC_KEY / INVALID_PRIVATE_KEY for keys that are not on the curve or in range — and never
 * with a RangeError or TypeError from the byte handling. Every strict prefix and thousands of random
 * mutations of valid encodings are checked for the same property.
 */
import { describe, expect, it } from 'vitest';
import { CryptoError, encodePkcs8, encodeSpki, parsePkcs8, parseSpki } from '@puretls/crypto';
import type { CryptoErrorCode, PrivateKey, PublicKey } from '@puretls/crypto';
import { createNobleProvider } from '@puretls/crypto/noble';
import { hex, toHex, xorshift32 } from '@puretls/test-vectors';
import {
  derBitString,
  derElement,
  derExplicit,
  derInteger,
  derNull,
  derOctetString,
  derOid,
  derSequence as seq,
} from '../src/der.js';

const OID = {
  ecPublicKey: '1.2.840.10045.2.1',
  p256: '1.2.840.10045.3.1.7',
  p384: '1.3.132.0.34',
  secp256k1: '1.3.132.0.10',
  rsaEncryption: '1.2.840.113549.1.1.1',
  rsassaPss: '1.2.840.113549.1.1.10',
  sha256: '2.16.840.1.101.3.4.2.1',
  mgf1: '1.2.840.113549.1.1.8',
  ed25519: '1.3.101.112',
  x25519: '1.3.101.110',
} as const;

const oid = derOid;
const int = (n: bigint | number): Uint8Array => derInteger(BigInt(n));
const octets = derOctetString;
const bits = derBitString;
const cat = (...parts: Uint8Array[]): Uint8Array => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
};

// Valid material to start from.
const P256_D = hex('c9afa9d845ba75166b5c215767b1d6934e50c3db36e89b127b8a622b120f6721');
const P256_N = hex('ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551');
const P256_POINT = createNobleProvider().group('secp256r1').keyPairFromPrivateKey(P256_D).publicKey;
const ED25519_SEED = hex('9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60'); // RFC 8032 §7.1 TEST 1
const ED25519_PUBLIC = hex('d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a');
// A toy RSA key (p = 61, q = 53): the encodings do not judge key strength.
const RSA: PrivateKey = { kind: 'rsa', n: 3233n, e: 17n, d: 2753n, p: 61n, q: 53n, dp: 53n, dq: 49n, qi: 38n };

const ecAlg = (curve: string = OID.p256): Uint8Array => seq(oid(OID.ecPublicKey), oid(curve));
const rsaAlg = (): Uint8Array => seq(oid(OID.rsaEncryption), derNull());
const spki = (alg: Uint8Array, key: Uint8Array): Uint8Array => seq(alg, bits(key));
const pkcs8 = (alg: Uint8Array, key: Uint8Array, version = int(0), ...rest: Uint8Array[]): Uint8Array =>
  seq(version, alg, octets(key), ...rest);
const ecPrivateKey = (d: Uint8Array, ...rest: Uint8Array[]): Uint8Array => seq(int(1), octets(d), ...rest);
const rsaPublicKey = (n: Uint8Array = int(3233), e: Uint8Array = int(17)): Uint8Array => seq(n, e);
const rsaPrivateKey = (version = int(0)): Uint8Array => seq(version, ...[3233, 17, 2753, 61, 53, 53, 49, 38].map(int));

const VALID_SPKI: Readonly<Record<string, Uint8Array>> = {
  'EC P-256': spki(ecAlg(), P256_POINT),
  Ed25519: spki(seq(oid(OID.ed25519)), ED25519_PUBLIC),
  RSA: spki(rsaAlg(), rsaPublicKey()),
};
const VALID_PKCS8: Readonly<Record<string, Uint8Array>> = {
  'EC P-256': pkcs8(ecAlg(), ecPrivateKey(P256_D, derExplicit(1, bits(P256_POINT)))),
  Ed25519: pkcs8(seq(oid(OID.ed25519)), octets(ED25519_SEED)),
  RSA: pkcs8(rsaAlg(), rsaPrivateKey()),
};

/** Replaces the outer tag. */
const retag = (der: Uint8Array, tag: number): Uint8Array => {
  const c = der.slice();
  c[0] = tag;
  return c;
};
/** The content of the outer TLV (short or long form length). */
function contentOf(der: Uint8Array): Uint8Array {
  const l = der[1] as number;
  return der.subarray(l < 0x80 ? 2 : 2 + (l & 0x7f));
}
/** Outer TLV in BER indefinite form: 0x80 length and an end-of-contents marker. */
const indefinite = (der: Uint8Array): Uint8Array => cat(Uint8Array.of(der[0] as number, 0x80), contentOf(der), Uint8Array.of(0, 0));
/** Outer length with a superfluous leading zero octet. */
function paddedLength(der: Uint8Array): Uint8Array {
  const content = contentOf(der);
  return cat(Uint8Array.of(der[0] as number, 0x82, content.length >> 8, content.length & 0xff), content);
}
/** Outer length in long form though it is < 128. */
const longFormShort = (der: Uint8Array): Uint8Array => cat(Uint8Array.of(der[0] as number, 0x81, contentOf(der).length), contentOf(der));

type Row = readonly [name: string, parse: 'spki' | 'pkcs8', der: Uint8Array, code: CryptoErrorCode];

const ENC: CryptoErrorCode = 'INVALID_KEY_ENCODING';
const UNSUPPORTED: CryptoErrorCode = 'UNSUPPORTED_ALGORITHM';

const offCurve = P256_POINT.slice();
offCurve[64] = (offCurve[64] as number) ^ 1;
const hybrid = P256_POINT.slice();
hybrid[0] = 0x06;
const pssHash = derExplicit(0, seq(oid(OID.sha256), derNull()));
const pssMgf = derExplicit(1, seq(oid(OID.mgf1), seq(oid(OID.sha256), derNull())));

const TABLE: readonly Row[] = [
  // Framing of the outer SEQUENCE.
  ['empty input', 'spki', new Uint8Array(0), ENC],
  ['trailing garbage after the SPKI', 'spki', cat(VALID_SPKI['EC P-256'] as Uint8Array, Uint8Array.of(0)), ENC],
  ['trailing garbage after the PKCS#8', 'pkcs8', cat(VALID_PKCS8['RSA'] as Uint8Array, Uint8Array.of(0x05, 0x00)), ENC],
  ['outer SET instead of SEQUENCE', 'spki', retag(VALID_SPKI['EC P-256'] as Uint8Array, 0x31), ENC],
  ['outer [0] instead of SEQUENCE', 'pkcs8', retag(VALID_PKCS8['Ed25519'] as Uint8Array, 0xa0), ENC],
  ['outer tag in high-tag-number form', 'spki', retag(VALID_SPKI['Ed25519'] as Uint8Array, 0x3f), ENC],
  ['indefinite length (BER)', 'spki', indefinite(VALID_SPKI['Ed25519'] as Uint8Array), ENC],
  ['indefinite length in PKCS#8', 'pkcs8', indefinite(VALID_PKCS8['EC P-256'] as Uint8Array), ENC],
  ['length with a leading zero octet', 'spki', paddedLength(VALID_SPKI['EC P-256'] as Uint8Array), ENC],
  ['long-form length below 128', 'spki', longFormShort(VALID_SPKI['Ed25519'] as Uint8Array), ENC],
  ['long-form length below 128 in PKCS#8', 'pkcs8', longFormShort(VALID_PKCS8['Ed25519'] as Uint8Array), ENC],
  ['length of length 5', 'spki', Uint8Array.of(0x30, 0x85, 1, 0, 0, 0, 0), ENC],
  ['reserved length octet 0xff', 'spki', Uint8Array.of(0x30, 0xff, 0), ENC],
  ['length beyond the data', 'spki', Uint8Array.of(0x30, 0x84, 0x7f, 0xff, 0xff, 0xff, 0x30, 0x00), ENC],
  ['inner length overflowing the outer one', 'spki', seq(cat(Uint8Array.of(0x30, 0x7f), oid(OID.ed25519)), bits(ED25519_PUBLIC)), ENC],
  // AlgorithmIdentifier.
  ['AlgorithmIdentifier is not a SEQUENCE', 'spki', seq(oid(OID.ed25519), bits(ED25519_PUBLIC)), ENC],
  ['algorithm is an OCTET STRING, not an OID', 'spki', seq(seq(octets(hex('2b6570'))), bits(ED25519_PUBLIC)), ENC],
  ['empty OID', 'spki', seq(seq(derElement(0x06, new Uint8Array(0))), bits(ED25519_PUBLIC)), ENC],
  ['OID with a non-minimal arc (0x80 pad)', 'spki', seq(seq(derElement(0x06, hex('2b806570'))), bits(ED25519_PUBLIC)), ENC],
  ['OID with a truncated arc', 'spki', seq(seq(derElement(0x06, hex('2b65f0'))), bits(ED25519_PUBLIC)), ENC],
  ['unknown public key algorithm (X25519 is not a signature key)', 'spki', spki(seq(oid(OID.x25519)), ED25519_PUBLIC), UNSUPPORTED],
  ['unknown public key algorithm OID', 'spki', spki(seq(oid('1.2.840.10045.2.2'), oid(OID.p256)), P256_POINT), UNSUPPORTED],
  ['unknown private key algorithm OID', 'pkcs8', pkcs8(seq(oid('1.3.101.114')), octets(ED25519_SEED)), UNSUPPORTED],
  ['unsupported curve (secp256k1)', 'spki', spki(ecAlg(OID.secp256k1), P256_POINT), UNSUPPORTED],
  // Verification with larger keys costs seconds (a peer's chain must not hold the event loop).
  ['RSA modulus of 16385 bits', 'spki', spki(rsaAlg(), rsaPublicKey(int((1n << 16384n) + 1n))), UNSUPPORTED],
  ['RSA public exponent of 65 bits', 'spki', spki(rsaAlg(), rsaPublicKey(int((1n << 2047n) + 1n), int((1n << 64n) + 1n))), UNSUPPORTED],
  ['explicit curve parameters', 'spki', spki(seq(oid(OID.ecPublicKey), seq(int(1))), P256_POINT), UNSUPPORTED],
  ['implicitCurve (NULL) parameters', 'spki', spki(seq(oid(OID.ecPublicKey), derNull()), P256_POINT), UNSUPPORTED],
  ['EC key without parameters', 'spki', spki(seq(oid(OID.ecPublicKey)), P256_POINT), ENC],
  ['EC parameters followed by junk', 'spki', spki(seq(oid(OID.ecPublicKey), oid(OID.p256), derNull()), P256_POINT), ENC],
  ['Ed25519 with NULL parameters (RFC 8410 §3: absent)', 'spki', spki(seq(oid(OID.ed25519), derNull()), ED25519_PUBLIC), ENC],
  ['rsaEncryption without the NULL parameters', 'spki', spki(seq(oid(OID.rsaEncryption)), rsaPublicKey()), ENC],
  ['rsaEncryption with NULL carrying content', 'spki', spki(seq(oid(OID.rsaEncryption), derElement(0x05, Uint8Array.of(0))), rsaPublicKey()), ENC],
  ['RSASSA-PSS parameters that are not a SEQUENCE', 'spki', spki(seq(oid(OID.rsassaPss), octets(hex('00'))), rsaPublicKey()), ENC],
  ['RSASSA-PSS parameters with an unknown field [4]', 'spki', spki(seq(oid(OID.rsassaPss), seq(derExplicit(4, int(1)))), rsaPublicKey()), ENC],
  ['RSASSA-PSS parameters out of order', 'spki', spki(seq(oid(OID.rsassaPss), seq(pssMgf, pssHash)), rsaPublicKey()), ENC],
  ['RSASSA-PSS hash parameters in high-tag-number form', 'spki', spki(seq(oid(OID.rsassaPss), seq(derExplicit(0, seq(oid(OID.sha256), hex('1f0100'))))), rsaPublicKey()), ENC],
  ['RSASSA-PSS negative saltLength', 'spki', spki(seq(oid(OID.rsassaPss), seq(derExplicit(2, derElement(0x02, hex('e0'))))), rsaPublicKey()), ENC],
  // The key BIT STRING.
  ['BIT STRING with unused bits', 'spki', seq(ecAlg(), derElement(0x03, cat(Uint8Array.of(1), P256_POINT))), ENC],
  ['empty BIT STRING', 'spki', seq(ecAlg(), derElement(0x03, new Uint8Array(0))), ENC],
  ['OCTET STRING instead of BIT STRING', 'spki', seq(ecAlg(), octets(P256_POINT)), ENC],
  ['missing key', 'spki', seq(ecAlg()), ENC],
  ['EC point off the curve', 'spki', spki(ecAlg(), offCurve), 'INVALID_PUBLIC_KEY'],
  ['EC point in hybrid form (0x06)', 'spki', spki(ecAlg(), hybrid), 'INVALID_PUBLIC_KEY'],
  ['EC point of the wrong length', 'spki', spki(ecAlg(), P256_POINT.subarray(0, 64)), 'INVALID_PUBLIC_KEY'],
  ['EC point at infinity (0x00)', 'spki', spki(ecAlg(), Uint8Array.of(0)), 'INVALID_PUBLIC_KEY'],
  ['P-256 point under the P-384 OID', 'spki', spki(ecAlg(OID.p384), P256_POINT), 'INVALID_PUBLIC_KEY'],
  ['Ed25519 key of 31 bytes', 'spki', spki(seq(oid(OID.ed25519)), ED25519_PUBLIC.subarray(1)), ENC],
  ['Ed25519 key that is not a point (y = p)', 'spki', spki(seq(oid(OID.ed25519)), hex('edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f')), 'INVALID_PUBLIC_KEY'],
  // RSAPublicKey.
  ['RSAPublicKey with a negative modulus', 'spki', spki(rsaAlg(), rsaPublicKey(derElement(0x02, hex('f3')))), ENC],
  ['RSAPublicKey with a zero exponent', 'spki', spki(rsaAlg(), rsaPublicKey(int(3233), int(0))), ENC],
  ['RSAPublicKey with a non-minimal INTEGER', 'spki', spki(rsaAlg(), rsaPublicKey(derElement(0x02, hex('000ca1')))), ENC],
  ['RSAPublicKey with an empty INTEGER', 'spki', spki(rsaAlg(), rsaPublicKey(int(3233), derElement(0x02, new Uint8Array(0)))), ENC],
  ['RSAPublicKey with an extra field', 'spki', spki(rsaAlg(), seq(int(3233), int(17), int(1))), ENC],
  ['RSAPublicKey missing the exponent', 'spki', spki(rsaAlg(), seq(int(3233))), ENC],
  ['RSAPublicKey followed by junk inside the BIT STRING', 'spki', spki(rsaAlg(), cat(rsaPublicKey(), Uint8Array.of(0))), ENC],
  // PrivateKeyInfo.
  ['PKCS#8 version 2', 'pkcs8', pkcs8(seq(oid(OID.ed25519)), octets(ED25519_SEED), int(2)), ENC],
  ['PKCS#8 negative version', 'pkcs8', pkcs8(seq(oid(OID.ed25519)), octets(ED25519_SEED), derElement(0x02, hex('ff'))), ENC],
  ['PKCS#8 v1 publicKey in a version 0 structure', 'pkcs8', pkcs8(seq(oid(OID.ed25519)), octets(ED25519_SEED), int(0), derElement(0x81, cat(Uint8Array.of(0), ED25519_PUBLIC))), ENC],
  ['PKCS#8 attributes that are not SEQUENCEs', 'pkcs8', pkcs8(seq(oid(OID.ed25519)), octets(ED25519_SEED), int(0), derElement(0xa0, int(1))), ENC],
  ['PKCS#8 private key as BIT STRING', 'pkcs8', seq(int(0), seq(oid(OID.ed25519)), bits(octets(ED25519_SEED))), ENC],
  ['Ed25519 seed not wrapped in CurvePrivateKey', 'pkcs8', pkcs8(seq(oid(OID.ed25519)), ED25519_SEED), ENC],
  ['Ed25519 seed of 33 bytes', 'pkcs8', pkcs8(seq(oid(OID.ed25519)), octets(cat(ED25519_SEED, Uint8Array.of(0)))), ENC],
  ['ECPrivateKey version 0', 'pkcs8', pkcs8(ecAlg(), seq(int(0), octets(P256_D))), ENC],
  ['ECPrivateKey scalar of 31 bytes', 'pkcs8', pkcs8(ecAlg(), ecPrivateKey(P256_D.subarray(1))), ENC],
  ['ECPrivateKey scalar of 33 bytes', 'pkcs8', pkcs8(ecAlg(), ecPrivateKey(cat(Uint8Array.of(0), P256_D))), ENC],
  ['ECPrivateKey scalar as INTEGER', 'pkcs8', pkcs8(ecAlg(), seq(int(1), derInteger(0x1234n))), ENC],
  ['ECPrivateKey [0] naming another curve', 'pkcs8', pkcs8(ecAlg(), ecPrivateKey(P256_D, derExplicit(0, oid(OID.p384)))), ENC],
  ['ECPrivateKey publicKey that is not a BIT STRING', 'pkcs8', pkcs8(ecAlg(), ecPrivateKey(P256_D, derExplicit(1, octets(P256_POINT)))), ENC],
  ['ECPrivateKey with trailing fields', 'pkcs8', pkcs8(ecAlg(), ecPrivateKey(P256_D, derExplicit(1, bits(P256_POINT)), int(0))), ENC],
  ['ECPrivateKey publicKey off the curve', 'pkcs8', pkcs8(ecAlg(), ecPrivateKey(P256_D, derExplicit(1, bits(offCurve)))), 'INVALID_PUBLIC_KEY'],
  ['ECPrivateKey publicKey in hybrid form (0x06)', 'pkcs8', pkcs8(ecAlg(), ecPrivateKey(P256_D, derExplicit(1, bits(hybrid)))), 'INVALID_PUBLIC_KEY'],
  ['ECPrivateKey publicKey of the wrong length', 'pkcs8', pkcs8(ecAlg(), ecPrivateKey(P256_D, derExplicit(1, bits(P256_POINT.subarray(0, 64))))), 'INVALID_PUBLIC_KEY'],
  ['ECPrivateKey publicKey at infinity (0x00)', 'pkcs8', pkcs8(ecAlg(), ecPrivateKey(P256_D, derExplicit(1, bits(Uint8Array.of(0))))), 'INVALID_PUBLIC_KEY'],
  ['ECPrivateKey publicKey with unused bits', 'pkcs8', pkcs8(ecAlg(), ecPrivateKey(P256_D, derExplicit(1, derElement(0x03, cat(Uint8Array.of(1), P256_POINT))))), ENC],
  ['EC scalar zero', 'pkcs8', pkcs8(ecAlg(), ecPrivateKey(new Uint8Array(32))), 'INVALID_PRIVATE_KEY'],
  ['EC scalar equal to n', 'pkcs8', pkcs8(ecAlg(), ecPrivateKey(P256_N)), 'INVALID_PRIVATE_KEY'],
  ['EC PKCS#8 without a named curve', 'pkcs8', pkcs8(seq(oid(OID.ecPublicKey)), ecPrivateKey(P256_D)), ENC],
  ['RSAPrivateKey multi-prime (version 1)', 'pkcs8', pkcs8(rsaAlg(), rsaPrivateKey(int(1))), UNSUPPORTED],
  ['RSAPrivateKey version 2', 'pkcs8', pkcs8(rsaAlg(), rsaPrivateKey(int(2))), ENC],
  ['RSAPrivateKey missing the coefficient', 'pkcs8', pkcs8(rsaAlg(), seq(int(0), ...[3233, 17, 2753, 61, 53, 53, 49].map(int))), ENC],
  ['RSAPrivateKey in an rsaEncryption without NULL', 'pkcs8', pkcs8(seq(oid(OID.rsaEncryption)), rsaPrivateKey()), ENC],
];

function parse(kind: 'spki' | 'pkcs8', der: Uint8Array): PublicKey | PrivateKey {
  return kind === 'spki' ? parseSpki(der) : parsePkcs8(der);
}

/** The thrown value, or undefined when parsing succeeded. */
function thrown(fn: () => unknown): unknown {
  try {
    fn();
    return undefined;
  } catch (e) {
    return e;
  }
}

describe('valid encodings (the starting points of the table)', () => {
  it('parse and re-encode identically', () => {
    expect(parseSpki(VALID_SPKI['EC P-256'] as Uint8Array)).toEqual({ kind: 'ec', curve: 'P-256', point: P256_POINT });
    expect(parseSpki(VALID_SPKI['Ed25519'] as Uint8Array)).toEqual({ kind: 'ed25519', key: ED25519_PUBLIC });
    expect(parseSpki(VALID_SPKI['RSA'] as Uint8Array)).toEqual({ kind: 'rsa', n: 3233n, e: 17n });
    // The ECPrivateKey's publicKey [1] is kept, so that encodePkcs8 writes it back.
    expect(parsePkcs8(VALID_PKCS8['EC P-256'] as Uint8Array)).toEqual({ kind: 'ec', curve: 'P-256', d: P256_D, publicKey: P256_POINT });
    expect(parsePkcs8(VALID_PKCS8['Ed25519'] as Uint8Array)).toEqual({ kind: 'ed25519', seed: ED25519_SEED });
    expect(parsePkcs8(VALID_PKCS8['RSA'] as Uint8Array)).toEqual(RSA);
    for (const der of Object.values(VALID_SPKI)) expect(toHex(encodeSpki(parseSpki(der)))).toBe(toHex(der));
    for (const der of Object.values(VALID_PKCS8)) expect(toHex(encodePkcs8(parsePkcs8(der)))).toBe(toHex(der));
  });

  it('accepts the optional parts: PSS parameters, PKCS#8 v2 with a public key and attributes, ECPrivateKey [0]', () => {
    const pss = spki(seq(oid(OID.rsassaPss), seq(pssHash, pssMgf, derExplicit(2, int(32)), derExplicit(3, int(1)))), rsaPublicKey());
    // id-RSASSA-PSS keys are marked with the hash their parameters bind them to (RFC 4055 §3.1):
    // SHA-256 here; none without parameters; SHA-1 (unusable in TLS) when the defaults apply.
    expect(parseSpki(pss)).toEqual({ kind: 'rsa', n: 3233n, e: 17n, pss: { hash: 'SHA-256' } });
    expect(parseSpki(spki(seq(oid(OID.rsassaPss)), rsaPublicKey()))).toEqual({ kind: 'rsa', n: 3233n, e: 17n, pss: { hash: null } });
    expect(parseSpki(spki(seq(oid(OID.rsassaPss), seq()), rsaPublicKey()))).toEqual({ kind: 'rsa', n: 3233n, e: 17n, pss: { hash: 'other' } });
    const v2 = pkcs8(seq(oid(OID.ed25519)), octets(ED25519_SEED), int(1), derElement(0xa0, seq(oid('1.2.3'))), derElement(0x81, cat(Uint8Array.of(0), ED25519_PUBLIC)));
    expect(parsePkcs8(v2)).toEqual({ kind: 'ed25519', seed: ED25519_SEED });
    expect(parsePkcs8(pkcs8(ecAlg(), ecPrivateKey(P256_D, derExplicit(0, oid(OID.p256)))))).toEqual({ kind: 'ec', curve: 'P-256', d: P256_D });
  });

  it('an ECPrivateKey publicKey (RFC 5915 §3, optional) is kept when present, uncompressed, and written back only then', () => {
    // Absent: no publicKey field, and none written (readers derive it from d).
    const bare = pkcs8(ecAlg(), ecPrivateKey(P256_D));
    const bareKey = parsePkcs8(bare);
    expect(bareKey).toEqual({ kind: 'ec', curve: 'P-256', d: P256_D });
    expect('publicKey' in bareKey).toBe(false);
    expect(toHex(encodePkcs8(bareKey))).toBe(toHex(bare));
    expect(toHex(encodePkcs8({ kind: 'ec', curve: 'P-256', d: P256_D }))).toBe(toHex(bare));
    // With [0] and [1]: the point is kept; the re-encoding drops [0] (implied by PKCS#8, RFC 5915 §1).
    const full = parsePkcs8(pkcs8(ecAlg(), ecPrivateKey(P256_D, derExplicit(0, oid(OID.p256)), derExplicit(1, bits(P256_POINT)))));
    expect(full).toEqual({ kind: 'ec', curve: 'P-256', d: P256_D, publicKey: P256_POINT });
    expect(toHex(encodePkcs8(full))).toBe(toHex(VALID_PKCS8['EC P-256'] as Uint8Array));
    // Compressed (SEC 1 §2.3.3): kept decompressed, written back uncompressed.
    const compressed = Uint8Array.of(2 | ((P256_POINT[64] as number) & 1), ...P256_POINT.subarray(1, 33));
    const fromCompressed = parsePkcs8(pkcs8(ecAlg(), ecPrivateKey(P256_D, derExplicit(1, bits(compressed)))));
    expect(fromCompressed).toEqual({ kind: 'ec', curve: 'P-256', d: P256_D, publicKey: P256_POINT });
    expect(toHex(encodePkcs8(fromCompressed))).toBe(toHex(VALID_PKCS8['EC P-256'] as Uint8Array));
    // A copy: the parsed key does not alias the input.
    const der = (VALID_PKCS8['EC P-256'] as Uint8Array).slice();
    const key = parsePkcs8(der);
    der[der.length - 1] = (der[der.length - 1] as number) ^ 1;
    expect(key.kind === 'ec' && toHex(key.publicKey ?? new Uint8Array(0))).toBe(toHex(P256_POINT));
  });

  it('the kept publicKey is not checked against d and never used to sign', async () => {
    const provider = createNobleProvider();
    const otherPoint = provider.group('secp256r1').generateKeyPair().publicKey;
    const mismatched = parsePkcs8(pkcs8(ecAlg(), ecPrivateKey(P256_D, derExplicit(1, bits(otherPoint)))));
    expect(mismatched).toEqual({ kind: 'ec', curve: 'P-256', d: P256_D, publicKey: otherPoint });
    const message = Uint8Array.of(1, 2, 3);
    const signature = await provider.sign('ecdsa_secp256r1_sha256', mismatched, message);
    expect(await provider.verify('ecdsa_secp256r1_sha256', { kind: 'ec', curve: 'P-256', point: P256_POINT }, message, signature)).toBe(true);
    expect(await provider.verify('ecdsa_secp256r1_sha256', { kind: 'ec', curve: 'P-256', point: otherPoint }, message, signature)).toBe(false);
  });
});

describe('malformed DER table', () => {
  for (const [name, kind, der, code] of TABLE) {
    it(`${kind}: ${name} → ${code}`, () => {
      const e = thrown(() => parse(kind, der));
      expect(e).toBeInstanceOf(CryptoError);
      expect((e as CryptoError).code, (e as Error).message).toBe(code);
    });
  }

  it('every strict prefix of every valid encoding is INVALID_KEY_ENCODING', () => {
    let count = 0;
    for (const [kind, valid] of [
      ['spki', VALID_SPKI],
      ['pkcs8', VALID_PKCS8],
    ] as const) {
      for (const der of Object.values(valid)) {
        for (let len = 0; len < der.length; len++) {
          const e = thrown(() => parse(kind, der.subarray(0, len)));
          expect(e, `${kind} prefix ${len}/${der.length}`).toBeInstanceOf(CryptoError);
          expect((e as CryptoError).code).toBe('INVALID_KEY_ENCODING');
          count++;
        }
      }
    }
    const total = [...Object.values(VALID_SPKI), ...Object.values(VALID_PKCS8)].reduce((n, d) => n + d.length, 0);
    expect(count).toBe(total);
  });

  it('random mutations never escape as anything but a CryptoError', () => {
    const next = xorshift32(0x2545f491); // fixed seed: reproducible
    const codes = new Map<string, number>();
    let parsed = 0;
    for (const [kind, valid] of [
      ['spki', VALID_SPKI],
      ['pkcs8', VALID_PKCS8],
    ] as const) {
      for (const der of Object.values(valid)) {
        for (let i = 0; i < 1500; i++) {
          const m = der.slice();
          for (let k = 1 + (next() % 3); k > 0; k--) m[next() % m.length] = next() & 0xff;
          const e = thrown(() => parse(kind, m));
          if (e === undefined) parsed++;
          else if (e instanceof CryptoError) codes.set(e.code, (codes.get(e.code) ?? 0) + 1);
          else throw new Error(`${kind} mutation ${toHex(m)} threw ${String(e)}`);
        }
      }
    }
    console.log(`mutations: ${parsed} still parsed (changed key bytes), refusals ${JSON.stringify(Object.fromEntries(codes))}`);
    expect(codes.get('INVALID_KEY_ENCODING')).toBeGreaterThan(1000);
  });

  it('a non-Uint8Array argument is a TypeError (caller error), not a CryptoError', () => {
    expect(() => parseSpki('3000' as unknown as Uint8Array)).toThrow(TypeError);
    expect(() => parsePkcs8([0x30, 0] as unknown as Uint8Array)).toThrow(TypeError);
  });
});

describe('encoders refuse malformed key objects with caller errors', () => {
  it('names the bad field', () => {
    expect(() => encodeSpki({ kind: 'ec', curve: 'P-256', point: P256_POINT.subarray(1) })).toThrow(/key\.point/);
    expect(() => encodeSpki({ kind: 'ed25519', key: new Uint8Array(31) })).toThrow(/key\.key/);
    expect(() => encodeSpki({ kind: 'rsa', n: -1n, e: 3n })).toThrow(/key\.n/);
    expect(() => encodePkcs8({ kind: 'ec', curve: 'P-256', d: new Uint8Array(32) })).toThrow(RangeError);
    expect(() => encodePkcs8({ kind: 'ec', curve: 'P-256', d: new Uint8Array(32) })).toThrow(/key\.d/);
    expect(() => encodePkcs8({ kind: 'ec', curve: 'P-256', d: P256_D, publicKey: P256_POINT.subarray(1) })).toThrow(RangeError);
    expect(() => encodePkcs8({ kind: 'ec', curve: 'P-256', d: P256_D, publicKey: P256_POINT.subarray(1) })).toThrow(/key\.publicKey/);
    const compressedPoint = P256_POINT.slice(0, 65);
    compressedPoint[0] = 0x02;
    expect(() => encodePkcs8({ kind: 'ec', curve: 'P-256', d: P256_D, publicKey: compressedPoint })).toThrow(RangeError);
    expect(() => encodePkcs8({ kind: 'ec', curve: 'P-256', d: P256_D, publicKey: compressedPoint })).toThrow(/key\.publicKey/);
    expect(() => encodePkcs8({ kind: 'ec', curve: 'P-256', d: P256_D, publicKey: [...P256_POINT] as unknown as Uint8Array })).toThrow(/key\.publicKey/);
    expect(() => encodePkcs8({ kind: 'ec', curve: 'P-224' as 'P-256', d: P256_D })).toThrow(RangeError);
    expect(() => encodePkcs8({ kind: 'ed448', seed: new Uint8Array(32) })).toThrow(/key\.seed/);
    expect(() => encodeSpki({ kind: 'dsa' } as unknown as PublicKey)).toThrow(TypeError);
  });
});
