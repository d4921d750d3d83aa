/**
 * Every Wycheproof AES-GCM, AES-CCM and ChaCha20-Poly1305 case through the noble provider's AEADs,
 * with the harness of @puretls/test-vectors (its module says how each kind of case is decided).
 */
import { describe, expect, it } from 'vitest';
import { AEAD_FILES, runAeadWycheproof, vectorsAvailable, vectorsMissingReason } from '@puretls/test-vectors';
import { createNobleProvider } from '@puretls/crypto/noble';

const provider = createNobleProvider();

if (!vectorsAvailable) {
  it('Wycheproof AEAD vectors', (ctx) => ctx.skip(vectorsMissingReason));
} else {
  describe('Wycheproof AEAD vectors through createNobleProvider().aead()', () => {
    for (const [file, cipher] of AEAD_FILES) {
      it(`passes every case of ${file}`, () => {
        const { tally, numberOfTests, failures } = runAeadWycheproof(provider, file, cipher);
        console.log(tally.summary());
        expect(failures).toEqual([]);
        expect(tally.total).toBe(numberOfTests);
      });
    }
  });
}
