/**
 * Wycheproof key agreement through the noble provider's TLS key-share API (`group(...).sharedSecret`).
 *
 * Decisions for `acceptable` cases:
 * - x25519_test.json: every case whose expected `shared` is all zero (flags LowOrderPublic /
 *   ZeroSharedSecret, 31 of them) must be refused with ZERO_SHARED_SECRET, as RFC 8446 §7.4.2 requires
 *   of a TLS endpoint. Every other acceptable case (twist points, non-canonical u >= p, public keys
 *   with the top bit set) must compute exactly `shared`: RFC 7748 §5 says implementations MUST accept
 *   non-canonical values and mask the top bit, and twist points are harmless with clamped scalars.
 * - ecdh_*_ecpoint_test.json: the TLS key_share of a NIST group is an uncompressed point only
 *   (RFC 8446 §4.2.8.2), so the acceptable "compressed public key" case (tcId 2 in both files) must be
 *   refused with INVALID_PUBLIC_KEY. There is no valid compressed case; invalid compressed ones
 *   (P-256 tcIds 349-355, P-384 tcId 790) are refused like any other invalid case.
 * - ecdh_*_test.json (SPKI): the point inside the SubjectPublicKeyInfo is re-encoded uncompressed by
 *   `parseSpki` before the key-share API, so the compressed SPKI (tcId 2) is accepted and must give
 *   `shared` (certificates may carry compressed points, RFC 5480 §2.2). The other acceptable cases are
 *   refused: BER/malformed ASN.1 (InvalidAsn) by the strict DER parser, explicit curve parameters
 *   (UnnamedCurve) as unsupported (RFC 5480 §2.1.1 allows only namedCurve). Invalid cases must fail in
 *   parseSpki or in sharedSecret — always with a CryptoError, never another exception.
 */
import { describe, expect, it } from 'vitest';
import { CryptoError, parseSpki } from '@puretls/crypto';
import { createNobleProvider } from '@puretls/crypto/noble';
import type { KeyExchangeGroup, NamedGroupName } from '@puretls/crypto';
import {
  hex,
  loadWycheproof,
  toHex,
  vectorsAvailable,
  vectorsMissingReason,
  WycheproofTally,
  type WycheproofTest,
} from '@puretls/test-vectors';

interface DhTest extends WycheproofTest {
  readonly public: string;
  readonly private: string;
  readonly shared: string;
}

const provider = createNobleProvider();

/** Wycheproof ECDH private keys are integers (a leading 00, or shorter): make them curve-sized. */
function scalar(hexInt: string, length: number): Uint8Array {
  const n = BigInt(`0x${hexInt}`);
  return hex(n.toString(16).padStart(2 * length, '0'));
}

type Outcome = { readonly shared: Uint8Array } | { readonly error: CryptoError };

/** Runs one agreement; a CryptoError is a refusal, anything else escapes and fails the test. */
function agree(run: () => Uint8Array): Outcome {
  try {
    return { shared: run() };
  } catch (e) {
    if (e instanceof CryptoError) return { error: e };
    throw e;
  }
}

