/**
 * Fixes from the X.509 review. The signature budget is weighted by the cost of each check: junk
 * intermediates that claim the leaf's issuer name with P-521 or RSA-16384 (e = 2^64−1) keys stop
 * after a handful of checks, where 100 used to be allowed (1–2 s with the pure provider), while
 * real chains with expensive keys and several candidates still verify. An over-long U-label is
 * refused before Punycode (quadratic) runs. The tests count checks and calls, never time.
 */
import { type KeyObject, generateKeyPairSync, randomBytes, sign } from 'node:crypto';
import { type CryptoProvider, type PublicKey } from '@puretls/crypto';
import { createNobleProvider } from '@puretls/crypto/noble';
import { beforeEach, describe, expect, test, vi } from 'vitest';
import { type Certificate, checkServerIdentity, parseCertificate, verifyCertificateChain } from '../src/index.js';
import { normalizeDnsName } from '../src/identity.js';
import { punycodeEncode } from '../src/punycode.js';
import { SIGNATURE_COST, keyCost, signatureCheckCost } from '../src/signature-cost.js';
import { createCertificateVerifier } from '../src/verifier.js';

vi.mock('../src/punycode.js', async (importOriginal) => {
  const actual = await importOriginal<typeof import('../src/punycode.js')>();
  return { ...actual, punycodeEncode: vi.fn(actual.punycodeEncode) };
});

// --- a little DER, to make certificates with any key (openssl would take minutes for RSA-16384) ---
const len = (n: number): number[] => (n < 0x80 ? [n] : n < 0x100 ? [0x81, n] : [0x82, n >> 8, n & 0xff]);
const tlv = (tag: number, ...parts: Uint8Array[]): Uint8Array => {
  const body = Buffer.concat(parts);
  return new Uint8Array([tag, ...len(body.length), ...body]);
};
const seq = (...p: Uint8Array[]): Uint8Array => tlv(0x30, ...p);
const int = (b: Uint8Array): Uint8Array => tlv(0x02, (b[0] as number) & 0x80 ? Buffer.concat([Buffer.of(0), b]) : b);
const oid = (hex: string): Uint8Array => tlv(0x06, Buffer.from(hex, 'hex'));
const bits = (b: Uint8Array): Uint8Array => tlv(0x03, Buffer.of(0), b);
const name = (cn: string): Uint8Array => seq(tlv(0x31, seq(oid('550403'), tlv(0x0c, Buffer.from(cn)))));
const utc = (s: string): Uint8Array => tlv(0x17, Buffer.from(s));
const NULL = Uint8Array.of(5, 0);
const ALG = {
  rsa: seq(oid('2a864886f70d01010b'), NULL), // sha256WithRSAEncryption
  p256: seq(oid('2a8648ce3d040302')), // ecdsa-with-SHA256
  p521: seq(oid('2a8648ce3d040304')), // ecdsa-with-SHA512
} as const;
const HASH = { rsa: 'sha256', p256: 'sha256', p521: 'sha512' } as const;
// basicConstraints critical cA; keyUsage critical keyCertSign.
const CA_EXT = seq(seq(oid('551d13'), tlv(0x01, Uint8Array.of(0xff)), tlv(0x04, seq(tlv(0x01, Uint8Array.of(0xff))))), seq(oid('551d0f'), tlv(0x01, Uint8Array.of(0xff)), tlv(0x04, bits(Uint8Array.of(0x04)))));
const T = new Date('2026-01-01T00:00:00Z');

interface Key {
  readonly spki: Uint8Array;
  readonly priv?: KeyObject;
  readonly alg: keyof typeof ALG;
}

function ecKey(curve: 'P-256' | 'P-521'): Key {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: curve });
  return { spki: new Uint8Array(publicKey.export({ format: 'der', type: 'spki' })), priv: privateKey, alg: curve === 'P-256' ? 'p256' : 'p521' };
}

function rsaKey(modulusBits: number): Key {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: modulusBits });
  return { spki: new Uint8Array(publicKey.export({ format: 'der', type: 'spki' })), priv: privateKey, alg: 'rsa' };
}

