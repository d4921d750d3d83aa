/**
 * The Web Crypto provider (@puretls/crypto/webcrypto) on the runtime's crypto.subtle (here Node's):
 * - the Wycheproof ECDSA, RSA and Ed25519 files through its `verify`, with the same harnesses (and the
 *   same decisions on `acceptable` cases) as the noble and node:crypto providers;
 * - every TLS 1.3 signature scheme signed by it and verified by noble, and the reverse, with keys made
 *   by node:crypto; ECDSA and RSA really go to Web Crypto (a counting SubtleCrypto) and answer
 *   asynchronously, EdDSA stays on noble;
 * - a SubtleCrypto that refuses every key import: noble decides, same answers;
 * - the caller's errors are those of the noble provider.
 */
import * as nodeCrypto from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { CryptoError, parsePkcs8, parseSpki, signatureAlgorithmOf } from '@puretls/crypto';
import type { CryptoProvider, PrivateKey, PublicKey, SignatureSchemeName } from '@puretls/crypto';
import { createNobleProvider } from '@puretls/crypto/noble';
import { createWebCryptoProvider, platformSubtle } from '@puretls/crypto/webcrypto';
import {
  ECDSA_FILES,
  RSA_FILES,
  runEcdsaWycheproof,
  runEd25519Wycheproof,
  runRsaWycheproof,
  vectorsAvailable,
  vectorsMissingReason,
} from '@puretls/test-vectors';

const subtle = platformSubtle() as SubtleCrypto;
const noble = createNobleProvider();

/** A SubtleCrypto that counts the calls it forwards; `refuseImports` makes every importKey fail. */
function countingSubtle(refuseImports = false): { subtle: SubtleCrypto; calls: Record<string, number> } {
  const calls: Record<string, number> = { importKey: 0, sign: 0, verify: 0 };
  const s = {
    importKey: (...args: Parameters<SubtleCrypto['importKey']>) => {
      calls.importKey = (calls.importKey ?? 0) + 1;
      if (refuseImports) return Promise.reject(new DOMException('not supported here', 'NotSupportedError'));
      return (subtle.importKey as (...a: unknown[]) => Promise<CryptoKey>)(...args);
    },
    sign: (...args: Parameters<SubtleCrypto['sign']>) => {
      calls.sign = (calls.sign ?? 0) + 1;
      return subtle.sign(...args);
    },
    verify: (...args: Parameters<SubtleCrypto['verify']>) => {
      calls.verify = (calls.verify ?? 0) + 1;
      return subtle.verify(...args);
    },
  };
  return { subtle: s as unknown as SubtleCrypto, calls };
}

const provider: CryptoProvider = createWebCryptoProvider();

if (!vectorsAvailable) {
  it('Wycheproof vectors through the Web Crypto provider', (ctx) => ctx.skip(vectorsMissingReason));
} else {
  describe('Web Crypto provider: Wycheproof signatures', () => {
    for (const [name, alg] of ECDSA_FILES) {
      it(`${name}: valid signatures verify, invalid ones do not`, async () => {
        const { tally, numberOfTests, failures } = await runEcdsaWycheproof(provider, name, alg);
        console.log(tally.summary());
        expect(failures).toEqual([]);
        expect(tally.total).toBe(numberOfTests);
      });
    }
    it('ed25519_test.json (noble underneath)', async () => {
      const { tally, numberOfTests, failures } = await runEd25519Wycheproof(provider);
      expect(failures).toEqual([]);
      expect(tally.total).toBe(numberOfTests);
    });
    for (const name of RSA_FILES) {
      it(`${name}: agrees with every case (MissingNull rejected)`, async () => {
        const { tally, numberOfTests, failures } = await runRsaWycheproof(provider, name);
        console.log(tally.summary());
        expect(failures).toEqual([]);
        expect(tally.total).toBe(numberOfTests);
      });
    }
  });
}

interface Pair {
  readonly priv: PrivateKey;
  readonly pub: PublicKey;
}