function describeOutcome(o: Outcome): string {
  return 'shared' in o ? `shared ${toHex(o.shared)}` : `${o.error.code}: ${o.error.message}`;
}

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
      const file = loadWycheproof<DhTest>('x25519_test.json');
      const tally = new WycheproofTally('x25519_test.json');
      const group = provider.group('x25519');
      const zero = '00'.repeat(32);
      const failures: string[] = [];
      for (const g of file.testGroups) {
        for (const t of g.tests) {
          const o = agree(() => group.sharedSecret(hex(t.private), hex(t.public)));
          const where = `tcId ${t.tcId} [${t.result}] ${t.comment} (${t.flags.join(',')}): ${describeOutcome(o)}`;
          if (t.result === 'invalid') {
            if ('shared' in o) failures.push(where);
            tally.invalid++;
          } else if (t.shared === zero) {
            // RFC 8446 §7.4.2: a TLS endpoint aborts on the all-zero value.
            const ok = t.result === 'acceptable' && t.flags.includes('ZeroSharedSecret') && 'error' in o && o.error.code === 'ZERO_SHARED_SECRET';
            if (!ok) failures.push(where);
            tally.acceptableRejected++;
          } else {
            if (!('shared' in o) || toHex(o.shared) !== t.shared) failures.push(where);
            if (t.result === 'valid') tally.valid++;
            else tally.acceptableAccepted++;
          }
        }
      }
      console.log(tally.summary());
      expect(failures).toEqual([]);
      expect(tally.total).toBe(file.numberOfTests);
      expect(tally.acceptableRejected).toBe(31);
    });
  });

  const ECPOINT: readonly [file: string, group: NamedGroupName, scalarLength: number][] = [
    ['ecdh_secp256r1_ecpoint_test.json', 'secp256r1', 32],
    ['ecdh_secp384r1_ecpoint_test.json', 'secp384r1', 48],
  ];

  describe('Wycheproof ECDH with raw SEC1 points through the NIST key shares', () => {
    for (const [name, groupName, length] of ECPOINT) {
      it(`${name}: valid cases agree, invalid and compressed points are refused`, () => {
        const file = loadWycheproof<DhTest>(name);
        const tally = new WycheproofTally(name);
        const group: KeyExchangeGroup = provider.group(groupName);
        const failures: string[] = [];
        const refusedCompressed: number[] = [];
        for (const g of file.testGroups) {
          for (const t of g.tests) {
            const o = agree(() => group.sharedSecret(scalar(t.private, length), hex(t.public)));
            const where = `tcId ${t.tcId} [${t.result}] ${t.comment} (${t.flags.join(',')}): ${describeOutcome(o)}`;
            if (t.result === 'valid') {
              if (!('shared' in o) || toHex(o.shared) !== t.shared) failures.push(where);
              tally.valid++;
            } else if (t.result === 'invalid') {
              if ('shared' in o) failures.push(where);
              tally.invalid++;
            } else if (t.flags.includes('CompressedPoint')) {
              // RFC 8446 §4.2.8.2: key shares carry the uncompressed form only.
              if (!('error' in o) || o.error.code !== 'INVALID_PUBLIC_KEY') failures.push(where);
              refusedCompressed.push(t.tcId);
              tally.acceptableRejected++;
            } else {
              failures.push(`unexpected acceptable case, decide it explicitly: ${where}`);
            }
          }
        }
        console.log(`${tally.summary()}; compressed points refused: tcId ${refusedCompressed.join(', ')}`);
        expect(failures).toEqual([]);
        expect(refusedCompressed).toEqual([2]);
        expect(tally.total).toBe(file.numberOfTests);
      });
    }
  });

  const SPKI: readonly [file: string, group: NamedGroupName, scalarLength: number][] = [
    ['ecdh_secp256r1_test.json', 'secp256r1', 32],
    ['ecdh_secp384r1_test.json', 'secp384r1', 48],
  ];

  describe('Wycheproof ECDH with SPKI public keys through parseSpki and the NIST key shares', () => {
    for (const [name, groupName, length] of SPKI) {
      it(`${name}: valid cases agree, invalid ones fail in parseSpki or sharedSecret`, () => {
        const file = loadWycheproof<DhTest>(name);
        const tally = new WycheproofTally(name);
        const group = provider.group(groupName);
        const failures: string[] = [];
        const accepted: number[] = [];
        const refusedCodes = new Map<string, number>();
        for (const g of file.testGroups) {
          for (const t of g.tests) {
            const o = agree(() => {
              const key = parseSpki(hex(t.public));
              // Only EC keys can be key shares; anything else is refused as the TLS layer would.
              if (key.kind !== 'ec') throw new CryptoError('INVALID_PUBLIC_KEY', `not an EC key: ${key.kind}`);
              return group.sharedSecret(scalar(t.private, length), key.point);
            });
            const where = `tcId ${t.tcId} [${t.result}] ${t.comment} (${t.flags.join(',')}): ${describeOutcome(o)}`;
            if ('error' in o) refusedCodes.set(o.error.code, (refusedCodes.get(o.error.code) ?? 0) + 1);
            if (t.result === 'valid') {
              if (!('shared' in o) || toHex(o.shared) !== t.shared) failures.push(where);
              tally.valid++;
            } else if (t.result === 'invalid') {
              if ('shared' in o) failures.push(where);
              tally.invalid++;
            } else if ('shared' in o) {
              // Accepted acceptable cases must still give the right answer.
              if (toHex(o.shared) !== t.shared) failures.push(where);
              accepted.push(t.tcId);
              tally.acceptableAccepted++;
            } else {
              const expected = t.flags.includes('InvalidAsn') || t.flags.includes('UnnamedCurve');
              if (!expected) failures.push(`acceptable case refused for an undocumented reason: ${where}`);
              tally.acceptableRejected++;
            }
          }
        }
        console.log(
          `${tally.summary()}; acceptable accepted: tcId ${accepted.join(', ')}; refusals by code: ${JSON.stringify(Object.fromEntries(refusedCodes))}`,
        );
        expect(failures).toEqual([]);
        // Only the compressed SPKI point is an accepted acceptable case (see the header).
        expect(accepted).toEqual([2]);
        expect(tally.total).toBe(file.numberOfTests);
      });
    }
  });
}
