/**
 * RSA signatures on bigint: round trips with the RFC 8448 §2 key, the RFC 8448 §3 server
 * CertificateVerify, cross-checks against node:crypto both ways, malformed signatures, key
 * validation, the fault check, and the use of the injected randomness.
 */
import { constants, createHash, createPrivateKey, createPublicKey, generateKeyPairSync, generatePrimeSync, sign as nodeSign, verify as nodeVerify, type KeyObject } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadTrace, loadTraceRsaKey, traceValue, vectorsAvailable, vectorsMissingReason } from '@puretls/test-vectors';
import { CryptoError, type HashName, type RandomSource, type RsaPrivateKey, type SignatureSchemeName } from '@puretls/crypto';
import { createNobleProvider } from '@puretls/crypto/noble';
import {
  rsaPkcs1Sign,
  rsaPkcs1Verify,
  rsaPrivateKeyFromComponents,
  rsaPssSign,
  rsaPssVerify,
  validateRsaPrivateKey,
} from '../src/rsa/index.js';
import { bitLength, i2osp, modInverse, modPow, os2ip } from '../src/rsa/bigint.js';

const HASHES: readonly HashName[] = ['SHA-256', 'SHA-384', 'SHA-512'];
const HASH_LENGTH: Readonly<Record<HashName, number>> = { 'SHA-256': 32, 'SHA-384': 48, 'SHA-512': 64 };
const NODE_HASH: Readonly<Record<HashName, string>> = { 'SHA-256': 'sha256', 'SHA-384': 'sha384', 'SHA-512': 'sha512' };
const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);

// Independent helpers (node:crypto and plain bigint), so the checks below do not reuse the code under test.
const toBigInt = (b: Uint8Array): bigint => (b.length === 0 ? 0n : BigInt(`0x${Buffer.from(b).toString('hex')}`));
function toBytes(x: bigint, length: number): Uint8Array {
  const h = x.toString(16).padStart(2 * length, '0');
  if (h.length > 2 * length) throw new Error('too large');
  return new Uint8Array(Buffer.from(h, 'hex'));
}
function powMod(b: bigint, e: bigint, m: bigint): bigint {
  let r = 1n;
  let x = b % m;
  for (let y = e; y > 0n; y >>= 1n) {
    if (y & 1n) r = (r * x) % m;
    x = (x * x) % m;
  }
  return r;
}
const byteLen = (n: bigint): number => Math.ceil(n.toString(2).length / 8);
function nodeMgf1(hash: HashName, seed: Uint8Array, length: number): Uint8Array {
  const out: Buffer[] = [];
  for (let i = 0; out.length * HASH_LENGTH[hash] < length; i++) {
    const c = Buffer.alloc(4);
    c.writeUInt32BE(i);
    out.push(createHash(NODE_HASH[hash]).update(seed).update(c).digest());
  }
  return new Uint8Array(Buffer.concat(out).subarray(0, length));
}
/** The salt inside a PSS signature, recovered with the public key (RFC 8017 §9.1.2 steps 5–11). */
function recoverPssSalt(n: bigint, e: bigint, hash: HashName, saltLength: number, signature: Uint8Array): Uint8Array {
  const emBits = n.toString(2).length - 1;
  const emLen = Math.ceil(emBits / 8);
  const em = toBytes(powMod(toBigInt(signature), e, n), emLen);
  const hLen = HASH_LENGTH[hash];
  const db = nodeMgf1(hash, em.subarray(emLen - hLen - 1, emLen - 1), emLen - hLen - 1);
  for (let i = 0; i < db.length; i++) db[i] = (db[i] as number) ^ (em[i] as number);
  return db.subarray(db.length - saltLength);
}

function invert(a: bigint, m: bigint): bigint {
  let [r0, r1, s0, s1] = [a % m, m, 1n, 0n];
  while (r1 !== 0n) {
    const t = r0 / r1;
    [r0, r1, s0, s1] = [r1, r0 - t * r1, s1, s0 - t * s1];
  }
  return ((s0 % m) + m) % m;
}
const gcd = (a: bigint, b: bigint): bigint => (b === 0n ? a : gcd(b, a % b));
const carmichael = (p: bigint, q: bigint): bigint => ((p - 1n) * (q - 1n)) / gcd(p - 1n, q - 1n);
const base64url = (x: bigint): string => Buffer.from(toBytes(x, byteLen(x))).toString('base64url');