function nodePair(type: 'ec' | 'ed25519' | 'ed448' | 'rsa' | 'rsa-pss', options: { namedCurve?: string; modulusLength?: number }): Pair {
  const generate = nodeCrypto.generateKeyPairSync as (t: string, o: object) => { privateKey: nodeCrypto.KeyObject; publicKey: nodeCrypto.KeyObject };
  const { privateKey, publicKey } = generate(type, options);
  return {
    priv: parsePkcs8(new Uint8Array(privateKey.export({ format: 'der', type: 'pkcs8' }))),
    pub: parseSpki(new Uint8Array(publicKey.export({ format: 'der', type: 'spki' }))),
  };
}

const rsa2048 = nodePair('rsa', { modulusLength: 2048 });
const PAIRS: Record<string, Pair> = {
  'P-256': nodePair('ec', { namedCurve: 'prime256v1' }),
  'P-384': nodePair('ec', { namedCurve: 'secp384r1' }),
  'P-521': nodePair('ec', { namedCurve: 'secp521r1' }),
  ed25519: nodePair('ed25519', {}),
  ed448: nodePair('ed448', {}),
  rsa: rsa2048,
  'rsa-pss': nodePair('rsa-pss', { modulusLength: 2048 }),
};

const SCHEMES: readonly [SignatureSchemeName, string, boolean][] = [
  ['ecdsa_secp256r1_sha256', 'P-256', true],
  ['ecdsa_secp384r1_sha384', 'P-384', true],
  ['ecdsa_secp521r1_sha512', 'P-521', true],
  ['ed25519', 'ed25519', false],
  ['ed448', 'ed448', false],
  ['rsa_pss_rsae_sha256', 'rsa', true],
  ['rsa_pss_rsae_sha384', 'rsa', true],
  ['rsa_pss_rsae_sha512', 'rsa', true],
  ['rsa_pss_pss_sha256', 'rsa-pss', true],
  ['rsa_pkcs1_sha256', 'rsa', true],
  ['rsa_pkcs1_sha384', 'rsa', true],
];

describe('Web Crypto provider: sign and verify against noble', () => {
  for (const [scheme, keyName, web] of SCHEMES) {
    it(`${scheme}: ours verifies with noble and noble's with ours${web ? ', through Web Crypto' : ', on noble'}`, async () => {
      const { priv, pub } = PAIRS[keyName] as Pair;
      const counting = countingSubtle();
      const p = createWebCryptoProvider({ subtle: counting.subtle });
      const message = noble.randomBytes(300);
      for (let i = 0; i < 3; i++) {
        const pending = p.sign(scheme, priv, message);
        expect(pending instanceof Promise).toBe(web);
        const sig = await pending;
        expect(await noble.verify(scheme, pub, message, sig)).toBe(true);
        const theirs = await noble.sign(scheme, priv, message);
        expect(await p.verify(scheme, pub, message, theirs)).toBe(true);
        const bad = theirs.slice();
        bad[bad.length >> 1] = (bad[bad.length >> 1] as number) ^ 0x10;
        expect(await p.verify(scheme, pub, message, bad)).toBe(false);
        expect(await p.verify(scheme, pub, noble.randomBytes(300), theirs)).toBe(false);
      }
      if (web) {
        expect(counting.calls.sign).toBe(3);
        expect(counting.calls.verify).toBe(9);
        // One import per key and algorithm: the private key once, the public key once.
        expect(counting.calls.importKey).toBe(2);
      } else {
        expect(counting.calls).toEqual({ importKey: 0, sign: 0, verify: 0 });
      }
    });
  }

  it('ECDSA in DER and P1363 both go through Web Crypto', async () => {
    const { priv, pub } = PAIRS['P-256'] as Pair;
    const message = noble.randomBytes(64);
    for (const encoding of ['der', 'p1363'] as const) {
      const alg = { type: 'ecdsa', curve: 'P-256', hash: 'SHA-384', encoding } as const;
      const sig = await provider.sign(alg, priv, message);
      if (encoding === 'p1363') expect(sig.length).toBe(64);
      else expect(sig[0]).toBe(0x30);
      expect(await noble.verify(alg, pub, message, sig)).toBe(true);
      expect(await provider.verify(alg, pub, message, await noble.sign(alg, priv, message))).toBe(true);
    }
  });

  /** Every scheme signed and verified through `p`, checked against noble. */
  async function sameAsNoble(p: CryptoProvider): Promise<void> {
    const message = noble.randomBytes(100);
    for (const [scheme, keyName] of SCHEMES) {
      const { priv, pub } = PAIRS[keyName] as Pair;
      const sig = await p.sign(scheme, priv, message);
      expect(await noble.verify(scheme, pub, message, sig)).toBe(true);
      expect(await p.verify(scheme, pub, message, sig)).toBe(true);
      expect(await p.verify(scheme, pub, message.subarray(1), sig)).toBe(false);
    }
  }

  it('a runtime whose sign and verify fail: noble decides, with the same answers', async () => {
    const failing = {
      importKey: subtle.importKey.bind(subtle),
      sign: () => Promise.reject(new DOMException('no', 'OperationError')),
      verify: () => Promise.reject(new DOMException('no', 'OperationError')),
    } as unknown as SubtleCrypto;
    await sameAsNoble(createWebCryptoProvider({ subtle: failing }));
  });

  it('a runtime that refuses the key imports: noble decides, with the same answers', async () => {
    const counting = countingSubtle(true);
    await sameAsNoble(createWebCryptoProvider({ subtle: counting.subtle }));
    expect(counting.calls.importKey).toBeGreaterThan(0);
    expect([counting.calls.sign, counting.calls.verify]).toEqual([0, 0]);
  });
});

