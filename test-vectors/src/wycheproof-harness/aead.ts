/**
 * Wycheproof AES-GCM, AES-CCM and ChaCha20-Poly1305 through a provider's `aead()`. A group whose
 * parameters the provider refuses (RangeError) may only hold `invalid` cases; a valid case must seal
 * to exactly ct || tag (also in place, at an unaligned offset) and open back; an invalid case must
 * fail to open (null) or be refused with a RangeError. These files have no `acceptable` case; if one
 * appears, opening must give msg or fail.
 */
import type { Aead, AeadAlgorithm, AeadSpec, CryptoProvider } from '@puretls/crypto';
import { hex, toHex } from '../files.js';
import { loadWycheproof, WycheproofTally, type WycheproofGroup, type WycheproofTest } from '../wycheproof.js';
import type { HarnessResult } from './result.js';

interface AeadTest extends WycheproofTest {
  readonly key: string;
  readonly iv: string;
  readonly aad: string;
  readonly msg: string;
  readonly ct: string;
  readonly tag: string;
}

type AeadGroup = WycheproofGroup<AeadTest> & { readonly keySize: number; readonly ivSize: number; readonly tagSize: number };

export const AEAD_FILES: readonly [file: string, cipher: AeadSpec['cipher']][] = [
  ['aes_gcm_test.json', 'AES-GCM'],
  ['aes_ccm_test.json', 'AES-CCM'],
  ['chacha20_poly1305_test.json', 'CHACHA20-POLY1305'],
];

/** Runs `fn`; a RangeError (the provider refusing an argument) gives undefined, anything else propagates. */
function unlessRefused<T>(fn: () => T): T | undefined {
  try {
    return fn();
  } catch (e) {
    if (e instanceof RangeError) return undefined;
    throw e;
  }
}

const shown = (b: Uint8Array | null): string | null => (b === null ? null : toHex(b));

function checkValid(aead: Aead, t: AeadTest, failures: string[]): void {
  const [iv, msg, aad] = [hex(t.iv), hex(t.msg), hex(t.aad)];
  const sealed = hex(t.ct + t.tag);
  const where = `tcId ${t.tcId} (${t.comment})`;
  const check = (what: string, got: string | null, want: string): void => {
    if (got !== want) failures.push(`${where}: ${what} gave ${got}, expected ${want}`);
  };
  check('seal', toHex(aead.seal(iv, msg, aad)), t.ct + t.tag);
  check('open', shown(aead.open(iv, sealed, aad)), t.msg);
  // In place, 3 bytes into a buffer: the record layer's use of `output`.
  const buf = new Uint8Array(3 + sealed.length);
  buf.set(msg, 3);
  check('seal in place', toHex(aead.seal(iv, buf.subarray(3, 3 + msg.length), aad, buf.subarray(3))), t.ct + t.tag);
  check('open in place', shown(aead.open(iv, buf.subarray(3), aad, buf.subarray(3))), t.msg);
}

export function runAeadWycheproof(provider: CryptoProvider, file: string, cipher: AeadSpec['cipher']): HarnessResult {
  const data = loadWycheproof<AeadTest>(file);
  const tally = new WycheproofTally(file);
  const failures: string[] = [];
  for (const g of data.testGroups as readonly AeadGroup[]) {
    const spec: AeadSpec = { cipher, keyLength: g.keySize / 8, nonceLength: g.ivSize / 8, tagLength: g.tagSize / 8 };
    const algorithm: AeadAlgorithm | undefined = unlessRefused(() => provider.aead(spec));
    if (algorithm === undefined) {
      // Refused parameters: the group may only hold cases that must fail.
      for (const t of g.tests) if (t.result !== 'invalid') failures.push(`${file} tcId ${t.tcId}: refused spec ${JSON.stringify(spec)} for a ${t.result} case`);
      tally.invalid += g.tests.length;
      continue;
    }
    for (const t of g.tests) {
      const aead = unlessRefused(() => algorithm.create(hex(t.key)));
      if (t.result === 'valid') {
        if (aead === undefined) failures.push(`tcId ${t.tcId}: key refused`);
        else checkValid(aead, t, failures);
        tally.valid++;
      } else if (t.result === 'invalid') {
        // The case must be refused (RangeError) or fail to open.
        const opened = aead && unlessRefused(() => aead.open(hex(t.iv), hex(t.ct + t.tag), hex(t.aad)));
        if (opened) failures.push(`tcId ${t.tcId} (${t.comment}): opened to ${toHex(opened)}`);
        tally.invalid++;
      } else {
        const opened = aead && unlessRefused(() => aead.open(hex(t.iv), hex(t.ct + t.tag), hex(t.aad)));
        if (opened) {
          if (toHex(opened) !== t.msg) failures.push(`tcId ${t.tcId}: acceptable case opened to ${toHex(opened)}`);
          tally.acceptableAccepted++;
        } else tally.acceptableRejected++;
      }
    }
  }
  return { tally, numberOfTests: data.numberOfTests, failures };
}