/** An RSA public key with a random modulus and e = 2^64−1: no private key, the most expensive one to check. */
function hostileRsaKey(modulusBits: number): Key {
  const n = new Uint8Array(randomBytes(modulusBits / 8));
  n[0] = (n[0] as number) | 0x80;
  n[n.length - 1] = (n[n.length - 1] as number) | 1;
  const spki = seq(seq(oid('2a864886f70d010101'), NULL), bits(seq(int(n), int(new Uint8Array(8).fill(0xff)))));
  return { spki, alg: 'rsa' };
}

let serial = 1;
/** A certificate for `subject`/`key`, signed by `signer` (or carrying a junk signature when it has no private key). */
function issue(o: { subject: string; issuer: string; key: Key; signer: Key; ca?: boolean }): Uint8Array {
  const alg = ALG[o.signer.alg];
  const tbs = seq(tlv(0xa0, int(Uint8Array.of(2))), int(Uint8Array.of(0x01, serial >> 8, serial++ & 0xff)), alg, name(o.issuer), seq(utc('250101000000Z'), utc('300101000000Z')), name(o.subject), o.key.spki, ...(o.ca === true ? [tlv(0xa3, CA_EXT)] : []));
  const sig = o.signer.priv !== undefined ? new Uint8Array(sign(HASH[o.signer.alg], tbs, o.signer.priv)) : Uint8Array.of(1, ...randomBytes(255));
  return seq(tbs, alg, bits(sig));
}

/** The noble provider, recording the key of every signature it is asked to verify. */
function countingProvider(): { provider: CryptoProvider; keys: PublicKey[]; cost: () => number } {
  const noble = createNobleProvider();
  const keys: PublicKey[] = [];
  const provider: CryptoProvider = {
    ...noble,
    verify: (alg, key, message, signature) => {
      keys.push(key);
      return noble.verify(alg, key, message, signature);
    },
  };
  return { provider, keys, cost: () => keys.reduce((sum, k) => sum + Math.max(1, keyCost(k)), 0) };
}

/** `count` CA certificates named `subject` with `key` (each a candidate issuer of the leaf whose check fails). */
const junk = (count: number, subject: string, key: Key): Uint8Array[] =>
  Array.from({ length: count }, () => issue({ subject, issuer: 'Elsewhere', key, signer: key.priv === undefined ? key : ecKey('P-256'), ca: true }));

const rootKey = rsaKey(4096);
const root = issue({ subject: 'Review Root', issuer: 'Review Root', key: rootKey, signer: rootKey, ca: true });

