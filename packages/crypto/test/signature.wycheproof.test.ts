/**
 * Wycheproof ECDSA (DER and IEEE P1363 encodings) and Ed25519 verification through the noble
 * provider's `verify`. Each group's key is read with `parseSpki(publicKeyDer)` and must equal the
 * raw key of the group (the uncompressed point / `pk`), then every case is verified with it:
 * valid → true, invalid → false (never an exception). These files have no `acceptable` cases; one
 * would fail the test until it is decided explicitly.
 */
import { describe, expect, it } from 'vitest';
import { parseSpki } from '@puretls/crypto';
import type { PublicKey, SignatureAlgorithm } from '@puretls/crypto';
import { createNobleProvider } from '@puretls/crypto/noble';
import {
  hex,
  loadWycheproof,
  vectorsAvailable,
  vectorsMissingReason,
  WycheproofTally,
  type WycheproofGroup,
  type WycheproofTest,
} from '@puretls/test-vectors';

interface SigTest extends WycheproofTest {
  readonly msg: string;
  readonly sig: string;
}

type EcdsaGroup = WycheproofGroup<SigTest> & {
  readonly publicKey: { readonly curve: string; readonly uncompressed: string };
  readonly publicKeyDer: string;
  readonly sha: string;
};

type EddsaGroup = WycheproofGroup<SigTest> & {
  readonly publicKey: { readonly curve: string; readonly pk: string };
  readonly publicKeyDer: string;
};

const provider = createNobleProvider();

const CURVES: Readonly<Record<string, 'P-256' | 'P-384'>> = { secp256r1: 'P-256', secp384r1: 'P-384' };

const ECDSA_FILES: readonly [file: string, alg: SignatureAlgorithm & { type: 'ecdsa' }][] = [
  ['ecdsa_secp256r1_sha256_test.json', { type: 'ecdsa', curve: 'P-256', hash: 'SHA-256', encoding: 'der' }],
  ['ecdsa_secp384r1_sha256_test.json', { type: 'ecdsa', curve: 'P-384', hash: 'SHA-256', encoding: 'der' }],
  ['ecdsa_secp384r1_sha384_test.json', { type: 'ecdsa', curve: 'P-384', hash: 'SHA-384', encoding: 'der' }],
  ['ecdsa_secp256r1_sha256_p1363_test.json', { type: 'ecdsa', curve: 'P-256', hash: 'SHA-256', encoding: 'p1363' }],
  ['ecdsa_secp384r1_sha384_p1363_test.json', { type: 'ecdsa', curve: 'P-384', hash: 'SHA-384', encoding: 'p1363' }],
];

/** Verifies every case of a group with `key`; returns descriptions of the wrong outcomes. */
async function verifyGroup(
  alg: SignatureAlgorithm,
  key: PublicKey,
  tests: readonly SigTest[],
  tally: WycheproofTally,
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
    const where = `tcId ${t.tcId} [${t.result}] ${t.comment} (${t.flags.join(',')}): verify gave ${ok}`;
    if (t.result === 'valid') {
      if (!ok) failures.push(where);
      tally.valid++;
    } else if (t.result === 'invalid') {
      if (ok) failures.push(where);
      tally.invalid++;
    } else {
      failures.push(`undecided acceptable case: ${where}`);
      if (ok) tally.acceptableAccepted++;
      else tally.acceptableRejected++;
    }
  }
  return failures;
}

if (!vectorsAvailable) {
  it('Wycheproof signature vectors', (ctx) => ctx.skip(vectorsMissingReason));
} else {
  describe('Wycheproof ECDSA through provider.verify', () => {
    for (const [name, alg] of ECDSA_FILES) {
      it(`${name}: valid signatures verify, invalid ones (BER, bad ranges, wrong values) do not`, async () => {
        const file = loadWycheproof<SigTest>(name);
        const tally = new WycheproofTally(name);
        const failures: string[] = [];
        for (const g of file.testGroups as readonly EcdsaGroup[]) {
          // The file must be the one the algorithm claims.
          expect(CURVES[g.publicKey.curve]).toBe(alg.curve);
          expect(g.sha).toBe(alg.hash);
          const key = parseSpki(hex(g.publicKeyDer));
          expect(key).toEqual({ kind: 'ec', curve: alg.curve, point: hex(g.publicKey.uncompressed) });
          failures.push(...(await verifyGroup(alg, key, g.tests, tally)));
        }
        console.log(tally.summary());
        expect(failures).toEqual([]);
        expect(tally.total).toBe(file.numberOfTests);
      });
    }
  });

  describe('Wycheproof Ed25519 through provider.verify', () => {
    it('ed25519_test.json: valid signatures verify; malleable, truncated and non-canonical ones do not', async () => {
      const name = 'ed25519_test.json';
      const file = loadWycheproof<SigTest>(name);
      const tally = new WycheproofTally(name);
      const failures: string[] = [];
      for (const g of file.testGroups as readonly EddsaGroup[]) {
        expect(g.publicKey.curve).toBe('edwards25519');
        const key = parseSpki(hex(g.publicKeyDer));
        expect(key).toEqual({ kind: 'ed25519', key: hex(g.publicKey.pk) });
        failures.push(...(await verifyGroup({ type: 'ed25519' }, key, g.tests, tally)));
      }
      console.log(tally.summary());
      expect(failures).toEqual([]);
      expect(tally.total).toBe(file.numberOfTests);
    });
  });
}
