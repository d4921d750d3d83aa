/**
 * Wycheproof key agreement through a provider's TLS key-share API (`group(...).sharedSecret`).
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
import { CryptoError, parseSpki } from '@puretls/crypto';
import type { CryptoProvider, NamedGroupName } from '@puretls/crypto';
import { hex, toHex } from '../files.js';
import { loadWycheproof, WycheproofTally, type WycheproofTest } from '../wycheproof.js';
import type { HarnessResult } from './result.js';

interface DhTest extends WycheproofTest {
  readonly public: string;
  readonly private: string;
  readonly shared: string;
}

export const ECPOINT_FILES: readonly [file: string, group: NamedGroupName, scalarLength: number][] = [
  ['ecdh_secp256r1_ecpoint_test.json', 'secp256r1', 32],
  ['ecdh_secp384r1_ecpoint_test.json', 'secp384r1', 48],
];

export const SPKI_FILES: readonly [file: string, group: NamedGroupName, scalarLength: number][] = [
  ['ecdh_secp256r1_test.json', 'secp256r1', 32],
  ['ecdh_secp384r1_test.json', 'secp384r1', 48],
];

/** Wycheproof ECDH private keys are integers (a leading 00, or shorter): make them curve-sized. */
function scalar(hexInt: string, length: number): Uint8Array {
  return hex(BigInt(`0x${hexInt}`).toString(16).padStart(2 * length, '0'));
}

export type Outcome = { readonly shared: Uint8Array } | { readonly error: CryptoError };

/** Runs one agreement; a CryptoError is a refusal, anything else escapes and fails the test. */
export function agree(run: () => Uint8Array): Outcome {
  try {
    return { shared: run() };
  } catch (e) {
    if (e instanceof CryptoError) return { error: e };
    throw e;
  }
}

const where = (t: DhTest, o: Outcome): string =>
  `tcId ${t.tcId} [${t.result}] ${t.comment} (${t.flags.join(',')}): ${'shared' in o ? `shared ${toHex(o.shared)}` : `${o.error.code}: ${o.error.message}`}`;

/** Checks a valid case (must give `shared`) or an invalid one (must be refused); false for an acceptable case, left to the caller. */
function checkDecided(t: DhTest, o: Outcome, tally: WycheproofTally, failures: string[]): boolean {
  if (t.result === 'valid') {
    if (!('shared' in o) || toHex(o.shared) !== t.shared) failures.push(where(t, o));
    tally.valid++;
  } else if (t.result === 'invalid') {
    if ('shared' in o) failures.push(where(t, o));
    tally.invalid++;
  } else return false;
  return true;
}

/** x25519_test.json: valid and non-zero acceptable cases agree, all-zero results are refused. */
export function runX25519Wycheproof(provider: CryptoProvider): HarnessResult {
  const name = 'x25519_test.json';
  const file = loadWycheproof<DhTest>(name);
  const tally = new WycheproofTally(name);
  const group = provider.group('x25519');
  const zero = '00'.repeat(32);
  const failures: string[] = [];
  for (const g of file.testGroups) {
    for (const t of g.tests) {
      const o = agree(() => group.sharedSecret(hex(t.private), hex(t.public)));
      if (t.result === 'invalid') {
        if ('shared' in o) failures.push(where(t, o));
        tally.invalid++;
      } else if (t.shared === zero) {
        // RFC 8446 §7.4.2: a TLS endpoint aborts on the all-zero value.
        const ok = t.result === 'acceptable' && t.flags.includes('ZeroSharedSecret') && 'error' in o && o.error.code === 'ZERO_SHARED_SECRET';
        if (!ok) failures.push(where(t, o));
        tally.acceptableRejected++;
      } else {
        if (!('shared' in o) || toHex(o.shared) !== t.shared) failures.push(where(t, o));
        if (t.result === 'valid') tally.valid++;
        else tally.acceptableAccepted++;
      }
    }
  }
  return { tally, numberOfTests: file.numberOfTests, failures };
}

/** ecdh_*_ecpoint_test.json: valid cases agree, invalid and compressed points are refused. */
export function runEcPointWycheproof(provider: CryptoProvider, name: string, groupName: NamedGroupName, scalarLength: number): HarnessResult & { readonly refusedCompressed: number[] } {
  const file = loadWycheproof<DhTest>(name);
  const tally = new WycheproofTally(name);
  const group = provider.group(groupName);
  const failures: string[] = [];
  const refusedCompressed: number[] = [];
  for (const g of file.testGroups) {
    for (const t of g.tests) {
      const o = agree(() => group.sharedSecret(scalar(t.private, scalarLength), hex(t.public)));
      if (checkDecided(t, o, tally, failures)) continue;
      if (t.flags.includes('CompressedPoint')) {
        // RFC 8446 §4.2.8.2: key shares carry the uncompressed form only.
        if (!('error' in o) || o.error.code !== 'INVALID_PUBLIC_KEY') failures.push(where(t, o));
        refusedCompressed.push(t.tcId);
        tally.acceptableRejected++;
      } else {
        failures.push(`unexpected acceptable case, decide it explicitly: ${where(t, o)}`);
      }
    }
  }
  return { tally, numberOfTests: file.numberOfTests, failures, refusedCompressed };
}

/** ecdh_*_test.json: valid cases agree, invalid ones fail in parseSpki or sharedSecret. */
export function runEcSpkiWycheproof(
  provider: CryptoProvider,
  name: string,
  groupName: NamedGroupName,
  scalarLength: number,
): HarnessResult & { readonly accepted: number[]; readonly refusedCodes: Map<string, number> } {
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
        return group.sharedSecret(scalar(t.private, scalarLength), key.point);
      });
      if ('error' in o) refusedCodes.set(o.error.code, (refusedCodes.get(o.error.code) ?? 0) + 1);
      if (checkDecided(t, o, tally, failures)) continue;
      if ('shared' in o) {
        // Accepted acceptable cases must still give the right answer.
        if (toHex(o.shared) !== t.shared) failures.push(where(t, o));
        accepted.push(t.tcId);
        tally.acceptableAccepted++;
      } else {
        const expected = t.flags.includes('InvalidAsn') || t.flags.includes('UnnamedCurve');
        if (!expected) failures.push(`acceptable case refused for an undocumented reason: ${where(t, o)}`);
        tally.acceptableRejected++;
      }
    }
  }
  return { tally, numberOfTests: file.numberOfTests, failures, accepted, refusedCodes };
}
