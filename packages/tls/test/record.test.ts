import { codeAndAlertOf } from './helpers/errors.js';
import { describe, expect, it } from 'vitest';
import { loadTrace, toHex, traceValue, vectorsAvailable, vectorsMissingReason } from '@puretls/test-vectors';
import { createNobleProvider } from '@puretls/crypto/noble';
import { RecordDeframer } from '../src/record/deframer.js';
import { RecordOpener, RecordSealer, plaintextRecord } from '../src/record/protection.js';
import { fragment } from '../src/record/fragmenter.js';
import { CipherSuite } from '../src/suites.js';

const provider = createNobleProvider();
const suite = CipherSuite.TLS_AES_128_GCM_SHA256;

if (!vectorsAvailable) {
  it('RFC 8448 records', (ctx) => ctx.skip(vectorsMissingReason));
} else {
  describe('RFC 8448 §3 protected records are reproduced byte for byte and decrypted', () => {
    const trace = loadTrace('simple-1rtt');
    const keys = (side: 'client' | 'server', d: string) => ({ key: traceValue(trace, side, d, 'key expanded'), iv: traceValue(trace, side, d, 'iv expanded') });
    const serverHs = keys('server', 'derive write traffic keys for handshake data');
    const serverAp = keys('server', 'derive write traffic keys for application data');
    const clientHs = keys('server', 'derive read traffic keys for handshake data');
    const clientAp = keys('client', 'derive write traffic keys for application data');
    // [keys, side, description, nth occurrence, inner content type, sequence number]
    const cases = [
      [serverHs, 'server', 'send handshake record', 1, 22, 0n],
      [clientHs, 'client', 'send handshake record', 1, 22, 0n],
      [serverAp, 'server', 'send handshake record', 2, 22, 0n],
      [clientAp, 'client', 'send application_data record', 0, 23, 0n],
      [serverAp, 'server', 'send application_data record', 0, 23, 1n],
      [clientAp, 'client', 'send alert record', 0, 21, 1n],
      [serverAp, 'server', 'send alert record', 0, 21, 2n],
    ] as const;
    for (const [k, side, d, nth, type, seq] of cases) {
      it(`${side} ${d} #${nth}`, () => {
        const payload = traceValue(trace, side, d, 'payload', nth);
        const record = traceValue(trace, side, d, 'complete record', nth);
        const sealer = new RecordSealer(provider, suite, k);
        sealer.seq = seq;
        expect(toHex(sealer.seal(type, payload))).toBe(toHex(record));
        const opener = new RecordOpener(provider, suite, k);
        opener.seq = seq;
        const d2 = new RecordDeframer();
        for (const b of record) d2.push(Uint8Array.of(b)); // one byte at a time
        const raw = d2.next();
        expect(raw).not.toBeNull();
        const opened = opener.open(raw!.header, raw!.fragment);
        expect(opened.type).toBe(type);
        expect(toHex(opened.content)).toBe(toHex(payload));
      });
    }
    it('the cleartext ClientHello record is reproduced', () => {
      const payload = traceValue(trace, 'client', 'send handshake record', 'payload');
      expect(toHex(plaintextRecord(22, payload, 0x0301))).toBe(toHex(traceValue(trace, 'client', 'send handshake record', 'complete record')));
    });
  });
}

