/**
 * AES-GCM of the noble provider over the buffers a record layer uses, against node:crypto: records
 * at different (unaligned) offsets of one shared buffer, in place and not, alternating with other
 * buffers — GHASH reads long inputs through a DataView cached per ArrayBuffer (ghash.ts), so a cache
 * hit with another view's offset, and a switch back and forth between buffers, must not change a tag.
 */
import { createCipheriv } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { toHex } from '@puretls/test-vectors';
import { createNobleProvider } from '@puretls/crypto/noble';

const provider = createNobleProvider();

function nodeSeal(key: Uint8Array, nonce: Uint8Array, aad: Uint8Array, plaintext: Uint8Array): string {
  const c = createCipheriv(key.length === 16 ? 'aes-128-gcm' : 'aes-256-gcm', key, nonce, { authTagLength: 16 });
  c.setAAD(aad);
  return toHex(new Uint8Array([...c.update(plaintext), ...c.final(), ...c.getAuthTag()]));
}

const pattern = (length: number, seed: number): Uint8Array => Uint8Array.from({ length }, (_, i) => (i * 31 + seed * 7 + (i >> 5)) & 0xff);

describe('AES-GCM records in shared and alternating buffers', () => {
  for (const keyLength of [16, 32]) {
    it(`AES-${keyLength * 8}-GCM: in place at offsets 5..12 of one buffer, then in a second buffer`, () => {
      const key = pattern(keyLength, 1);
      const aead = provider.aead(keyLength === 16 ? 'AES-128-GCM' : 'AES-256-GCM').create(key);
      const shared = new Uint8Array(4096 + 64);
      const other = new Uint8Array(4096 + 64);
      for (let r = 0; r < 16; r++) {
        const buffer = r % 4 === 3 ? other : shared;
        const offset = 5 + (r % 8);
        const length = 64 + 97 * r; // partial final blocks, ≥ 4 blocks (the DataView path)
        const plaintext = pattern(length, r);
        const nonce = pattern(12, 100 + r);
        const aad = buffer.subarray(offset - 5, offset); // the record header, in the same buffer
        aad.set([23, 3, 3, (length + 16) >> 8, (length + 16) & 0xff]);
        const body = buffer.subarray(offset, offset + length + 16);
        body.set(plaintext);
        const expected = nodeSeal(key, nonce, aad, plaintext);
        aead.seal(nonce, body.subarray(0, length), aad, body);
        expect(toHex(body)).toBe(expected);
        // Open from the shared buffer into a fresh one, then in place.
        const opened = aead.open(nonce, body, aad);
        expect(opened === null ? null : toHex(opened)).toBe(toHex(plaintext));
        expect(aead.open(nonce, body, aad, body)).not.toBeNull();
        expect(toHex(body.subarray(0, length))).toBe(toHex(plaintext));
      }
    });
  }

  it('a tag computed after another buffer was hashed still rejects a flipped bit', () => {
    const key = pattern(16, 9);
    const aead = provider.aead('AES-128-GCM').create(key);
    const nonce = pattern(12, 3);
    const aad = Uint8Array.of(23, 3, 3, 1, 16);
    const a = aead.seal(nonce, pattern(256, 1), aad);
    const b = aead.seal(nonce, pattern(256, 2), aad);
    expect(aead.open(nonce, a, aad)).not.toBeNull();
    b[100] = (b[100] as number) ^ 1;
    expect(aead.open(nonce, b, aad)).toBeNull();
    expect(aead.open(nonce, a, aad)).not.toBeNull();
  });
});