/** A deterministic source (SHA-256 in counter mode over a seed) that records what it hands out. */
function recordingRandom(seed: string): { random: RandomSource; calls: Uint8Array[] } {
  const calls: Uint8Array[] = [];
  let counter = 0;
  const random: RandomSource = (out) => {
    for (let off = 0; off < out.length; off += 32) {
      const block = createHash('sha256').update(seed).update(String(counter++)).digest();
      out.set(block.subarray(0, Math.min(32, out.length - off)), off);
    }
    calls.push(out.slice());
  };
  return { random, calls };
}
const platformLikeRandom: RandomSource = (out) => {
  globalThis.crypto.getRandomValues(out);
};

function fromJwk(key: KeyObject): RsaPrivateKey {
  const jwk = key.export({ format: 'jwk' });
  const b = (s: string | undefined): bigint => toBigInt(new Uint8Array(Buffer.from(s ?? '', 'base64url')));
  return {
    kind: 'rsa',
    n: b(jwk.n),
    e: b(jwk.e),
    d: b(jwk.d),
    p: b(jwk.p),
    q: b(jwk.q),
    dp: b(jwk.dp),
    dq: b(jwk.dq),
    qi: b(jwk.qi),
  };
}

const message = utf8('puretls RSA test message');

describe('bigint helpers', () => {
  it('modPow agrees with plain square-and-multiply for every window size', () => {
    const m = (1n << 1021n) - 1n;
    for (const bits of [0, 1, 2, 7, 24, 25, 100, 129, 300, 513, 1024, 1100]) {
      for (let i = 0; i < 3; i++) {
        // An exponent of exactly `bits` bits (top bit set), from a hash stream.
        const raw = toBigInt(nodeMgf1('SHA-512', utf8(`e${bits}/${i}`), Math.ceil(bits / 8) + 1));
        const e = bits === 0 ? 0n : (raw & ((1n << BigInt(bits - 1)) - 1n)) | (1n << BigInt(bits - 1));
        const b = toBigInt(new Uint8Array(createHash('sha256').update(`b${bits}/${i}`).digest()));
        expect(modPow(b, e, m)).toBe(powMod(b, e, m));
        expect(modPow(b, e, 1_000_003n)).toBe(powMod(b, e, 1_000_003n));
      }
    }
    expect(modPow(5n, 3n, 1n)).toBe(0n);
    expect(modPow(-2n, 3n, 7n)).toBe(6n);
  });
  it('I2OSP / OS2IP round-trip and I2OSP refuses integers too large', () => {
    expect(Buffer.from(i2osp(0x0102n, 4))).toEqual(Buffer.from([0, 0, 1, 2]));
    expect(Buffer.from(i2osp(0xabcn, 2))).toEqual(Buffer.from([0x0a, 0xbc]));
    expect(os2ip(new Uint8Array([0, 0, 1, 2]))).toBe(0x0102n);
    expect(os2ip(new Uint8Array(0))).toBe(0n);
    expect(() => i2osp(0x10000n, 2)).toThrow(RangeError);
    expect(bitLength(0n)).toBe(0);
    expect(bitLength(0x80n)).toBe(8);
    expect(bitLength(1n << 1023n)).toBe(1024);
  });
  it('modInverse inverts, and refuses non-invertible values', () => {
    expect(modInverse(3n, 7n)).toBe(5n);
    expect(modInverse(-3n, 7n)).toBe(2n);
    expect(() => modInverse(6n, 9n)).toThrow(RangeError);
  });
});