describe('record layer', () => {
  const k = { key: new Uint8Array(16).fill(7), iv: new Uint8Array(12).fill(9) };
  it('round-trips with padding, and every single-byte flip fails with bad_record_mac', () => {
    const s = new RecordSealer(provider, suite, k);
    const rec = s.seal(23, Uint8Array.of(1, 2, 3), 10);
    expect(rec.length).toBe(5 + 3 + 1 + 10 + 16);
    const o = new RecordOpener(provider, suite, k);
    expect(Array.from(o.open(rec.subarray(0, 5), rec.subarray(5)).content)).toEqual([1, 2, 3]);
    for (let i = 0; i < rec.length; i++) {
      const bad = rec.slice();
      bad[i] = (bad[i] as number) ^ 0x01;
      const o2 = new RecordOpener(provider, suite, k);
      expect(codeAndAlertOf(() => o2.open(bad.subarray(0, 5), bad.subarray(5)))).toEqual(['BAD_RECORD_MAC', 'bad_record_mac']);
    }
  });
  it('the nonce is iv XOR the 64-bit sequence number on both sides of 2^32 (RFC 8446 §5.3), checked with node:crypto', async () => {
    const { createDecipheriv } = await import('node:crypto');
    const iv = Uint8Array.from({ length: 12 }, (_, i) => 0xa0 + i);
    for (const seq of [0n, 1n, 0xfffffffen, 0xffffffffn, 0x100000000n, 0x123456789abcn, 0xfffffffffffffffen]) {
      const s = new RecordSealer(provider, suite, { key: k.key, iv });
      s.seq = seq;
      const rec = s.seal(23, Uint8Array.of(42));
      const nonce = iv.slice();
      for (let i = 0; i < 8; i++) nonce[11 - i] = (nonce[11 - i] as number) ^ Number((seq >> BigInt(8 * i)) & 0xffn);
      const d = createDecipheriv('aes-128-gcm', k.key, nonce);
      d.setAAD(rec.subarray(0, 5));
      d.setAuthTag(rec.subarray(rec.length - 16));
      expect(Array.from(Buffer.concat([d.update(rec.subarray(5, rec.length - 16)), d.final()]))).toEqual([42, 23]);
    }
  });
  it('refuses a record with only padding (no content type)', () => {
    const s = new RecordSealer(provider, suite, k);
    // Content type 0 then padding: the inner plaintext is all zeros.
    const rec = s.seal(0, new Uint8Array(0), 4);
    expect(codeAndAlertOf(() => new RecordOpener(provider, suite, k).open(rec.subarray(0, 5), rec.subarray(5)))).toEqual(['NO_CONTENT_TYPE', 'unexpected_message']);
  });
  it('refuses an inner plaintext over 2^14+1 with record_overflow', () => {
    const aead = provider.aead('AES-128-GCM').create(k.key);
    const inner = new Uint8Array((1 << 14) + 2);
    inner[0] = 23;
    const len = inner.length + 16;
    const header = Uint8Array.of(23, 3, 3, len >> 8, len & 0xff);
    const ct = aead.seal(k.iv, inner, header);
    expect(codeAndAlertOf(() => new RecordOpener(provider, suite, k).open(header, ct))).toEqual(['RECORD_OVERFLOW', 'record_overflow']);
  });
  it('deframer refuses a header announcing more than 2^14+256 bytes, and unknown content types', () => {
    const d = new RecordDeframer();
    d.push(Uint8Array.of(23, 3, 3, 0x41, 0x01));
    expect(codeAndAlertOf(() => d.next())).toEqual(['RECORD_OVERFLOW', 'record_overflow']);
    const d2 = new RecordDeframer();
    d2.push(Uint8Array.of(24, 3, 3, 0, 1, 0));
    expect(codeAndAlertOf(() => d2.next())).toEqual(['UNKNOWN_CONTENT_TYPE', 'unexpected_message']);
  });
  it('deframer yields coalesced records and waits for split ones', () => {
    const d = new RecordDeframer();
    const a = plaintextRecord(22, Uint8Array.of(1, 2));
    const b = plaintextRecord(21, Uint8Array.of(2, 40));
    const all = new Uint8Array([...a, ...b]);
    d.push(all.subarray(0, 3));
    expect(d.next()).toBeNull();
    d.push(all.subarray(3));
    expect(d.next()?.type).toBe(22);
    expect(Array.from(d.next()?.fragment ?? [])).toEqual([2, 40]);
    expect(d.next()).toBeNull();
    expect(d.buffered).toBe(0);
  });
  it('fragmenter splits at the limit', () => {
    expect(fragment(new Uint8Array(40000), 1 << 14).map((f) => f.length)).toEqual([16384, 16384, 7232]);
    expect(fragment(new Uint8Array(0), 10).length).toBe(1);
  });
});
