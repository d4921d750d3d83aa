/**
 * The Wycheproof checks of packages/crypto's tests (aead, kex, signature, rsa, hkdf), run through the
 * node:crypto provider with the same harness logic and the same decisions for `acceptable` cases:
 * - AEAD (AES-GCM, AES-CCM, ChaCha20-Poly1305): a group whose spec the provider refuses (RangeError)
 *   may only hold `invalid` cases; valid cases seal to exactly ct || tag, also in place at an
 *   unaligned offset, and open back; invalid cases open to null or are refused with a RangeError.
 * - X25519: all-zero results (31 acceptable cases) are refused with ZERO_SHARED_SECRET (RFC 8446
 *   §7.4.2); every other acceptable case must give `shared` (RFC 7748 §5).
 * - ECDH with raw points: the acceptable compressed point (tcId 2) is refused with INVALID_PUBLIC_KEY
 *   (RFC 8446 §4.2.8.2); with SPKI keys through parseSpki, only the compressed SPKI (tcId 2) is an
 *   accepted acceptable case; InvalidAsn/UnnamedCurve ones are refused.
 * - ECDSA (DER, P1363) and Ed25519: valid → true, invalid → false, never an exception; no acceptable.
 * - RSA PSS / PKCS#1 v1.5: MissingNull (acceptable) is rejected, as the noble provider does.
 * - HKDF: invalid cases (SizeTooLarge) throw a RangeError.
 */
import { describe, expect, it } from 'vitest';
import {
  hex,
  loadWycheproof,
  toHex,
  vectorsAvailable,
  vectorsMissingReason,
  WycheproofTally,
  type WycheproofGroup,
  type WycheproofTest,
} from '@puretls/test-vectors';
import { CryptoError, parseSpki } from '@puretls/crypto';
import type { Aead, AeadAlgorithm, AeadSpec, CryptoProvider, HashName, KeyExchangeGroup, NamedGroupName, PublicKey, SignatureAlgorithm } from '@puretls/crypto';
import { createNodeProvider } from '@puretls/node/provider';

const provider: CryptoProvider = createNodeProvider();

function unlessRefused<T>(fn: () => T): T | undefined {
  try {
    return fn();
  } catch (e) {
    if (e instanceof RangeError) return undefined;
    throw e;
  }
}

// --- AEAD ---

interface AeadTest extends WycheproofTest {
  readonly key: string;
  readonly iv: string;
  readonly aad: string;
  readonly msg: string;
  readonly ct: string;
  readonly tag: string;
}
type AeadGroup = WycheproofGroup<AeadTest> & { readonly keySize: number; readonly ivSize: number; readonly tagSize: number };

function checkValid(aead: Aead, t: AeadTest): void {
  const [iv, msg, aad] = [hex(t.iv), hex(t.msg), hex(t.aad)];
  const sealed = hex(t.ct + t.tag);
  const where = `tcId ${t.tcId} (${t.comment})`;
  expect(toHex(aead.seal(iv, msg, aad)), where).toBe(t.ct + t.tag);
  const plain = aead.open(iv, sealed, aad);
  expect(plain === null ? null : toHex(plain), where).toBe(t.msg);
  const buf = new Uint8Array(3 + sealed.length);
  buf.set(msg, 3);
  expect(toHex(aead.seal(iv, buf.subarray(3, 3 + msg.length), aad, buf.subarray(3))), where).toBe(t.ct + t.tag);
  const opened = aead.open(iv, buf.subarray(3), aad, buf.subarray(3));
  expect(opened === null ? null : toHex(opened), where).toBe(t.msg);
}

