/**
 * Every Wycheproof AES-GCM, AES-CCM and ChaCha20-Poly1305 case through the noble provider's AEADs.
 * A group whose parameters the provider refuses (RangeError) may only hold `invalid` cases; a valid
 * case must seal to exactly ct || tag (also in place, at an unaligned offset) and open back; an
 * invalid case must fail to open (null) or be refused with a RangeError.
 */
import { describe, expect, it } from 'vitest';
import {
  hex,
  loadWycheproof,
  toHex,
  vectorsAvailable,
  vectorsMissingReason,
  WycheproofTally,
  type WycheproofGroup,
  type WycheproofTest,
} from '@puretls/test-vectors';
import { createNobleProvider } from '@puretls/crypto/noble';
import type { Aead, AeadAlgorithm, AeadSpec } from '@puretls/crypto';

interface AeadTest extends WycheproofTest {
  readonly key: string;
  readonly iv: string;
  readonly aad: string;
  readonly msg: string;
  readonly ct: string;
  readonly tag: string;
}

type AeadGroup = WycheproofGroup<AeadTest> & { readonly keySize: number; readonly ivSize: number; readonly tagSize: number };

const provider = createNobleProvider();

const FILES: readonly [file: string, cipher: AeadSpec['cipher']][] = [
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

function checkValid(aead: Aead, t: AeadTest): void {
  const [iv, msg, aad] = [hex(t.iv), hex(t.msg), hex(t.aad)];
  const sealed = hex(t.ct + t.tag);
  const where = `tcId ${t.tcId} (${t.comment})`;
  expect(toHex(aead.seal(iv, msg, aad)), where).toBe(t.ct + t.tag);
  const plain = aead.open(iv, sealed, aad);
  expect(plain === null ? null : toHex(plain), where).toBe(t.msg);
  // In place, 3 bytes into a buffer: the record layer's use of `output`.
  const buf = new Uint8Array(3 + sealed.length);
  buf.set(msg, 3);
  const inPlace = aead.seal(iv, buf.subarray(3, 3 + msg.length), aad, buf.subarray(3));
  expect(toHex(inPlace), where).toBe(t.ct + t.tag);
  const opened = aead.open(iv, buf.subarray(3), aad, buf.subarray(3));
  expect(opened === null ? null : toHex(opened), where).toBe(t.msg);
}

/** The case must be refused (RangeError) or fail to open. */
function checkInvalid(aead: Aead, t: AeadTest): void {
  const where = `tcId ${t.tcId} (${t.comment})`;
  const opened = unlessRefused(() => aead.open(hex(t.iv), hex(t.ct + t.tag), hex(t.aad)));
  expect(opened ?? null, where).toBeNull();
}

function runFile(file: string, cipher: AeadSpec['cipher']): WycheproofTally {
  const data = loadWycheproof<AeadTest>(file);
  const tally = new WycheproofTally(file);
  for (const g of data.testGroups as readonly AeadGroup[]) {
    const spec: AeadSpec = { cipher, keyLength: g.keySize / 8, nonceLength: g.ivSize / 8, tagLength: g.tagSize / 8 };
    const algorithm: AeadAlgorithm | undefined = unlessRefused(() => provider.aead(spec));
    if (algorithm === undefined) {
      // Refused parameters: the group may only hold cases that must fail.
      for (const t of g.tests) expect(t.result, `${file} tcId ${t.tcId}: refused spec ${JSON.stringify(spec)}`).toBe('invalid');
      tally.invalid += g.tests.length;
      continue;
    }
    for (const t of g.tests) {
      const aead = unlessRefused(() => algorithm.create(hex(t.key)));
      if (t.result === 'valid') {
        expect(aead, `tcId ${t.tcId}: key refused`).toBeDefined();
        checkValid(aead as Aead, t);
        tally.valid++;
      } else if (t.result === 'invalid') {
        if (aead !== undefined) checkInvalid(aead, t);
        tally.invalid++;
      } else {
        // No `acceptable` case in these files today; if one appears, opening must give msg or fail.
        const opened = aead && unlessRefused(() => aead.open(hex(t.iv), hex(t.ct + t.tag), hex(t.aad)));
        if (opened) {
          expect(toHex(opened), `tcId ${t.tcId}`).toBe(t.msg);
          tally.acceptableAccepted++;
        } else tally.acceptableRejected++;
      }
    }
  }
  expect(tally.total).toBe(data.numberOfTests);
  return tally;
}

if (!vectorsAvailable) {
  it('Wycheproof AEAD vectors', (ctx) => ctx.skip(vectorsMissingReason));
} else {
  describe('Wycheproof AEAD vectors through createNobleProvider().aead()', () => {
    for (const [file, cipher] of FILES) {
      it(`passes every case of ${file}`, () => {
        const tally = runFile(file, cipher);
        console.log(tally.summary());
      });
    }
  });
}