describe('RSA with the RFC 8448 §2 server key', () => {
  if (!vectorsAvailable) {
    it('needs the shared test vectors', (ctx) => ctx.skip(vectorsMissingReason));
    return;
  }
  const trace = loadTraceRsaKey();
  const key: RsaPrivateKey = { kind: 'rsa', ...trace };
  const pub = { n: key.n, e: key.e };

  it('is a consistent key, rebuilt identically from n, e, d, p, q alone', () => {
    expect(() => validateRsaPrivateKey(key)).not.toThrow();
    expect(rsaPrivateKeyFromComponents({ e: key.e, d: key.d, p: key.p, q: key.q })).toEqual(key);
  });

  for (const hash of HASHES) {
    // A 1024-bit key has emLen = 128: SHA-512 with a 64-octet salt needs 130 (RFC 8017 §9.1.1 step 3).
    const saltLength = hash === 'SHA-512' ? 62 : HASH_LENGTH[hash];
    it(`round-trips PSS ${hash} (salt ${saltLength}) and rejects a changed message`, () => {
      const sig = rsaPssSign(key, hash, saltLength, message, platformLikeRandom);
      expect(sig.length).toBe(128);
      expect(rsaPssVerify(pub, hash, hash, saltLength, message, sig)).toBe(true);
      expect(rsaPssVerify(pub, hash, hash, saltLength, utf8('another message'), sig)).toBe(false);
      expect(rsaPssVerify(pub, hash, hash, saltLength + 1, message, sig)).toBe(false);
    });
    it(`round-trips PKCS#1 v1.5 ${hash} and rejects a changed message`, () => {
      const sig = rsaPkcs1Sign(key, hash, message, platformLikeRandom);
      expect(rsaPkcs1Verify(pub, hash, message, sig)).toBe(true);
      expect(rsaPkcs1Verify(pub, hash, utf8('another message'), sig)).toBe(false);
    });
  }

  it('refuses PSS SHA-512 with a 64-octet salt on a 1024-bit key (encoding error)', () => {
    expect(() => rsaPssSign(key, 'SHA-512', 64, message, platformLikeRandom)).toThrow(
      expect.objectContaining({ code: 'KEY_ALGORITHM_MISMATCH' }),
    );
  });

  it('verifies the RFC 8448 §3 server CertificateVerify (rsa_pss_rsae_sha256)', () => {
    const t = loadTrace('simple-1rtt');
    const ch = traceValue(t, 'client', 'construct a ClientHello handshake message', 'ClientHello');
    const sh = traceValue(t, 'server', 'construct a ServerHello handshake message', 'ServerHello');
    const ee = traceValue(t, 'server', 'construct an EncryptedExtensions handshake message', 'EncryptedExtensions');
    const cert = traceValue(t, 'server', 'construct a Certificate handshake message', 'Certificate');
    const cv = traceValue(t, 'server', 'construct a CertificateVerify handshake message', 'CertificateVerify');
    // The certificate carries this very modulus.
    expect(Buffer.from(cert).includes(Buffer.from(toBytes(key.n, 128)))).toBe(true);
    // The same messages make up the server's first protected flight (RFC 8448 §3 payload).
    const flight = traceValue(t, 'server', 'send handshake record', 'payload', 1);
    expect(Buffer.from(flight.subarray(ee.length + cert.length, ee.length + cert.length + cv.length))).toEqual(Buffer.from(cv));
    // RFC 8446 §4.4.3: handshake header (4), SignatureScheme 0x0804, opaque signature<0..2^16-1>.
    expect([cv[0], cv[4], cv[5]]).toEqual([0x0f, 0x08, 0x04]);
    const sigLength = ((cv[6] as number) << 8) | (cv[7] as number);
    const signature = cv.subarray(8);
    expect(signature.length).toBe(sigLength);
    const transcriptHash = createHash('sha256').update(ch).update(sh).update(ee).update(cert).digest();
    const content = new Uint8Array([...new Uint8Array(64).fill(0x20), ...utf8('TLS 1.3, server CertificateVerify'), 0, ...transcriptHash]);
    expect(rsaPssVerify(pub, 'SHA-256', 'SHA-256', 32, content, signature)).toBe(true);
    const client = new Uint8Array([...new Uint8Array(64).fill(0x20), ...utf8('TLS 1.3, client CertificateVerify'), 0, ...transcriptHash]);
    expect(rsaPssVerify(pub, 'SHA-256', 'SHA-256', 32, client, signature)).toBe(false);
  });

  it('takes the PSS salt from the injected random source, then draws blinding from it', () => {
    const { random, calls } = recordingRandom('salt');
    const sig = rsaPssSign(key, 'SHA-256', 32, message, random);
    expect(calls.length).toBe(2);
    expect(calls[0]?.length).toBe(32);
    expect(Buffer.from(recoverPssSalt(key.n, key.e, 'SHA-256', 32, sig))).toEqual(Buffer.from(calls[0] as Uint8Array));
  });

  it('gives the same PSS signature for the same deterministic source, another for another source', () => {
    const a = rsaPssSign(key, 'SHA-256', 32, message, recordingRandom('seed A').random);
    const b = rsaPssSign(key, 'SHA-256', 32, message, recordingRandom('seed A').random);
    const c = rsaPssSign(key, 'SHA-256', 32, message, recordingRandom('seed B').random);
    expect(Buffer.from(a)).toEqual(Buffer.from(b));
    expect(Buffer.from(a)).not.toEqual(Buffer.from(c));
    expect(rsaPssVerify(pub, 'SHA-256', 'SHA-256', 32, message, c)).toBe(true);
  });

  it('blinds with the injected random source, and blinding leaves deterministic signatures unchanged', () => {
    const one = recordingRandom('one');
    const two = recordingRandom('two');
    const a = rsaPkcs1Sign(key, 'SHA-256', message, one.random);
    const b = rsaPkcs1Sign(key, 'SHA-256', message, two.random);
    expect(one.calls.length).toBeGreaterThan(0);
    expect(two.calls.length).toBeGreaterThan(0);
    expect(Buffer.from(a)).toEqual(Buffer.from(b));
    // PSS with an empty salt is deterministic as well.
    const c = rsaPssSign(key, 'SHA-256', 0, message, recordingRandom('three').random);
    const d = rsaPssSign(key, 'SHA-256', 0, message, recordingRandom('four').random);
    expect(Buffer.from(c)).toEqual(Buffer.from(d));
    expect(() =>
      rsaPkcs1Sign(key, 'SHA-256', message, () => {
        throw new Error('random used');
      }),
    ).toThrow('random used');
    // A constant source still signs correctly.
    const zero = rsaPkcs1Sign(key, 'SHA-256', message, (out) => out.fill(0));
    expect(Buffer.from(zero)).toEqual(Buffer.from(a));
  });

  it('matches the signature computed without CRT or blinding (s = m^d mod n)', () => {
    const sig = rsaPkcs1Sign(key, 'SHA-256', message, platformLikeRandom);
    const m = powMod(toBigInt(sig), key.e, key.n);
    expect(powMod(m, key.d, key.n)).toBe(toBigInt(sig));
    // EM = 0x00 01 ff..ff 00 || DigestInfo(SHA-256) || H
    const em = toBytes(m, 128);
    const digest = createHash('sha256').update(message).digest();
    const expected = Buffer.concat([
      Buffer.from([0, 1]),
      Buffer.alloc(128 - 3 - 19 - 32, 0xff),
      Buffer.from([0]),
      Buffer.from('3031300d060960864801650304020105000420', 'hex'),
      digest,
    ]);
    expect(Buffer.from(em)).toEqual(expected);
  });

  describe('rejects malformed signatures without throwing', () => {
    const k = 128;
    const n = key.n;
    const pssSig = (): Uint8Array => rsaPssSign(key, 'SHA-256', 32, message, recordingRandom('malformed').random);
    const pkcsSig = (): Uint8Array => rsaPkcs1Sign(key, 'SHA-256', message, platformLikeRandom);
    const mutations: ReadonlyArray<readonly [string, (s: Uint8Array) => Uint8Array]> = [
      ['empty', () => new Uint8Array(0)],
      ['truncated by one octet', (s) => s.subarray(0, k - 1)],
      ['truncated leading octet', (s) => s.subarray(1)],
      ['extended with a leading zero', (s) => new Uint8Array([0, ...s])],
      ['extended with a trailing zero', (s) => new Uint8Array([...s, 0])],
      ['s = n', () => toBytes(n, k)],
      ['s = n + 1', () => toBytes(n + 1n, k)],
      ['s + n (malleability)', (s) => toBytes(toBigInt(s) + n, k + 1)],
      ['s = 0 (all-zero)', () => new Uint8Array(k)],
      ['s = 1', () => toBytes(1n, k)],
      ['s = n - 1', () => toBytes(n - 1n, k)],
      ['all 0xff', () => new Uint8Array(k).fill(0xff)],
      ['first bit flipped', (s) => flip(s, 0, 0x80)],
      ['a middle bit flipped', (s) => flip(s, 64, 0x10)],
      ['last bit flipped', (s) => flip(s, k - 1, 0x01)],
    ];
    function flip(s: Uint8Array, at: number, bit: number): Uint8Array {
      const out = s.slice();
      out[at] = (out[at] as number) ^ bit;
      return out;
    }
    for (const [name, mutate] of mutations) {
      it(`PSS: ${name}`, () => {
        const bad = mutate(pssSig());
        expect(() => rsaPssVerify(pub, 'SHA-256', 'SHA-256', 32, message, bad)).not.toThrow();
        expect(rsaPssVerify(pub, 'SHA-256', 'SHA-256', 32, message, bad)).toBe(false);
      });
      it(`PKCS#1 v1.5: ${name}`, () => {
        const bad = mutate(pkcsSig());
        expect(() => rsaPkcs1Verify(pub, 'SHA-256', message, bad)).not.toThrow();
        expect(rsaPkcs1Verify(pub, 'SHA-256', message, bad)).toBe(false);
      });
    }

    /** A "signature" whose public-key opening is exactly `em`: lets the encoding itself be malformed. */
    const forge = (em: Uint8Array): Uint8Array => toBytes(powMod(toBigInt(em), key.d, n), k);
    const goodPssEm = (): Uint8Array => toBytes(powMod(toBigInt(pssSig()), key.e, n), k);

    it('PSS: the encoding is sound before tampering (control)', () => {
      expect(rsaPssVerify(pub, 'SHA-256', 'SHA-256', 32, message, forge(goodPssEm()))).toBe(true);
    });
    it('PSS: trailer octet other than 0xbc', () => {
      const em = goodPssEm();
      em[k - 1] = 0xbd;
      expect(rsaPssVerify(pub, 'SHA-256', 'SHA-256', 32, message, forge(em))).toBe(false);
    });
    it('PSS: leftmost bit of EM set (8·emLen − emBits bits must be zero)', () => {
      const em = goodPssEm();
      em[0] = (em[0] as number) | 0x80;
      expect(rsaPssVerify(pub, 'SHA-256', 'SHA-256', 32, message, forge(em))).toBe(false);
    });
    it('PSS: wrong salt length, wrong hash, wrong MGF hash', () => {
      const sig = pssSig();
      expect(rsaPssVerify(pub, 'SHA-256', 'SHA-256', 31, message, sig)).toBe(false);
      expect(rsaPssVerify(pub, 'SHA-256', 'SHA-256', 33, message, sig)).toBe(false);
      expect(rsaPssVerify(pub, 'SHA-256', 'SHA-256', 0, message, sig)).toBe(false);
      expect(rsaPssVerify(pub, 'SHA-256', 'SHA-256', 1000, message, sig)).toBe(false);
      expect(rsaPssVerify(pub, 'SHA-384', 'SHA-256', 32, message, sig)).toBe(false);
      expect(rsaPssVerify(pub, 'SHA-256', 'SHA-384', 32, message, sig)).toBe(false);
    });
    it('a public exponent over 64 bits is refused, though e + φ(n) verifies the same signatures', () => {
      // Verification time grows with the exponent's length (a peer's e ≈ n cost seconds per check).
      const big = { n: pub.n, e: pub.e + (key.p - 1n) * (key.q - 1n) };
      expect(rsaPkcs1Verify(pub, 'SHA-256', message, pkcsSig())).toBe(true);
      expect(rsaPkcs1Verify(big, 'SHA-256', message, pkcsSig())).toBe(false);
      expect(rsaPssVerify(big, 'SHA-256', 'SHA-256', 32, message, pssSig())).toBe(false);
    });
    it('PKCS#1 v1.5: signature over the same digest with another hash, or a PSS signature', () => {
      expect(rsaPkcs1Verify(pub, 'SHA-384', message, pkcsSig())).toBe(false);
      expect(rsaPkcs1Verify(pub, 'SHA-256', message, pssSig())).toBe(false);
      expect(rsaPssVerify(pub, 'SHA-256', 'SHA-256', 32, message, pkcsSig())).toBe(false);
    });
    it('PKCS#1 v1.5: padding variants (short PS, missing NULL, garbage after the digest)', () => {
      const digest = createHash('sha256').update(message).digest();
      const prefix = Buffer.from('3031300d060960864801650304020105000420', 'hex');
      const block = (parts: Buffer[]): Uint8Array => {
        const body = Buffer.concat(parts);
        return new Uint8Array(Buffer.concat([Buffer.from([0, 1]), Buffer.alloc(k - 3 - body.length, 0xff), Buffer.from([0]), body]));
      };
      expect(rsaPkcs1Verify(pub, 'SHA-256', message, forge(block([prefix, digest])))).toBe(true); // control
      const noNull = Buffer.from('302f300b0609608648016503040201' + '0420', 'hex');
      expect(rsaPkcs1Verify(pub, 'SHA-256', message, forge(block([noNull, digest])))).toBe(false);
      // Garbage hidden after the digest, PS shortened to make room (Bleichenbacher 2006).
      expect(rsaPkcs1Verify(pub, 'SHA-256', message, forge(block([prefix, digest, Buffer.alloc(16, 0x42)])))).toBe(false);
      const em = block([prefix, digest]);
      em[1] = 0x02; // block type 2
      expect(rsaPkcs1Verify(pub, 'SHA-256', message, forge(em))).toBe(false);
      const em2 = block([prefix, digest]);
      em2[5] = 0x00; // a zero inside PS
      expect(rsaPkcs1Verify(pub, 'SHA-256', message, forge(em2))).toBe(false);
    });
  });

  it('returns false for unusable public keys instead of throwing', () => {
    const sig = rsaPkcs1Sign(key, 'SHA-256', message, platformLikeRandom);
    for (const bad of [
      { n: key.n, e: 1n },
      { n: key.n, e: 65536n },
      { n: key.n, e: key.n + 2n },
      { n: key.n - 1n, e: key.e },
      { n: (1n << 511n) + 1n, e: key.e }, // a usable 512-bit key, but the signature is not 64 octets
      { n: (1n << 510n) + 1n, e: key.e },
      { n: 0n, e: key.e },
      { n: -key.n, e: key.e },
    ]) {
      expect(rsaPkcs1Verify(bad, 'SHA-256', message, sig)).toBe(false);
      expect(rsaPssVerify(bad, 'SHA-256', 'SHA-256', 32, message, sig)).toBe(false);
    }
  });

  it('throws TypeError/RangeError naming the bad argument', () => {
    const sig = new Uint8Array(128);
    expect(() => rsaPssVerify(pub, 'SHA-1' as HashName, 'SHA-256', 32, message, sig)).toThrow(/hash/);
    expect(() => rsaPssVerify(pub, 'SHA-256', 'MD5' as HashName, 32, message, sig)).toThrow(/mgfHash/);
    expect(() => rsaPssVerify(pub, 'SHA-256', 'SHA-256', -1, message, sig)).toThrow(RangeError);
    expect(() => rsaPssVerify(pub, 'SHA-256', 'SHA-256', 1.5, message, sig)).toThrow(/saltLength/);
    expect(() => rsaPkcs1Verify({ n: 5, e: 3n } as unknown as { n: bigint; e: bigint }, 'SHA-256', message, sig)).toThrow(/key\.n/);
    expect(() => rsaPkcs1Verify(pub, 'SHA-256', 'text' as unknown as Uint8Array, sig)).toThrow(/message/);
    expect(() => rsaPkcs1Verify(pub, 'SHA-256', message, [1, 2] as unknown as Uint8Array)).toThrow(/signature/);
    expect(() => rsaPssSign(key, 'SHA-256', 32, message, 'x' as unknown as RandomSource)).toThrow(/random/);
    expect(() => rsaPkcs1Sign({ ...key, d: 1 } as unknown as RsaPrivateKey, 'SHA-256', message)).toThrow(/key\.d/);
  });

  describe('refuses inconsistent private keys with INVALID_PRIVATE_KEY', () => {
    const cases: ReadonlyArray<readonly [string, Partial<RsaPrivateKey>]> = [
      ['n ≠ p·q', { n: key.n + 2n }],
      ['p = q', { q: key.p }],
      ['e even', { e: 65536n }],
      ['e = 1', { e: 1n }],
      ['d ≥ n', { d: key.n + key.d }],
      ['d = 0', { d: 0n }],
      ['dp ≠ d mod (p−1)', { dp: key.dp + 2n }],
      ['dq ≠ d mod (q−1)', { dq: key.dq - 2n }],
      ['qi ≠ q⁻¹ mod p', { qi: key.qi + 1n }],
      ['qi = 0', { qi: 0n }],
    ];
    for (const [name, change] of cases) {
      it(name, () => {
        const bad = { ...key, ...change };
        for (const act of [
          () => validateRsaPrivateKey(bad),
          () => rsaPkcs1Sign(bad, 'SHA-256', message, platformLikeRandom),
          () => rsaPssSign(bad, 'SHA-256', 32, message, platformLikeRandom),
        ]) {
          expect(act).toThrow(CryptoError);
          expect(act).toThrow(expect.objectContaining({ code: 'INVALID_PRIVATE_KEY' }));
        }
      });
    }
    it('d that is not e⁻¹ (consistent CRT values from it)', () => {
      const d = key.d + 2n;
      expect(() => rsaPrivateKeyFromComponents({ e: key.e, d, p: key.p, q: key.q })).toThrow(
        expect.objectContaining({ code: 'INVALID_PRIVATE_KEY' }),
      );
    });
    it('a modulus below 512 bits', () => {
      const p = generatePrimeSync(200, { bigint: true });
      const q = generatePrimeSync(200, { bigint: true });
      expect(() => rsaPrivateKeyFromComponents({ e: 3n, d: 1n, p, q })).toThrow(expect.objectContaining({ code: 'INVALID_PRIVATE_KEY' }));
    });
  });
});

