/**
 * Wycheproof ECDSA (DER and IEEE P1363 encodings) and Ed25519 verification through the noble
 * provider's `verify`, with the harness of @puretls/test-vectors: each group's SPKI key must parse to
 * the group's raw key, valid → true, invalid → false (never an exception), no `acceptable` case.
 */
import { describe, expect, it } from 'vitest';
import { createNobleProvider } from '@puretls/crypto/noble';
import { ECDSA_FILES, runEcdsaWycheproof, runEd25519Wycheproof, vectorsAvailable, vectorsMissingReason } from '@puretls/test-vectors';

const provider = createNobleProvider();

if (!vectorsAvailable) {
  it('Wycheproof signature vectors', (ctx) => ctx.skip(vectorsMissingReason));
} else {
  describe('Wycheproof ECDSA through provider.verify', () => {
    for (const [name, alg] of ECDSA_FILES) {
      it(`${name}: valid signatures verify, invalid ones (BER, bad ranges, wrong values) do not`, async () => {
        const { tally, numberOfTests, failures } = await runEcdsaWycheproof(provider, name, alg);
        console.log(tally.summary());
        expect(failures).toEqual([]);
        expect(tally.total).toBe(numberOfTests);
      });
    }
  });

  describe('Wycheproof Ed25519 through provider.verify', () => {
    it('ed25519_test.json: valid signatures verify; malleable, truncated and non-canonical ones do not', async () => {
      const { tally, numberOfTests, failures } = await runEd25519Wycheproof(provider);
      console.log(tally.summary());
      expect(failures).toEqual([]);
      expect(tally.total).toBe(numberOfTests);
    });
  });
}