describe('Web Crypto provider: errors', () => {
  it('the caller errors of the noble provider', async () => {
    const { priv } = PAIRS['P-256'] as Pair;
    expect(() => provider.sign('ecdsa_secp384r1_sha384', priv, new Uint8Array(1))).toThrow(CryptoError);
    expect(() => provider.sign({ type: 'ecdsa', curve: 'P-256', hash: 'MD5' as 'SHA-256', encoding: 'der' }, priv, new Uint8Array(1))).toThrow(RangeError);
    expect(() => provider.sign('ecdsa_secp256r1_sha256', priv, 'text' as unknown as Uint8Array)).toThrow(TypeError);
    const zero: PrivateKey = { kind: 'ec', curve: 'P-256', d: new Uint8Array(32) };
    expect(() => provider.sign('ecdsa_secp256r1_sha256', zero, new Uint8Array(1))).toThrow(RangeError);
    const broken = { ...rsa2048.priv, d: (rsa2048.priv as { d: bigint }).d + 2n } as PrivateKey;
    expect(() => provider.sign('rsa_pss_rsae_sha256', broken, new Uint8Array(1))).toThrow(expect.objectContaining({ code: 'INVALID_PRIVATE_KEY' }));
  });

  it('verify never throws on data: malformed signatures and keys are false', async () => {
    const { pub } = PAIRS['P-256'] as Pair;
    const alg = signatureAlgorithmOf('ecdsa_secp256r1_sha256');
    expect(await provider.verify(alg, pub, new Uint8Array(1), new Uint8Array(0))).toBe(false);
    expect(await provider.verify(alg, pub, new Uint8Array(1), Uint8Array.of(0x30, 0x06, 2, 1, 1, 2, 1, 1))).toBe(false);
    const offCurve: PublicKey = { kind: 'ec', curve: 'P-256', point: new Uint8Array(65).fill(4) };
    expect(await provider.verify(alg, offCurve, new Uint8Array(1), await noble.sign(alg, (PAIRS['P-256'] as Pair).priv, new Uint8Array(1)))).toBe(false);
    const tiny: PublicKey = { kind: 'rsa', n: 15n, e: 3n };
    expect(await provider.verify('rsa_pkcs1_sha256', tiny, new Uint8Array(1), new Uint8Array(1))).toBe(false);
  });

  it('no SubtleCrypto is a TypeError naming the option', () => {
    expect(() => createWebCryptoProvider({ subtle: {} as SubtleCrypto })).toThrow(/options.subtle/);
  });
});

