/**
 * Wycheproof HKDF (RFC 5869) through a provider's `hkdfExtract` then `hkdfExpand`. The only invalid
 * kind in these files is an output longer than RFC 5869 §2.3 allows (SizeTooLarge): it must throw a
 * RangeError. There is no `acceptable` case; one would be a failure until decided here.
 */
import type { CryptoProvider, HashName } from '@puretls/crypto';
import { hex, toHex } from '../files.js';
import { loadWycheproof, WycheproofTally, type WycheproofTest } from '../wycheproof.js';
import type { HarnessResult } from './result.js';

interface HkdfTest extends WycheproofTest {
  readonly ikm: string;
  readonly salt: string;
  readonly info: string;
  readonly size: number;
  readonly okm: string;
}

export const HKDF_FILES: readonly [file: string, hash: HashName][] = [
  ['hkdf_sha256_test.json', 'SHA-256'],
  ['hkdf_sha384_test.json', 'SHA-384'],
];

export function runHkdfWycheproof(provider: CryptoProvider, file: string, hash: HashName): HarnessResult {
  const data = loadWycheproof<HkdfTest>(file);
  const tally = new WycheproofTally(file);
  const failures: string[] = [];
  const hashLength = provider.hash(hash).outputLength;
  for (const g of data.testGroups) {
    for (const t of g.tests) {
      const where = `${file} tcId ${t.tcId} (${t.comment})`;
      const derive = (): Uint8Array => provider.hkdfExpand(hash, provider.hkdfExtract(hash, hex(t.salt), hex(t.ikm)), hex(t.info), t.size);
      if (t.result === 'valid') {
        const okm = toHex(derive());
        if (okm !== t.okm) failures.push(`${where}: gave ${okm}`);
        tally.valid++;
      } else if (t.result === 'invalid') {
        if (t.flags.length !== 1 || t.flags[0] !== 'SizeTooLarge') failures.push(`${where}: unexpected flags ${t.flags.join(',')}`);
        if (!(t.size > 255 * hashLength)) failures.push(`${where}: size ${t.size} is not above 255 * HashLen`);
        let thrown: unknown;
        try {
          derive();
        } catch (e) {
          thrown = e;
        }
        if (!(thrown instanceof RangeError)) failures.push(`${where}: expected a RangeError, got ${thrown === undefined ? 'a result' : String(thrown)}`);
        tally.invalid++;
      } else {
        failures.push(`${where}: no acceptable case expected in ${file}`);
        tally.acceptableRejected++;
      }
    }
  }
  return { tally, numberOfTests: data.numberOfTests, failures };
}