describe('RSA against node:crypto', () => {
  const keys: Array<{ bits: number; privateKey: KeyObject; publicKey: KeyObject; key: RsaPrivateKey }> = [];
  beforeAll(() => {
    for (const bits of [2048, 3072]) {
      const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: bits });
      keys.push({ bits, privateKey, publicKey, key: fromJwk(privateKey) });
    }
  });

  it('imports node-generated keys as consistent keys', () => {
    for (const { bits, key } of keys) {
      expect(key.n.toString(2).length).toBe(bits);
      expect(() => validateRsaPrivateKey(key)).not.toThrow();
      expect(rsaPrivateKeyFromComponents({ e: key.e, d: key.d, p: key.p, q: key.q })).toEqual(key);
    }
  });

  for (const hash of HASHES) {
    const saltLength = HASH_LENGTH[hash];
    const nodeHash = NODE_HASH[hash];
    it(`PSS ${hash}: node signs, we verify; we sign, node verifies (2048 and 3072)`, () => {
      for (const { privateKey, publicKey, key } of keys) {
        const pub = { n: key.n, e: key.e };
        const theirs = new Uint8Array(
          nodeSign(nodeHash, message, { key: privateKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength }),
        );
        expect(theirs.length).toBe(byteLen(key.n));
        expect(rsaPssVerify(pub, hash, hash, saltLength, message, theirs)).toBe(true);
        expect(rsaPssVerify(pub, hash, hash, saltLength, utf8('other'), theirs)).toBe(false);
        const ours = rsaPssSign(key, hash, saltLength, message, platformLikeRandom);
        expect(
          nodeVerify(nodeHash, message, { key: publicKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength }, ours),
        ).toBe(true);
      }
    });
    it(`PKCS#1 v1.5 ${hash}: node signs, we verify; we sign, node verifies; identical signatures`, () => {
      for (const { privateKey, publicKey, key } of keys) {
        const pub = { n: key.n, e: key.e };
        const theirs = new Uint8Array(nodeSign(nodeHash, message, { key: privateKey, padding: constants.RSA_PKCS1_PADDING }));
        expect(rsaPkcs1Verify(pub, hash, message, theirs)).toBe(true);
        const ours = rsaPkcs1Sign(key, hash, message, platformLikeRandom);
        expect(nodeVerify(nodeHash, message, { key: publicKey, padding: constants.RSA_PKCS1_PADDING }, ours)).toBe(true);
        expect(Buffer.from(ours)).toEqual(Buffer.from(theirs));
      }
    });
  }

  it('PSS with other salt lengths and a mismatched MGF hash agrees with node', () => {
    const { privateKey, key } = keys[0] as (typeof keys)[number];
    const pub = { n: key.n, e: key.e };
    for (const saltLength of [0, 20, 100]) {
      const theirs = new Uint8Array(nodeSign('sha256', message, { key: privateKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength }));
      expect(rsaPssVerify(pub, 'SHA-256', 'SHA-256', saltLength, message, theirs)).toBe(true);
      expect(rsaPssVerify(pub, 'SHA-256', 'SHA-256', saltLength === 0 ? 1 : saltLength - 1, message, theirs)).toBe(false);
    }
    const ours = rsaPssSign(key, 'SHA-256', 32, message, platformLikeRandom, 'SHA-512');
    expect(rsaPssVerify(pub, 'SHA-256', 'SHA-512', 32, message, ours)).toBe(true);
    expect(rsaPssVerify(pub, 'SHA-256', 'SHA-256', 32, message, ours)).toBe(false);
  });

  it('works through the noble provider with TLS scheme names, both directions against node', async () => {
    const provider = createNobleProvider({ random: recordingRandom('provider').random });
    const schemes: ReadonlyArray<readonly [SignatureSchemeName, string, boolean]> = [
      ['rsa_pss_rsae_sha256', 'sha256', true],
      ['rsa_pss_rsae_sha384', 'sha384', true],
      ['rsa_pss_rsae_sha512', 'sha512', true],
      ['rsa_pkcs1_sha256', 'sha256', false],
      ['rsa_pkcs1_sha384', 'sha384', false],
      ['rsa_pkcs1_sha512', 'sha512', false],
    ];
    const { privateKey, publicKey, key } = keys[0] as (typeof keys)[number];
    const pub = { kind: 'rsa' as const, n: key.n, e: key.e };
    for (const [scheme, nodeHash, pss] of schemes) {
      const padding = pss
        ? { padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: constants.RSA_PSS_SALTLEN_DIGEST }
        : { padding: constants.RSA_PKCS1_PADDING };
      const ours = await provider.sign(scheme, key, message);
      expect(nodeVerify(nodeHash, message, { key: publicKey, ...padding }, ours), scheme).toBe(true);
      const theirs = new Uint8Array(nodeSign(nodeHash, message, { key: privateKey, ...padding }));
      expect(await provider.verify(scheme, pub, message, theirs), scheme).toBe(true);
      expect(await provider.verify(scheme, pub, utf8('other'), theirs), scheme).toBe(false);
    }
  });

  it('handles moduli whose size is not a multiple of 8 bits (emLen = k − 1 when modBits ≡ 1 mod 8)', () => {
    const e = 65537n;
    for (const wanted of [1025, 1026, 1031]) {
      let p = 0n;
      let q = 0n;
      do {
        p = generatePrimeSync(Math.ceil(wanted / 2) + 3, { bigint: true });
        q = generatePrimeSync(Math.floor(wanted / 2) - 3, { bigint: true });
      } while ((p * q).toString(2).length !== wanted || gcd(e, (p - 1n) * (q - 1n)) !== 1n);
      const key = rsaPrivateKeyFromComponents({ e, d: invert(e, carmichael(p, q)), p, q });
      const jwk = {
        kty: 'RSA',
        ...Object.fromEntries((['n', 'e', 'd', 'p', 'q', 'dp', 'dq', 'qi'] as const).map((f) => [f, base64url(key[f])])),
      };
      const privateKey = createPrivateKey({ key: jwk, format: 'jwk' });
      const publicKey = createPublicKey(privateKey);
      const pub = { n: key.n, e: key.e };
      for (const hash of HASHES) {
        const saltLength = hash === 'SHA-512' ? 32 : HASH_LENGTH[hash];
        const options = { padding: constants.RSA_PKCS1_PSS_PADDING, saltLength };
        const ours = rsaPssSign(key, hash, saltLength, message, platformLikeRandom);
        expect(ours.length, `${wanted} ${hash}`).toBe(byteLen(key.n));
        expect(nodeVerify(NODE_HASH[hash], message, { key: publicKey, ...options }, ours), `${wanted} ${hash}`).toBe(true);
        const theirs = new Uint8Array(nodeSign(NODE_HASH[hash], message, { key: privateKey, ...options }));
        expect(rsaPssVerify(pub, hash, hash, saltLength, message, theirs), `${wanted} ${hash}`).toBe(true);
        const pkcs = rsaPkcs1Sign(key, hash, message, platformLikeRandom);
        expect(Buffer.from(pkcs)).toEqual(Buffer.from(nodeSign(NODE_HASH[hash], message, privateKey)));
        expect(rsaPkcs1Verify(pub, hash, message, pkcs)).toBe(true);
      }
    }
  });

  it('refuses to release a signature that fails the public-key check (CRT fault defence)', () => {
    // p is a composite that passes every consistency check (n = p·q, e·dp ≡ 1 mod p−1, qi = q⁻¹ mod p),
    // so the CRT half mod p computes garbage: exactly what a fault would produce.
    const e = 65537n;
    let p = 0n;
    for (;;) {
      p = generatePrimeSync(512, { bigint: true }) * generatePrimeSync(512, { bigint: true });
      if ((p - 1n) % e !== 0n) break;
    }
    let q = 0n;
    for (;;) {
      q = generatePrimeSync(1024, { bigint: true });
      if ((q - 1n) % e !== 0n) break;
    }
    const faulty = rsaPrivateKeyFromComponents({ e, d: invert(e, carmichael(p, q)), p, q });
    expect(() => rsaPkcs1Sign(faulty, 'SHA-256', message, platformLikeRandom)).toThrow(/public-key check/);
    expect(() => rsaPssSign(faulty, 'SHA-256', 32, message, platformLikeRandom)).toThrow(
      expect.objectContaining({ code: 'INVALID_PRIVATE_KEY' }),
    );
  });
});
