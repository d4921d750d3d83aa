/**
 * The Wycheproof suites of packages/crypto's tests (aead, kex, signature, rsa, hkdf), run through the
 * node:crypto provider with the same harnesses of @puretls/test-vectors, whose modules document how
 * each `acceptable` case is decided (X25519 all-zero results refused, compressed key-share points
 * refused, the compressed SPKI point accepted, RSA MissingNull rejected).
 */
import { describe, expect, it } from 'vitest';
import {
  AEAD_FILES,
  ECDSA_FILES,
  ECPOINT_FILES,
  HKDF_FILES,
  RSA_FILES,
  runAeadWycheproof,
  runEcdsaWycheproof,
  runEcPointWycheproof,
  runEcSpkiWycheproof,
  runEd25519Wycheproof,
  runHkdfWycheproof,
  runRsaWycheproof,
  runX25519Wycheproof,
  SPKI_FILES,
  vectorsAvailable,
  vectorsMissingReason,
} from '@puretls/test-vectors';
import type { CryptoProvider } from '@puretls/crypto';
import { createNodeProvider } from '@puretls/node/provider';

const provider: CryptoProvider = createNodeProvider();

if (!vectorsAvailable) {
  it('Wycheproof vectors through the node:crypto provider', (ctx) => ctx.skip(vectorsMissingReason));
} else {
  describe('node:crypto provider: Wycheproof AEAD', () => {
    for (const [file, cipher] of AEAD_FILES) {
      it(`passes every case of ${file}`, () => {
        const { tally, numberOfTests, failures } = runAeadWycheproof(provider, file, cipher);
        console.log(tally.summary());
        expect(failures).toEqual([]);
        expect(tally.total).toBe(numberOfTests);
      });
    }
  });

  describe('node:crypto provider: Wycheproof key exchange', () => {
    it('x25519_test.json: valid and non-zero acceptable cases agree, all-zero results are refused', () => {
      const { tally, numberOfTests, failures } = runX25519Wycheproof(provider);
      console.log(tally.summary());
      expect(failures).toEqual([]);
      expect(tally.total).toBe(numberOfTests);
      expect(tally.acceptableRejected).toBe(31);
    });

    for (const [name, groupName, length] of ECPOINT_FILES) {
      it(`${name}: valid cases agree, invalid and compressed points are refused`, () => {
        const { tally, numberOfTests, failures, refusedCompressed } = runEcPointWycheproof(provider, name, groupName, length);
        console.log(`${tally.summary()}; compressed points refused: tcId ${refusedCompressed.join(', ')}`);
        expect(failures).toEqual([]);
        expect(refusedCompressed).toEqual([2]);
        expect(tally.total).toBe(numberOfTests);
      });
    }

    for (const [name, groupName, length] of SPKI_FILES) {
      it(`${name}: valid cases agree, invalid ones fail in parseSpki or sharedSecret`, () => {
        const { tally, numberOfTests, failures, accepted } = runEcSpkiWycheproof(provider, name, groupName, length);
        console.log(`${tally.summary()}; acceptable accepted: tcId ${accepted.join(', ')}`);
        expect(failures).toEqual([]);
        expect(accepted).toEqual([2]);
        expect(tally.total).toBe(numberOfTests);
      });
    }
  });

  describe('node:crypto provider: Wycheproof signatures', () => {
    for (const [name, alg] of ECDSA_FILES) {
      it(`${name}: valid signatures verify, invalid ones do not`, async () => {
        const { tally, numberOfTests, failures } = await runEcdsaWycheproof(provider, name, alg);
        console.log(tally.summary());
        expect(failures).toEqual([]);
        expect(tally.total).toBe(numberOfTests);
      });
    }

    it('ed25519_test.json: valid signatures verify; malleable, truncated and non-canonical ones do not', async () => {
      const { tally, numberOfTests, failures } = await runEd25519Wycheproof(provider);
      console.log(tally.summary());
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

  describe('node:crypto provider: Wycheproof HKDF', () => {
    for (const [name, hash] of HKDF_FILES) {
      it(`passes every case of ${name}`, () => {
        const { tally, numberOfTests, failures } = runHkdfWycheproof(provider, name, hash);
        console.log(tally.summary());
        expect(failures).toEqual([]);
        expect(tally.total).toBe(numberOfTests);
      });
    }
  });
}
