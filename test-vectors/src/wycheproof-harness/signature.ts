/**
 * Wycheproof ECDSA (DER and IEEE P1363 encodings) and Ed25519 verification through a provider's
 * `verify`. Each group's key is read with `parseSpki(publicKeyDer)` and must equal the raw key of the
 * group (the uncompressed point / `pk`), then every case is verified with it: valid → true,
 * invalid → false, never an exception. These files have no `acceptable` cases; one would be a
 * failure until it is decided explicitly.
 */
import { parseSpki } from '@puretls/crypto';
import type { CryptoProvider, EcCurve, PublicKey, SignatureAlgorithm } from '@puretls/crypto';
import { hex, toHex } from '../files.js';
import { loadWycheproof, WycheproofTally, type WycheproofGroup, type WycheproofTest } from '../wycheproof.js';
import type { HarnessResult } from './result.js';

export interface SignatureTest extends WycheproofTest {
  readonly msg: string;
  readonly sig: string;
}

type EcdsaGroup = WycheproofGroup<SignatureTest> & {
  readonly publicKey: { readonly curve: string; readonly uncompressed: string };
  readonly publicKeyDer: string;
  readonly sha: string;
};

type EddsaGroup = WycheproofGroup<SignatureTest> & {
  readonly publicKey: { readonly curve: string; readonly pk: string };
  readonly publicKeyDer: string;
};

const CURVES: Readonly<Record<string, EcCurve>> = { secp256r1: 'P-256', secp384r1: 'P-384' };

export const ECDSA_FILES: readonly [file: string, alg: SignatureAlgorithm & { type: 'ecdsa' }][] = [
  ['ecdsa_secp256r1_sha256_test.json', { type: 'ecdsa', curve: 'P-256', hash: 'SHA-256', encoding: 'der' }],
  ['ecdsa_secp384r1_sha256_test.json', { type: 'ecdsa', curve: 'P-384', hash: 'SHA-256', encoding: 'der' }],
  ['ecdsa_secp384r1_sha384_test.json', { type: 'ecdsa', curve: 'P-384', hash: 'SHA-384', encoding: 'der' }],
  ['ecdsa_secp256r1_sha256_p1363_test.json', { type: 'ecdsa', curve: 'P-256', hash: 'SHA-256', encoding: 'p1363' }],
  ['ecdsa_secp384r1_sha384_p1363_test.json', { type: 'ecdsa', curve: 'P-384', hash: 'SHA-384', encoding: 'p1363' }],
];

/**
 * Verifies every case of a group with `key` and tallies it; returns descriptions of the wrong
 * outcomes. `acceptable` decides an acceptable case (true: must verify, false: must not, undefined:
 * undecided, a failure). `onCase` sees every case with the provider's answer (provider-specific checks).
 */
export async function verifyCases(
  provider: CryptoProvider,
  alg: SignatureAlgorithm,
  key: PublicKey,
  tests: readonly SignatureTest[],
  tally: WycheproofTally,
  acceptable: (t: SignatureTest) => boolean | undefined = () => undefined,
  onCase?: (t: SignatureTest, accepted: boolean) => void,
): Promise<string[]> {
  const failures: string[] = [];
  for (const t of tests) {
    let ok: boolean;
    try {
      ok = await provider.verify(alg, key, hex(t.msg), hex(t.sig));
    } catch (e) {
      failures.push(`tcId ${t.tcId} threw ${String(e)}`);
      continue;
    }
    onCase?.(t, ok);
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

function keyMismatch(key: PublicKey, expected: PublicKey): string | undefined {
  // Field order does not matter; bytes compare as hex.
  const show = (k: PublicKey): string =>
    JSON.stringify(Object.fromEntries(Object.entries(k).sort(([a], [b]) => (a < b ? -1 : 1))), (_, v: unknown) => (v instanceof Uint8Array ? toHex(v) : typeof v === 'bigint' ? v.toString(16) : v));
  return show(key) === show(expected) ? undefined : `parseSpki gave ${show(key)}, expected ${show(expected)}`;
}

/** An ECDSA file: the groups must be of the claimed curve and hash; valid signatures verify, invalid ones (BER, bad ranges, wrong values) do not. */
export async function runEcdsaWycheproof(provider: CryptoProvider, name: string, alg: SignatureAlgorithm & { type: 'ecdsa' }): Promise<HarnessResult> {
  const file = loadWycheproof<SignatureTest>(name);
  const tally = new WycheproofTally(name);
  const failures: string[] = [];
  for (const g of file.testGroups as readonly EcdsaGroup[]) {
    // The file must be the one the algorithm claims.
    if (CURVES[g.publicKey.curve] !== alg.curve) failures.push(`group curve ${g.publicKey.curve} is not ${alg.curve}`);
    if (g.sha !== alg.hash) failures.push(`group hash ${g.sha} is not ${alg.hash}`);
    const key = parseSpki(hex(g.publicKeyDer));
    const mismatch = keyMismatch(key, { kind: 'ec', curve: alg.curve, point: hex(g.publicKey.uncompressed) });
    if (mismatch !== undefined) failures.push(mismatch);
    failures.push(...(await verifyCases(provider, alg, key, g.tests, tally)));
  }
  return { tally, numberOfTests: file.numberOfTests, failures };
}

/** ed25519_test.json: valid signatures verify; malleable, truncated and non-canonical ones do not. */
export async function runEd25519Wycheproof(provider: CryptoProvider): Promise<HarnessResult> {
  const name = 'ed25519_test.json';
  const file = loadWycheproof<SignatureTest>(name);
  const tally = new WycheproofTally(name);
  const failures: string[] = [];
  for (const g of file.testGroups as readonly EddsaGroup[]) {
    if (g.publicKey.curve !== 'edwards25519') failures.push(`group curve ${g.publicKey.curve} is not edwards25519`);
    const key = parseSpki(hex(g.publicKeyDer));
    const mismatch = keyMismatch(key, { kind: 'ed25519', key: hex(g.publicKey.pk) });
    if (mismatch !== undefined) failures.push(mismatch);
    failures.push(...(await verifyCases(provider, { type: 'ed25519' }, key, g.tests, tally)));
  }
  return { tally, numberOfTests: file.numberOfTests, failures };
}
