/**
 * Wycheproof RSA signature verification (RSASSA-PSS with MGF1, RSASSA-PKCS1-v1_5) through a
 * provider's `verify`.
 */
import type { CryptoProvider, HashName, PublicKey, SignatureAlgorithm } from '@puretls/crypto';
import { loadWycheproof, WycheproofTally, type WycheproofGroup } from '../wycheproof.js';
import type { HarnessResult } from './result.js';
import { verifyCases, type SignatureTest } from './signature.js';

export const RSA_FILES = [
  'rsa_pss_2048_sha256_mgf1_32_test.json',
  'rsa_pss_2048_sha384_mgf1_48_test.json',
  'rsa_signature_2048_sha256_test.json',
  'rsa_signature_3072_sha256_test.json',
] as const;

/**
 * How each `acceptable` flag is decided. MissingNull (a DigestInfo whose AlgorithmIdentifier
 * omits the NULL parameters): rejected. RFC 8017 §9.2 note 1 gives the DER with NULL, and
 * verification re-encodes that single expected block and compares it whole, so any other
 * DigestInfo encoding fails, as in Go's crypto/rsa and BoringSSL. A case is accepted only if every
 * one of its flags with a decision says so; a case none of whose flags is decided is a failure.
 */
const ACCEPTABLE_DECISION: Readonly<Record<string, boolean>> = { MissingNull: false };

function decide(t: SignatureTest): boolean | undefined {
  const decided = t.flags.map((f) => ACCEPTABLE_DECISION[f]).filter((d) => d !== undefined);
  return decided.length === 0 ? undefined : decided.every((d) => d);
}

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

export interface RsaCase {
  readonly algorithm: SignatureAlgorithm;
  readonly key: PublicKey;
  readonly test: SignatureTest;
  /** What the provider's `verify` answered. */
  readonly accepted: boolean;
}

/**
 * Every case of an RSA file agrees with its expected result (acceptable ones as decided above).
 * `acceptable` lists how each acceptable case went; `onCase` sees every case (provider-specific checks).
 */
export async function runRsaWycheproof(
  provider: CryptoProvider,
  file: string,
  onCase?: (c: RsaCase) => void,
): Promise<HarnessResult & { readonly acceptable: { readonly tcId: number; readonly flags: readonly string[]; readonly accepted: boolean }[] }> {
  const data = loadWycheproof<SignatureTest>(file);
  const tally = new WycheproofTally(file);
  const failures: string[] = [];
  const acceptable: { tcId: number; flags: readonly string[]; accepted: boolean }[] = [];
  for (const group of data.testGroups) {
    const algorithm = groupAlgorithm(group);
    const key = groupKey(group);
    const seen = (test: SignatureTest, accepted: boolean): void => {
      if (test.result === 'acceptable') acceptable.push({ tcId: test.tcId, flags: test.flags, accepted });
      onCase?.({ algorithm, key, test, accepted });
    };
    failures.push(...(await verifyCases(provider, algorithm, key, group.tests, tally, decide, seen)));
  }
  return { tally, numberOfTests: data.numberOfTests, failures, acceptable };
}