describe('signature checks are budgeted by cost', () => {
  test('the weights: P-256 2, P-384 5, P-521 10, Ed25519 1.5, Ed448 5, RSA by modulus and exponent', () => {
    expect(SIGNATURE_COST).toEqual({ 'P-256': 2, 'P-384': 5, 'P-521': 10, ed25519: 1.5, ed448: 5 });
    const rsa = (modulusBits: number, e: bigint): number => keyCost({ kind: 'rsa', n: (1n << BigInt(modulusBits - 1)) | 1n, e });
    // The cheap keys of real chains stay under the floor of 1 per check.
    expect(rsa(2048, 65537n)).toBeLessThan(0.2);
    expect(rsa(4096, 65537n)).toBeLessThan(1);
    // Monotonic in both sizes; the worst key OpenSSL and the crypto package accept costs ≈ 20.
    expect(rsa(8192, 65537n)).toBeGreaterThan(rsa(4096, 65537n));
    expect(rsa(16384, (1n << 64n) - 1n)).toBeGreaterThan(rsa(16384, 65537n) * 4);
    expect(rsa(16384, (1n << 64n) - 1n)).toBeCloseTo(20.4, 1);
    // A larger key is refused by the provider before any arithmetic: never costlier than the bound.
    expect(rsa(32768, (1n << 128n) - 1n)).toBe(rsa(16384, (1n << 64n) - 1n));
    const leaf = parseCertificate(issue({ subject: 'leaf', issuer: 'Review Root', key: ecKey('P-256'), signer: rootKey }));
    expect(signatureCheckCost(leaf, parseCertificate(root))).toBe(1);
  });

  test('224 P-521 junk intermediates under the leaf issuer name stop after 9 checks; a P-521 chain with junk verifies', async () => {
    const intKey = ecKey('P-521');
    const leafOf = (signer: Key): Uint8Array => issue({ subject: 'leaf', issuer: 'Review Int', key: ecKey('P-256'), signer });
    // Hostile: no candidate holds the key that signed the leaf.
    const hostile = countingProvider();
    const r = await verifyCertificateChain({ leaf: leafOf(ecKey('P-521')), intermediates: junk(224, 'Review Int', intKey), trustAnchors: [root], time: T, usage: 'clientAuth', provider: hostile.provider });
    expect(r.ok ? 'ok' : r.error.code).toBe('VERIFY_BUDGET_EXCEEDED');
    expect(hostile.keys.length).toBe(9); // 10 × (10 + a few bytes hashed) would exceed 100
    expect(hostile.keys.every((k) => k.kind === 'ec' && k.curve === 'P-521')).toBe(true);

    // Twin: the same junk (5 of it) before the real P-521 intermediate.
    const real = issue({ subject: 'Review Int', issuer: 'Review Root', key: intKey, signer: rootKey, ca: true });
    const ok = countingProvider();
    const v = await verifyCertificateChain({ leaf: leafOf(intKey), intermediates: [...junk(5, 'Review Int', ecKey('P-521')), real], trustAnchors: [root], time: T, usage: 'clientAuth', provider: ok.provider });
    expect(v.ok ? 'ok' : v.error.code).toBe('ok');
    expect(ok.keys.length).toBe(7); // 6 P-521 candidates for the leaf, the root for the intermediate
    expect(ok.cost()).toBeLessThan(70);
  });

  test('RSA-16384 junk with e = 2^64−1 stops after 4 checks; an RSA-4096 root with cross-signed intermediates verifies', async () => {
    const hostileKey = hostileRsaKey(16384);
    const leafKey = ecKey('P-256');
    const hostile = countingProvider();
    const verifier = createCertificateVerifier({ trustAnchors: [root], provider: hostile.provider });
    const leaf = issue({ subject: 'leaf', issuer: 'Review Int', key: leafKey, signer: rsaKey(2048) });
    const r = await verifier.verify({ chain: [leaf, ...junk(29, 'Review Int', hostileKey)], usage: 'clientAuth', now: T });
    expect(r.ok ? 'ok' : r.code).toBe('VERIFY_BUDGET_EXCEEDED');
    expect(hostile.keys.length).toBe(4);

    // Twin: a leaf under an intermediate that exists twice — issued by an old root that is not trusted
    // (itself cross-signed by the trusted RSA-4096 root) and by that root directly — after two
    // RSA-16384 junk candidates: every alternative is tried and the chain verifies.
    const intKey = rsaKey(2048);
    const oldRootKey = ecKey('P-521');
    const realLeaf = issue({ subject: 'leaf', issuer: 'Review Int', key: leafKey, signer: intKey });
    const intByOld = issue({ subject: 'Review Int', issuer: 'Old Root', key: intKey, signer: oldRootKey, ca: true });
    const oldRootCross = issue({ subject: 'Old Root', issuer: 'Elsewhere', key: oldRootKey, signer: ecKey('P-256'), ca: true });
    const intByRoot = issue({ subject: 'Review Int', issuer: 'Review Root', key: intKey, signer: rootKey, ca: true });
    const ok = countingProvider();
    const v = await verifyCertificateChain({ leaf: realLeaf, intermediates: [...junk(2, 'Review Int', hostileKey), intByOld, oldRootCross, intByRoot], trustAnchors: [root], time: T, usage: 'clientAuth', provider: ok.provider });
    expect(v.ok ? 'ok' : v.error.code).toBe('ok');
    expect(ok.keys.length).toBeGreaterThanOrEqual(4);
    expect(ok.cost()).toBeLessThan(100);
  });

  test('maxSignatureChecks counts cheap checks one by one and expensive ones by their weight', async () => {
    const run = async (key: Key, leafSigner: Key): Promise<number> => {
      const c = countingProvider();
      const leaf = issue({ subject: 'leaf', issuer: 'Review Int', key: ecKey('P-256'), signer: leafSigner });
      const r = await verifyCertificateChain({ leaf, intermediates: junk(40, 'Review Int', key), trustAnchors: [root], time: T, usage: 'clientAuth', provider: c.provider, budget: { maxSignatureChecks: 30 } });
      expect(r.ok ? 'ok' : r.error.code).toBe('VERIFY_BUDGET_EXCEEDED');
      return c.keys.length;
    };
    expect(await run(rsaKey(2048), rsaKey(2048))).toBe(30);
    expect(await run(ecKey('P-521'), ecKey('P-521'))).toBe(2);
  });
});

