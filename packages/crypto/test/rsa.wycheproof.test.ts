/**
 * Wycheproof RSA signature verification (RSASSA-PSS with MGF1, RSASSA-PKCS1-v1_5), run through
 * the noble provider's `verify`, which dispatches to the bigint RSA module, with the harness of
 * @puretls/test-vectors (which decides the `acceptable` MissingNull cases: rejected). Here only, each
 * case is also given to the RSA module directly, which must agree and never throw.
 */
import { describe, expect, it } from 'vitest';
import { hex, RSA_FILES, runRsaWycheproof, vectorsAvailable, vectorsMissingReason, type RsaCase } from '@puretls/test-vectors';
import type { PublicKey, SignatureAlgorithm } from '@puretls/crypto';
import { createNobleProvider } from '@puretls/crypto/noble';
import { rsaPkcs1Verify, rsaPssVerify } from '../src/rsa/index.js';

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

describe('Wycheproof RSA signature verification', () => {
  if (!vectorsAvailable) {
    it('needs the shared test vectors', (ctx) => ctx.skip(vectorsMissingReason));
    return;
  }
  for (const file of RSA_FILES) {
    it(`agrees with every case of ${file}`, async () => {
      const agreesWithModule = ({ algorithm, key, test: t, accepted }: RsaCase): void => {
        const label = `${file} tcId ${t.tcId} (${t.comment}; ${t.flags.join(', ')})`;
        let direct: boolean;
        try {
          direct = verifyDirect(algorithm, key, hex(t.msg), hex(t.sig));
        } catch (err) {
          throw new Error(`${label}: rsa module threw ${String(err)}`);
        }
        expect(direct, `${label}: provider and rsa module disagree`).toBe(accepted);
      };
      const { tally, numberOfTests, failures, acceptable } = await runRsaWycheproof(provider, file, agreesWithModule);
      for (const a of acceptable) console.log(`${file}: acceptable tcId ${a.tcId} [${a.flags.join(', ')}] ${a.accepted ? 'accepted' : 'rejected'}`);
      console.log(tally.summary());
      expect(failures).toEqual([]);
      expect(tally.total).toBe(numberOfTests);
    });
  }
});
