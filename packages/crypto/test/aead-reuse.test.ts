/**
 * One keyed AEAD serving a whole connection: many seal/open calls on a single create(), with a
 * different nonce, length and AAD each time (as the record layer does with its per-record nonces),
 * stay correct — each result equals node:crypto's for that message alone, so no state (CTR counter,
 * GHASH accumulator, J0, tag mask, scratch buffers) leaks from one message into the next. Covered:
 * sealing and opening into reused buffers, in place at unaligned offsets, failed opens in between
 * (which must leave no plaintext in `output` and must not disturb later calls), 16 KiB records, and GCM nonces
 * other than 96 bits (the GHASH-derived J0 path).
 */
import * as nodeCrypto from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { toHex } from '@puretls/test-vectors';
import type { AeadName, AeadSpec } from '@puretls/crypto';
import { createNobleProvider } from '@puretls/crypto/noble';

const provider = createNobleProvider();

interface Case {
  readonly label: string;
  readonly spec: AeadName | AeadSpec;
  readonly node: string;
}

const CASES: readonly Case[] = [
  { label: 'AES-128-GCM', spec: 'AES-128-GCM', node: 'aes-128-gcm' },
  { label: 'AES-256-GCM', spec: 'AES-256-GCM', node: 'aes-256-gcm' },
  { label: 'CHACHA20-POLY1305', spec: 'CHACHA20-POLY1305', node: 'chacha20-poly1305' },
  { label: 'AES-128-CCM', spec: 'AES-128-CCM', node: 'aes-128-ccm' },
  { label: 'AES-128-CCM-8', spec: 'AES-128-CCM-8', node: 'aes-128-ccm' },
  { label: 'AES-192-GCM, 16-byte nonce', spec: { cipher: 'AES-GCM', keyLength: 24, nonceLength: 16, tagLength: 16 }, node: 'aes-192-gcm' },
  { label: 'AES-128-GCM, 8-byte nonce', spec: { cipher: 'AES-GCM', keyLength: 16, nonceLength: 8, tagLength: 16 }, node: 'aes-128-gcm' },
];

function nodeSeal(node: string, tagLength: number, key: Uint8Array, nonce: Uint8Array, plaintext: Uint8Array, aad: Uint8Array): string {
  const e = nodeCrypto.createCipheriv(node as nodeCrypto.CipherCCMTypes, key, nonce, { authTagLength: tagLength });
  e.setAAD(aad, { plaintextLength: plaintext.length });
  return Buffer.concat([e.update(plaintext), e.final(), e.getAuthTag()]).toString('hex');
}

interface Message {
  readonly nonce: Uint8Array;
  readonly plaintext: Uint8Array;
  readonly aad: Uint8Array;
  readonly offset: number;
  readonly tamper: number; // < 0: none; otherwise the bit to flip in a copy, opened before the real one
}

const message = (nonceLength: number): fc.Arbitrary<Message> =>
  fc.record({
    nonce: fc.uint8Array({ minLength: nonceLength, maxLength: nonceLength }),
    plaintext: fc.oneof(fc.uint8Array({ maxLength: 80 }), fc.uint8Array({ minLength: 200, maxLength: 1100 })),
    aad: fc.uint8Array({ maxLength: 40 }),
    offset: fc.nat(7),
    tamper: fc.integer({ min: -1, max: 5000 }),
  });

describe('one create() for many messages', () => {
  for (const c of CASES) {
    it(`${c.label}: every message matches node:crypto, in reused buffers, in place, with failed opens in between`, () => {
      const algorithm = provider.aead(c.spec);
      const { tagLength, nonceLength, keyLength } = algorithm;
      fc.assert(
        fc.property(fc.uint8Array({ minLength: keyLength, maxLength: keyLength }), fc.array(message(nonceLength), { minLength: 2, maxLength: 10 }), (key, messages) => {
          const aead = algorithm.create(key);
          // Reused across messages, as a record layer reuses its record buffers.
          const sealBuf = new Uint8Array(1100 + tagLength);
          const openBuf = new Uint8Array(1100);
          const work = new Uint8Array(8 + 1100 + tagLength);
          for (const m of messages) {
            const expected = nodeSeal(c.node, tagLength, key, m.nonce, m.plaintext, m.aad);

            const sealed = aead.seal(m.nonce, m.plaintext, m.aad, sealBuf);
            expect(toHex(sealed)).toBe(expected);

            if (m.tamper >= 0) {
              const bad = sealed.slice();
              const bit = m.tamper % (8 * bad.length);
              bad[bit >> 3] = (bad[bit >> 3] as number) ^ (1 << (bit & 7));
              openBuf.fill(0x5c);
              expect(aead.open(m.nonce, bad, m.aad, openBuf)).toBeNull();
              // No plaintext written: GCM and ChaCha20-Poly1305 verify before decrypting and leave
              // `output` untouched; CCM must decrypt to verify and wipes it to zeros.
              const n = bad.length - tagLength;
              const touched = openBuf.subarray(0, n);
              expect(touched.every((v) => v === 0x5c) || touched.every((v) => v === 0)).toBe(true);
              expect(openBuf.subarray(n).every((v) => v === 0x5c)).toBe(true);
            }

            const opened = aead.open(m.nonce, sealed, m.aad, openBuf);
            expect(opened === null ? null : toHex(opened)).toBe(toHex(m.plaintext));

            // In place at an arbitrary offset of a larger buffer, then back.
            const region = work.subarray(m.offset, m.offset + m.plaintext.length + tagLength);
            region.set(m.plaintext);
            const inPlace = aead.seal(m.nonce, region.subarray(0, m.plaintext.length), m.aad, region);
            expect(toHex(inPlace)).toBe(expected);
            const back = aead.open(m.nonce, inPlace, m.aad, inPlace);
            expect(back === null ? null : toHex(back)).toBe(toHex(m.plaintext));
          }
        }),
        { numRuns: 25 },
      );
    });
  }

  it('AES-128-GCM and CHACHA20-POLY1305: a run of 16 KiB records with record-layer nonces (IV XOR sequence number)', () => {
    for (const [name, node] of [
      ['AES-128-GCM', 'aes-128-gcm'],
      ['CHACHA20-POLY1305', 'chacha20-poly1305'],
    ] as const) {
      const algorithm = provider.aead(name);
      const key = Uint8Array.from({ length: algorithm.keyLength }, (_, i) => i * 29 + 3);
      const iv = Uint8Array.from({ length: 12 }, (_, i) => i * 53 + 1);
      const aead = algorithm.create(key);
      const record = new Uint8Array(5 + 16384 + 16); // header || body || tag, the body at an odd offset
      const body = record.subarray(5, 5 + 16384);
      const sealed = record.subarray(5);
      const nonce = new Uint8Array(12);
      for (let seq = 0; seq < 6; seq++) {
        // RFC 8446 §5.3: the 64-bit sequence number, left-padded, XORed into the IV.
        nonce.set(iv);
        nonce[11] = (nonce[11] as number) ^ seq;
        const aad = Uint8Array.of(23, 3, 3, 0x40, 0x11);
        record.set(aad);
        for (let i = 0; i < body.length; i++) body[i] = (i * (seq + 7)) & 0xff;
        const plain = body.slice();
        aead.seal(nonce, body, aad, sealed);
        expect(toHex(sealed), `${name} record ${seq}`).toBe(nodeSeal(node, 16, key, nonce, plain, aad));
        expect(aead.open(nonce, sealed, aad, body)).not.toBeNull();
        expect(toHex(body)).toBe(toHex(plain));
      }
    }
  });
});
