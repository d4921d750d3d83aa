/**
 * Key agreement through the noble provider's TLS key-share API (`group(...).sharedSecret`): the API
 * contract (lengths, forms, caller errors, injected randomness), then Wycheproof X25519 and ECDH
 * (raw points and SPKI) through the harness of @puretls/test-vectors, whose module documents how
 * each `acceptable` case is decided.
 */
import { describe, expect, it } from 'vitest';
import { createNobleProvider } from '@puretls/crypto/noble';
import type { NamedGroupName } from '@puretls/crypto';
import {
  agree,
  ECPOINT_FILES,
  hex,
  runEcPointWycheproof,
  runEcSpkiWycheproof,
  runX25519Wycheproof,
  SPKI_FILES,
  toHex,
  vectorsAvailable,
  vectorsMissingReason,
} from '@puretls/test-vectors';

const provider = createNobleProvider();

// The key-share API contract beyond the vectors: lengths, forms, caller errors, injected randomness.
describe('key share API contract', () => {
  const GROUPS: readonly [NamedGroupName, number, number][] = [
    ['x25519', 32, 32],
    ['x448', 56, 56],
    ['secp256r1', 65, 32],
    ['secp384r1', 97, 48],
    ['secp521r1', 133, 66],
  ];
  for (const [name, publicLength, secretLength] of GROUPS) {
    it(`${name}: key pairs from the injected random, peer shares of the wrong size are INVALID_PUBLIC_KEY`, () => {
      let counter = 0;
      const counting = createNobleProvider({ random: (out) => void out.fill(++counter) });
      const group = counting.group(name);
      expect(group.publicKeyLength).toBe(publicLength);
      const a = group.generateKeyPair();
      const b = group.generateKeyPair();
      expect(a.publicKey.length).toBe(publicLength);
      expect(toHex(group.keyPairFromPrivateKey(a.privateKey).publicKey)).toBe(toHex(a.publicKey));
      const shared = group.sharedSecret(a.privateKey, b.publicKey);
      expect(shared.length).toBe(secretLength);
      expect(toHex(group.sharedSecret(b.privateKey, a.publicKey))).toBe(toHex(shared));
      // Same randomness, same key: nothing but `random` feeds key generation.
      counter = 0;
      expect(toHex(createNobleProvider({ random: (out) => void out.fill(++counter) }).group(name).generateKeyPair().privateKey)).toBe(
        toHex(a.privateKey),
      );
      for (const bad of [new Uint8Array(0), b.publicKey.subarray(1), new Uint8Array([...b.publicKey, 0])]) {
        const o = agree(() => group.sharedSecret(a.privateKey, bad));
        expect('error' in o && o.error.code, `length ${bad.length}`).toBe('INVALID_PUBLIC_KEY');
      }
      expect(() => group.sharedSecret(a.privateKey, [...b.publicKey] as unknown as Uint8Array)).toThrow(TypeError);
      expect(() => group.sharedSecret(a.privateKey.subarray(1), b.publicKey)).toThrow(/privateKey/);
      expect(() => group.keyPairFromPrivateKey(new Uint8Array(a.privateKey.length + 1))).toThrow(RangeError);
    });
  }

  it('NIST groups: private keys outside [1, n-1] are RangeErrors naming privateKey', () => {
    const group = provider.group('secp256r1');
    const n = hex('ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551');
    for (const d of [new Uint8Array(32), n, new Uint8Array(32).fill(0xff)]) {
      expect(() => group.keyPairFromPrivateKey(d)).toThrow(RangeError);
      expect(() => group.keyPairFromPrivateKey(d)).toThrow(/privateKey/);
    }
  });

  it('NIST groups: compressed, hybrid and identity encodings are INVALID_PUBLIC_KEY (RFC 8446 §4.2.8.2)', () => {
    const group = provider.group('secp256r1');
    const a = group.generateKeyPair();
    const b = group.generateKeyPair();
    const x = b.publicKey.subarray(1, 33);
    const yOdd = ((b.publicKey[64] as number) & 1) === 1;
    const hybrid = b.publicKey.slice();
    hybrid[0] = yOdd ? 0x07 : 0x06;
    for (const bad of [new Uint8Array([yOdd ? 3 : 2, ...x]), hybrid, Uint8Array.of(0), new Uint8Array(65)]) {
      const o = agree(() => group.sharedSecret(a.privateKey, bad));
      expect('error' in o && o.error.code, toHex(bad)).toBe('INVALID_PUBLIC_KEY');
    }
  });
});

if (!vectorsAvailable) {
  it('Wycheproof key exchange vectors', (ctx) => ctx.skip(vectorsMissingReason));
} else {
  describe('Wycheproof X25519 through the x25519 key share', () => {
    it('x25519_test.json: valid and non-zero acceptable cases agree, all-zero results are refused', () => {
      const { tally, numberOfTests, failures } = runX25519Wycheproof(provider);
      console.log(tally.summary());
      expect(failures).toEqual([]);
      expect(tally.total).toBe(numberOfTests);
      expect(tally.acceptableRejected).toBe(31);
    });
  });

  describe('Wycheproof ECDH with raw SEC1 points through the NIST key shares', () => {
    for (const [name, groupName, length] of ECPOINT_FILES) {
      it(`${name}: valid cases agree, invalid and compressed points are refused`, () => {
        const { tally, numberOfTests, failures, refusedCompressed } = runEcPointWycheproof(provider, name, groupName, length);
        console.log(`${tally.summary()}; compressed points refused: tcId ${refusedCompressed.join(', ')}`);
        expect(failures).toEqual([]);
        expect(refusedCompressed).toEqual([2]);
        expect(tally.total).toBe(numberOfTests);
      });
    }
  });

  describe('Wycheproof ECDH with SPKI public keys through parseSpki and the NIST key shares', () => {
    for (const [name, groupName, length] of SPKI_FILES) {
      it(`${name}: valid cases agree, invalid ones fail in parseSpki or sharedSecret`, () => {
        const { tally, numberOfTests, failures, accepted, refusedCodes } = runEcSpkiWycheproof(provider, name, groupName, length);
        console.log(
          `${tally.summary()}; acceptable accepted: tcId ${accepted.join(', ')}; refusals by code: ${JSON.stringify(Object.fromEntries(refusedCodes))}`,
        );
        expect(failures).toEqual([]);
        // Only the compressed SPKI point is an accepted acceptable case (see the harness).
        expect(accepted).toEqual([2]);
        expect(tally.total).toBe(numberOfTests);
      });
    }
  });
}