function runAeadFile(file: string, cipher: AeadSpec['cipher']): WycheproofTally {
  const data = loadWycheproof<AeadTest>(file);
  const tally = new WycheproofTally(file);
  for (const g of data.testGroups as readonly AeadGroup[]) {
    const spec: AeadSpec = { cipher, keyLength: g.keySize / 8, nonceLength: g.ivSize / 8, tagLength: g.tagSize / 8 };
    const algorithm: AeadAlgorithm | undefined = unlessRefused(() => provider.aead(spec));
    if (algorithm === undefined) {
      for (const t of g.tests) expect(t.result, `${file} tcId ${t.tcId}: refused spec ${JSON.stringify(spec)}`).toBe('invalid');
      tally.invalid += g.tests.length;
      continue;
    }
    for (const t of g.tests) {
      const aead = unlessRefused(() => algorithm.create(hex(t.key)));
      if (t.result === 'valid') {
        expect(aead, `tcId ${t.tcId}: key refused`).toBeDefined();
        checkValid(aead as Aead, t);
        tally.valid++;
      } else if (t.result === 'invalid') {
        if (aead !== undefined) {
          const opened = unlessRefused(() => aead.open(hex(t.iv), hex(t.ct + t.tag), hex(t.aad)));
          expect(opened ?? null, `tcId ${t.tcId} (${t.comment})`).toBeNull();
        }
        tally.invalid++;
      } else {
        const opened = aead && unlessRefused(() => aead.open(hex(t.iv), hex(t.ct + t.tag), hex(t.aad)));
        if (opened) {
          expect(toHex(opened), `tcId ${t.tcId}`).toBe(t.msg);
          tally.acceptableAccepted++;
        } else tally.acceptableRejected++;
      }
    }
  }
  expect(tally.total).toBe(data.numberOfTests);
  return tally;
}

// --- key exchange ---

interface DhTest extends WycheproofTest {
  readonly public: string;
  readonly private: string;
  readonly shared: string;
}
type Outcome = { readonly shared: Uint8Array } | { readonly error: CryptoError };

function agree(run: () => Uint8Array): Outcome {
  try {
    return { shared: run() };
  } catch (e) {
    if (e instanceof CryptoError) return { error: e };
    throw e;
  }
}
const describeOutcome = (o: Outcome): string => ('shared' in o ? `shared ${toHex(o.shared)}` : `${o.error.code}: ${o.error.message}`);
const scalar = (hexInt: string, length: number): Uint8Array => hex(BigInt(`0x${hexInt}`).toString(16).padStart(2 * length, '0'));

// --- signatures ---

interface SigTest extends WycheproofTest {
  readonly msg: string;
  readonly sig: string;
}

async function verifyGroup(alg: SignatureAlgorithm, key: PublicKey, tests: readonly SigTest[], tally: WycheproofTally, acceptable: (t: SigTest) => boolean | undefined): Promise<string[]> {
  const failures: string[] = [];
  for (const t of tests) {
    let ok: boolean;
    try {
      ok = await provider.verify(alg, key, hex(t.msg), hex(t.sig));
    } catch (e) {
      failures.push(`tcId ${t.tcId} threw ${String(e)}`);
      continue;
    }
    const where = `tcId ${t.tcId} [${t.result}] ${t.comment} (${t.flags.join(',')}): verify gave ${ok}`;
    if (t.result === 'valid') {
      if (!ok) failures.push(where);
      tally.valid++;
    } else if (t.result === 'invalid') {
      if (ok) failures.push(where);
      tally.invalid++;
    } else {
      const decided = acceptable(t);
      if (decided === undefined) failures.push(`undecided acceptable case: ${where}`);
      else if (decided !== ok) failures.push(where);
      if (ok) tally.acceptableAccepted++;
      else tally.acceptableRejected++;
    }
  }
  return failures;
}

const hashName = (value: unknown): HashName => {
  if (value === 'SHA-256' || value === 'SHA-384' || value === 'SHA-512') return value;
  throw new Error(`unexpected hash ${String(value)}`);
};