describe('service identity: over-long names are refused before Punycode', () => {
  const cert: Certificate = parseCertificate(issue({ subject: 'leaf', issuer: 'Review Root', key: ecKey('P-256'), signer: rootKey }));
  const encode = vi.mocked(punycodeEncode);
  // A block, not an arrow returning the mock: vitest would call a returned function as cleanup.
  beforeEach(() => {
    encode.mockClear();
  });

  test('a 20,000-character U-label fails as an invalid host name without being encoded', () => {
    const label = Array.from({ length: 20_000 }, (_, i) => String.fromCodePoint(0x4e00 + i)).join('');
    const err = checkServerIdentity(cert, `${label}.example.com`);
    expect(err?.code).toBe('ERR_TLS_CERT_ALTNAME_INVALID');
    expect(err?.message).toMatch(/is not a valid host name/);
    expect(encode).not.toHaveBeenCalled();
  });

  test('labels are bounded without refusing a valid one: 57 × "ü" is a 63-octet A-label, 58 and 59 are encoded and refused, 60 is not encoded', () => {
    // A U-label of n code points encodes to at least n + 4 octets ("xn--", one or more per code point).
    const a57 = `xn--${punycodeEncode('ü'.repeat(57)) as string}`;
    expect(a57.length).toBe(63);
    expect(normalizeDnsName(`${'ü'.repeat(57)}.example`)).toBe(`${a57}.example`);
    encode.mockClear();
    expect(normalizeDnsName(`${'ü'.repeat(58)}.example`)).toBeNull();
    expect(normalizeDnsName(`${'ü'.repeat(59)}.example`)).toBeNull();
    expect(encode).toHaveBeenCalledTimes(2);
    encode.mockClear();
    expect(normalizeDnsName(`${'ü'.repeat(60)}.example`)).toBeNull();
    expect(normalizeDnsName(`${'ü'.repeat(5000)}.example`)).toBeNull();
    expect(encode).not.toHaveBeenCalled();
  });

  test('names are bounded before Punycode: over 253 code points nothing is encoded, over 253 octets encoding stops', () => {
    expect(normalizeDnsName(Array.from({ length: 128 }, () => 'ü').join('.'))).toBeNull(); // 255 characters, 128 × 8 octets
    expect(normalizeDnsName('x'.repeat(300_000) + 'ü')).toBeNull();
    expect(encode).not.toHaveBeenCalled();
    // 60 × "xn--b-eha" is 599 octets: the 26th label takes the name over 253.
    expect(normalizeDnsName(Array.from({ length: 60 }, () => 'bü').join('.'))).toBeNull();
    expect(encode).toHaveBeenCalledTimes(26);
    // A long name that fits still converts like before.
    const fits = Array.from({ length: 25 }, () => 'bü').join('.');
    expect(normalizeDnsName(fits)).toBe(Array.from({ length: 25 }, () => 'xn--b-eha').join('.'));
  });
});
