/**
 * Wycheproof RSA signature verification (RSASSA-PSS with MGF1, RSASSA-PKCS1-v1_5), run through
 * the noble provider's `verify`, which dispatches to the bigint RSA module.
 */
import { describe, expect, it } from 'vitest';
import {
  hex,
  loadWycheproof,
  vectorsAvailable,
  vectorsMissingReason,
  WycheproofTally,
  type WycheproofGroup,
  type WycheproofTest,
} from '@puretls/test-vectors';
import type { HashName, PublicKey, SignatureAlgorithm } from '@puretls/crypto';
import { createNobleProvider } from '@puretls/crypto/noble';
import { rsaPkcs1Verify, rsaPssVerify } from '../src/rsa/index.js';

interface SignatureTest extends WycheproofTest {
  readonly msg: string;
  readonly sig: string;
}

/**
 * How each `acceptable` flag is decided. MissingNull (a DigestInfo whose AlgorithmIdentifier
 * omits the NULL parameters): rejected. RFC 8017 §9.2 note 1 gives the DER with NULL, and
 * verification re-encodes that single expected block and compares it whole, so any other
 * DigestInfo encoding fails, as in Go's crypto/rsa and BoringSSL.
 */
const ACCEPTABLE_DECISION: Readonly<Record<string, boolean>> = { MissingNull: false };

function hashName(value: unknown, field: string): HashName {
  if (value === 'SHA-256' || value === 'SHA-384' || value === 'SHA-512') return value;
  throw new Error(`unexpected ${field} ${String(value)}`);
}

function groupKey(group: WycheproofGroup<SignatureTest>): PublicKey {
  const pk = group['publicKey'] as { modulus?: unknown; publicExponent?: unknown } | undefined;
  if (typeof pk?.modulus !== 'string' || typeof pk.publicExponent !== 'string') throw new Error('group without publicKey');
  return { kind: 'rsa', n: BigInt(`0x${pk.modulus}`), e: BigInt(`0x${pk.publicExponent}`) };
}

function groupAlgorithm(group: WycheproofGroup<SignatureTest>): SignatureAlgorithm {
  const hash = hashName(group['sha'], 'sha');
  if (group.type === 'RsassaPkcs1Verify') return { type: 'rsa-pkcs1', hash };
  if (group.type === 'RsassaPssVerify') {
    if (group['mgf'] !== 'MGF1') throw new Error(`unexpected mgf ${String(group['mgf'])}`);
    const saltLength = group['sLen'];
    if (typeof saltLength !== 'number') throw new Error('group without sLen');
    return { type: 'rsa-pss', hash, mgfHash: hashName(group['mgfSha'], 'mgfSha'), saltLength };
  }
  throw new Error(`unexpected group type ${group.type}`);
}

const provider = createNobleProvider();

/**
 * The RSA module called directly, outside the provider's catch-all: it must give the same answer
 * and never throw on any of these signatures.
 */
function verifyDirect(algorithm: SignatureAlgorithm, key: PublicKey, message: Uint8Array, signature: Uint8Array): boolean {
  if (key.kind !== 'rsa') throw new Error('not an RSA key');
  const pub = { n: key.n, e: key.e };
  if (algorithm.type === 'rsa-pss') return rsaPssVerify(pub, algorithm.hash, algorithm.mgfHash, algorithm.saltLength, message, signature);
  if (algorithm.type === 'rsa-pkcs1') return rsaPkcs1Verify(pub, algorithm.hash, message, signature);
  throw new Error(`not an RSA algorithm: ${algorithm.type}`);
}

const FILES = [
  'rsa_pss_2048_sha256_mgf1_32_test.json',
  'rsa_pss_2048_sha384_mgf1_48_test.json',
  'rsa_signature_2048_sha256_test.json',
  'rsa_signature_3072_sha256_test.json',
] as const;

describe('Wycheproof RSA signature verification', () => {
  if (!vectorsAvailable) {
    it('needs the shared test vectors', (ctx) => ctx.skip(vectorsMissingReason));
    return;
  }
  for (const file of FILES) {
    it(`agrees with every case of ${file}`, async () => {
      const data = loadWycheproof<SignatureTest>(file);
      const tally = new WycheproofTally(file);
      for (const group of data.testGroups) {
        const algorithm = groupAlgorithm(group);
        const key = groupKey(group);
        for (const t of group.tests) {
          const label = `${file} tcId ${t.tcId} (${t.comment}; ${t.flags.join(', ')})`;
          const accepted = await provider.verify(algorithm, key, hex(t.msg), hex(t.sig));
          let direct: boolean;
          try {
            direct = verifyDirect(algorithm, key, hex(t.msg), hex(t.sig));
          } catch (err) {
            throw new Error(`${label}: rsa module threw ${String(err)}`);
          }
          expect(direct, `${label}: provider and rsa module disagree`).toBe(accepted);
          if (t.result === 'valid') {
            expect(accepted, label).toBe(true);
            tally.valid++;
          } else if (t.result === 'invalid') {
            expect(accepted, label).toBe(false);
            tally.invalid++;
          } else {
            const decided = t.flags.map((f) => ACCEPTABLE_DECISION[f]).filter((d) => d !== undefined);
            expect(decided.length, `${label}: acceptable case with no decision for its flags`).toBeGreaterThan(0);
            const expected = decided.every((d) => d);
            expect(accepted, label).toBe(expected);
            console.log(`${file}: acceptable tcId ${t.tcId} [${t.flags.join(', ')}] ${accepted ? 'accepted' : 'rejected'}`);
            if (accepted) tally.acceptableAccepted++;
            else tally.acceptableRejected++;
          }
        }
      }
      console.log(tally.summary());
      expect(tally.total).toBe(data.numberOfTests);
    });
  }
});