if (!vectorsAvailable) {
  it('Wycheproof vectors through the node:crypto provider', (ctx) => ctx.skip(vectorsMissingReason));
} else {
  describe('node:crypto provider: Wycheproof AEAD', () => {
    for (const [file, cipher] of [
      ['aes_gcm_test.json', 'AES-GCM'],
      ['aes_ccm_test.json', 'AES-CCM'],
      ['chacha20_poly1305_test.json', 'CHACHA20-POLY1305'],
    ] as const) {
      it(`passes every case of ${file}`, () => console.log(runAeadFile(file, cipher).summary()));
    }
  });

  describe('node:crypto provider: Wycheproof key exchange', () => {
    it('x25519_test.json: valid and non-zero acceptable cases agree, all-zero results are refused', () => {
      const file = loadWycheproof<DhTest>('x25519_test.json');
      const tally = new WycheproofTally('x25519_test.json');
      const group = provider.group('x25519');
      const zero = '00'.repeat(32);
      const failures: string[] = [];
      for (const g of file.testGroups) {
        for (const t of g.tests) {
          const o = agree(() => group.sharedSecret(hex(t.private), hex(t.public)));
          const where = `tcId ${t.tcId} [${t.result}] ${t.comment} (${t.flags.join(',')}): ${describeOutcome(o)}`;
          if (t.result === 'invalid') {
            if ('shared' in o) failures.push(where);
            tally.invalid++;
          } else if (t.shared === zero) {
            const ok = t.result === 'acceptable' && t.flags.includes('ZeroSharedSecret') && 'error' in o && o.error.code === 'ZERO_SHARED_SECRET';
            if (!ok) failures.push(where);
            tally.acceptableRejected++;
          } else {
            if (!('shared' in o) || toHex(o.shared) !== t.shared) failures.push(where);
            if (t.result === 'valid') tally.valid++;
            else tally.acceptableAccepted++;
          }
        }
      }
      console.log(tally.summary());
      expect(failures).toEqual([]);
      expect(tally.total).toBe(file.numberOfTests);
      expect(tally.acceptableRejected).toBe(31);
    });

    for (const [name, groupName, length] of [
      ['ecdh_secp256r1_ecpoint_test.json', 'secp256r1', 32],
      ['ecdh_secp384r1_ecpoint_test.json', 'secp384r1', 48],
    ] as const) {
      it(`${name}: valid cases agree, invalid and compressed points are refused`, () => {
        const file = loadWycheproof<DhTest>(name);
        const tally = new WycheproofTally(name);
        const group: KeyExchangeGroup = provider.group(groupName);
        const failures: string[] = [];
        const refusedCompressed: number[] = [];
        for (const g of file.testGroups) {
          for (const t of g.tests) {
            const o = agree(() => group.sharedSecret(scalar(t.private, length), hex(t.public)));
            const where = `tcId ${t.tcId} [${t.result}] ${t.comment} (${t.flags.join(',')}): ${describeOutcome(o)}`;
            if (t.result === 'valid') {
              if (!('shared' in o) || toHex(o.shared) !== t.shared) failures.push(where);
              tally.valid++;
            } else if (t.result === 'invalid') {
              if ('shared' in o) failures.push(where);
              tally.invalid++;
            } else if (t.flags.includes('CompressedPoint')) {
              if (!('error' in o) || o.error.code !== 'INVALID_PUBLIC_KEY') failures.push(where);
              refusedCompressed.push(t.tcId);
              tally.acceptableRejected++;
            } else {
              failures.push(`unexpected acceptable case, decide it explicitly: ${where}`);
            }
          }
        }
        console.log(`${tally.summary()}; compressed points refused: tcId ${refusedCompressed.join(', ')}`);
        expect(failures).toEqual([]);
        expect(refusedCompressed).toEqual([2]);
        expect(tally.total).toBe(file.numberOfTests);
      });
    }

    for (const [name, groupName, length] of [
      ['ecdh_secp256r1_test.json', 'secp256r1', 32],
      ['ecdh_secp384r1_test.json', 'secp384r1', 48],
    ] as const) {
      it(`${name}: valid cases agree, invalid ones fail in parseSpki or sharedSecret`, () => {
        const file = loadWycheproof<DhTest>(name);
        const tally = new WycheproofTally(name);
        const group = provider.group(groupName as NamedGroupName);
        const failures: string[] = [];
        const accepted: number[] = [];
        for (const g of file.testGroups) {
          for (const t of g.tests) {
            const o = agree(() => {
              const key = parseSpki(hex(t.public));
              if (key.kind !== 'ec') throw new CryptoError('INVALID_PUBLIC_KEY', `not an EC key: ${key.kind}`);
              return group.sharedSecret(scalar(t.private, length), key.point);
            });
            const where = `tcId ${t.tcId} [${t.result}] ${t.comment} (${t.flags.join(',')}): ${describeOutcome(o)}`;
            if (t.result === 'valid') {
              if (!('shared' in o) || toHex(o.shared) !== t.shared) failures.push(where);
              tally.valid++;
            } else if (t.result === 'invalid') {
              if ('shared' in o) failures.push(where);
              tally.invalid++;
            } else if ('shared' in o) {
              if (toHex(o.shared) !== t.shared) failures.push(where);
              accepted.push(t.tcId);
              tally.acceptableAccepted++;
            } else {
              if (!(t.flags.includes('InvalidAsn') || t.flags.includes('UnnamedCurve'))) failures.push(`acceptable case refused for an undocumented reason: ${where}`);
              tally.acceptableRejected++;
            }
          }
        }
        console.log(`${tally.summary()}; acceptable accepted: tcId ${accepted.join(', ')}`);
        expect(failures).toEqual([]);
        expect(accepted).toEqual([2]);
        expect(tally.total).toBe(file.numberOfTests);
      });
    }
  });

  describe('node:crypto provider: Wycheproof signatures', () => {
    const CURVES: Readonly<Record<string, 'P-256' | 'P-384'>> = { secp256r1: 'P-256', secp384r1: 'P-384' };
    const ECDSA_FILES: readonly [string, SignatureAlgorithm & { type: 'ecdsa' }][] = [
      ['ecdsa_secp256r1_sha256_test.json', { type: 'ecdsa', curve: 'P-256', hash: 'SHA-256', encoding: 'der' }],
      ['ecdsa_secp384r1_sha256_test.json', { type: 'ecdsa', curve: 'P-384', hash: 'SHA-256', encoding: 'der' }],
      ['ecdsa_secp384r1_sha384_test.json', { type: 'ecdsa', curve: 'P-384', hash: 'SHA-384', encoding: 'der' }],
      ['ecdsa_secp256r1_sha256_p1363_test.json', { type: 'ecdsa', curve: 'P-256', hash: 'SHA-256', encoding: 'p1363' }],
      ['ecdsa_secp384r1_sha384_p1363_test.json', { type: 'ecdsa', curve: 'P-384', hash: 'SHA-384', encoding: 'p1363' }],
    ];
    type EcdsaGroup = WycheproofGroup<SigTest> & { readonly publicKey: { readonly curve: string; readonly uncompressed: string }; readonly publicKeyDer: string; readonly sha: string };
    for (const [name, alg] of ECDSA_FILES) {
      it(`${name}: valid signatures verify, invalid ones do not`, async () => {
        const file = loadWycheproof<SigTest>(name);
        const tally = new WycheproofTally(name);
        const failures: string[] = [];
        for (const g of file.testGroups as readonly EcdsaGroup[]) {
          expect(CURVES[g.publicKey.curve]).toBe(alg.curve);
          expect(g.sha).toBe(alg.hash);
          const key = parseSpki(hex(g.publicKeyDer));
          expect(key).toEqual({ kind: 'ec', curve: alg.curve, point: hex(g.publicKey.uncompressed) });
          failures.push(...(await verifyGroup(alg, key, g.tests, tally, () => undefined)));
        }
        console.log(tally.summary());
        expect(failures).toEqual([]);
        expect(tally.total).toBe(file.numberOfTests);
      });
    }

    it('ed25519_test.json: valid signatures verify; malleable, truncated and non-canonical ones do not', async () => {
      const name = 'ed25519_test.json';
      const file = loadWycheproof<SigTest>(name);
      const tally = new WycheproofTally(name);
      const failures: string[] = [];
      type EddsaGroup = WycheproofGroup<SigTest> & { readonly publicKey: { readonly curve: string; readonly pk: string }; readonly publicKeyDer: string };
      for (const g of file.testGroups as readonly EddsaGroup[]) {
        const key = parseSpki(hex(g.publicKeyDer));
        expect(key).toEqual({ kind: 'ed25519', key: hex(g.publicKey.pk) });
        failures.push(...(await verifyGroup({ type: 'ed25519' }, key, g.tests, tally, () => undefined)));
      }
      console.log(tally.summary());
      expect(failures).toEqual([]);
      expect(tally.total).toBe(file.numberOfTests);
    });

    for (const name of ['rsa_pss_2048_sha256_mgf1_32_test.json', 'rsa_pss_2048_sha384_mgf1_48_test.json', 'rsa_signature_2048_sha256_test.json', 'rsa_signature_3072_sha256_test.json']) {
      it(`${name}: agrees with every case (MissingNull rejected)`, async () => {
        const file = loadWycheproof<SigTest>(name);
        const tally = new WycheproofTally(name);
        const failures: string[] = [];
        for (const g of file.testGroups) {
          const pk = g['publicKey'] as { modulus: string; publicExponent: string };
          const key: PublicKey = { kind: 'rsa', n: BigInt(`0x${pk.modulus}`), e: BigInt(`0x${pk.publicExponent}`) };
          const hash = hashName(g['sha']);
          let alg: SignatureAlgorithm;
          if (g.type === 'RsassaPkcs1Verify') alg = { type: 'rsa-pkcs1', hash };
          else {
            expect(g['mgf']).toBe('MGF1');
            alg = { type: 'rsa-pss', hash, mgfHash: hashName(g['mgfSha']), saltLength: g['sLen'] as number };
          }
          // RFC 8017 §9.2 note 1: the one DigestInfo encoding, with NULL parameters.
          failures.push(...(await verifyGroup(alg, key, g.tests, tally, (t) => (t.flags.includes('MissingNull') ? false : undefined))));
        }
        console.log(tally.summary());
        expect(failures).toEqual([]);
        expect(tally.total).toBe(file.numberOfTests);
      });
    }
  });

  describe('node:crypto provider: Wycheproof HKDF', () => {
    interface HkdfTest extends WycheproofTest {
      readonly ikm: string;
      readonly salt: string;
      readonly info: string;
      readonly size: number;
      readonly okm: string;
    }
    for (const [name, hash] of [
      ['hkdf_sha256_test.json', 'SHA-256'],
      ['hkdf_sha384_test.json', 'SHA-384'],
    ] as const) {
      it(`passes every case of ${name}`, () => {
        const data = loadWycheproof<HkdfTest>(name);
        const tally = new WycheproofTally(name);
        const hashLength = provider.hash(hash).outputLength;
        for (const g of data.testGroups) {
          for (const t of g.tests) {
            const where = `${name} tcId ${t.tcId} (${t.comment})`;
            const derive = (): Uint8Array => provider.hkdfExpand(hash, provider.hkdfExtract(hash, hex(t.salt), hex(t.ikm)), hex(t.info), t.size);
            if (t.result === 'valid') {
              expect(toHex(derive()), where).toBe(t.okm);
              tally.valid++;
            } else {
              expect(t.result, where).toBe('invalid');
              expect(t.flags, where).toEqual(['SizeTooLarge']);
              expect(t.size, where).toBeGreaterThan(255 * hashLength);
              expect(derive, where).toThrow(RangeError);
              tally.invalid++;
            }
          }
        }
        console.log(tally.summary());
        expect(tally.total).toBe(data.numberOfTests);
      });
    }
  });
}