describe('Web Crypto provider: AES-GCM records (sealAsync / openAsync)', () => {
  type GcmCase = { tcId: number; key: string; iv: string; aad: string; msg: string; ct: string; tag: string; result: string };

  if (vectorsAvailable) {
    it('aes_gcm_test.json through the asynchronous forms: every 12-byte-IV, 16-byte-tag case of 128/256-bit keys', async () => {
      const { hex, loadWycheproof, toHex } = await import('@puretls/test-vectors');
      const file = loadWycheproof('aes_gcm_test.json');
      let run = 0;
      const failures: string[] = [];
      for (const g of file.testGroups) {
        if (g.ivSize !== 96 || g.tagSize !== 128 || (g.keySize !== 128 && g.keySize !== 256)) continue;
        const name = g.keySize === 128 ? 'AES-128-GCM' : 'AES-256-GCM';
        for (const t of g.tests as unknown as GcmCase[]) {
          const aead = provider.aead(name).create(hex(t.key));
          const sealed = await (aead.sealAsync as NonNullable<typeof aead.sealAsync>)(hex(t.iv), hex(t.msg), hex(t.aad));
          const opened = await (aead.openAsync as NonNullable<typeof aead.openAsync>)(hex(t.iv), hex(t.ct + t.tag), hex(t.aad));
          const ok = t.result === 'valid' ? toHex(sealed) === t.ct + t.tag && opened !== null && toHex(opened) === t.msg : opened === null;
          if (!ok) failures.push(`tcId ${t.tcId} (${t.result})`);
          run++;
        }
      }
      console.log(`aes_gcm_test.json through Web Crypto's asynchronous forms: ${run} cases`);
      expect(failures).toEqual([]);
      expect(run).toBeGreaterThan(100);
    });
  }

  it('agrees with noble at every size, in place of the key it refuses, and when an operation fails', async () => {
    const base = { sign: subtle.sign.bind(subtle), verify: subtle.verify.bind(subtle) };
    const refusing = { ...base, importKey: () => Promise.reject(new Error('no')), encrypt: subtle.encrypt.bind(subtle), decrypt: subtle.decrypt.bind(subtle) } as unknown as SubtleCrypto;
    const broken = {
      ...base,
      importKey: subtle.importKey.bind(subtle),
      encrypt: () => Promise.reject(new TypeError('out of memory')),
      decrypt: () => Promise.reject(new TypeError('out of memory')),
    } as unknown as SubtleCrypto;
    for (const s of [subtle, refusing, broken]) {
      const p = createWebCryptoProvider({ subtle: s });
      for (const name of ['AES-128-GCM', 'AES-256-GCM'] as const) {
        const key = noble.randomBytes(name === 'AES-128-GCM' ? 16 : 32);
        const ours = p.aead(name).create(key);
        const ref = noble.aead(name).create(key);
        for (const size of [0, 1, 17, 1000, 16385]) {
          const nonce = noble.randomBytes(12);
          const pt = noble.randomBytes(size);
          const aad = noble.randomBytes(5);
          const sealed = await (ours.sealAsync as NonNullable<typeof ours.sealAsync>)(nonce, pt, aad);
          expect(sealed).toEqual(ref.seal(nonce, pt, aad));
          expect(await (ours.openAsync as NonNullable<typeof ours.openAsync>)(nonce, sealed, aad)).toEqual(pt);
          const bad = sealed.slice();
          bad[bad.length - 1] = (bad[bad.length - 1] as number) ^ 1;
          expect(await (ours.openAsync as NonNullable<typeof ours.openAsync>)(nonce, bad, aad)).toBeNull();
          // The synchronous forms are noble's.
          expect(ours.seal(nonce, pt, aad)).toEqual(sealed);
        }
      }
    }
  });
});
