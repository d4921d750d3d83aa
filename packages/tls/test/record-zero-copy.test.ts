import { describe, expect, it } from 'vitest';
import { createNobleProvider } from '@puretls/crypto/noble';
import { RecordDeframer } from '../src/record/deframer.js';
import { RecordOutput } from '../src/record/output.js';
import { RecordOpener, RecordSealer, plaintextRecord } from '../src/record/protection.js';
import { CipherSuite } from '../src/suites.js';
import { ContentType } from '../src/constants.js';

// The record path without per-record copies: the deframer reads the caller's chunk in place until
// release(), the output seals the records of one write into one buffer, the opener hands back its own bytes.
const provider = createNobleProvider();
const suite = CipherSuite.TLS_CHACHA20_POLY1305_SHA256;
const keys = { key: new Uint8Array(32).fill(7), iv: new Uint8Array(12).fill(9) };

/** A deterministic generator (no Math.random in tests that must reproduce). */
function lcg(seed: number): (n: number) => number {
  let s = seed;
  return (n) => {
    s = (Math.imul(s, 1103515245) + 12345) & 0x7fffffff;
    return s % n;
  };
}

describe('deframer: borrowed chunks', () => {
  it('yields every record byte for byte from any chunking, and release() detaches it from the caller’s bytes', () => {
    const rnd = lcg(42);
    for (let iter = 0; iter < 300; iter++) {
      const records: Uint8Array[] = [];
      for (let i = 0, n = 1 + rnd(6); i < n; i++) {
        const body = new Uint8Array(rnd(3) === 0 ? rnd(16384) : rnd(40));
        for (let j = 0; j < body.length; j++) body[j] = rnd(256);
        records.push(plaintextRecord(ContentType.application_data, body));
      }
      const all = new Uint8Array(records.reduce((a, r) => a + r.length, 0));
      records.reduce((at, r) => (all.set(r, at), at + r.length), 0);
      const d = new RecordDeframer();
      const got: Uint8Array[] = [];
      for (let at = 0; at < all.length; ) {
        const n = 1 + rnd(rnd(2) === 0 ? 20 : 40000);
        const chunk = all.slice(at, at + n);
        at += n;
        d.push(chunk);
        for (let r = d.next(); r !== null; r = d.next()) got.push(Uint8Array.from([...r.header, ...r.fragment]));
        d.release();
        chunk.fill(0xee); // the caller reuses its buffer: what is still buffered must not change
      }
      expect(got.length).toBe(records.length);
      got.forEach((g, i) => expect(g).toEqual(records[i]));
      expect(d.buffered).toBe(0);
    }
  });

  it('reads whole records in place: no copy of a chunk that holds only whole records', () => {
    const a = plaintextRecord(ContentType.handshake, Uint8Array.of(1, 2, 3));
    const b = plaintextRecord(ContentType.alert, Uint8Array.of(2, 40));
    const chunk = new Uint8Array([...a, ...b]);
    const d = new RecordDeframer();
    d.push(chunk);
    expect(d.buffered).toBe(chunk.length);
    const r = d.next();
    expect(r?.fragment.buffer).toBe(chunk.buffer);
    expect(Array.from(r?.fragment ?? [])).toEqual([1, 2, 3]);
    expect(d.next()?.type).toBe(ContentType.alert);
    expect(d.next()).toBeNull();
  });

  it('keeps a buffer the size of what it had to keep: a small leftover record does not cost a maximal one', () => {
    // A ticket record behind the server's Finished, left while the client verifies the certificate.
    const d = new RecordDeframer();
    const ticket = plaintextRecord(ContentType.application_data, new Uint8Array(150).fill(1));
    d.push(new Uint8Array([...plaintextRecord(ContentType.handshake, Uint8Array.of(1, 2, 3)), ...ticket]));
    expect(d.next()?.type).toBe(ContentType.handshake);
    d.release();
    expect(d.capacity).toBe(ticket.length);
    expect(Array.from(d.next()?.fragment ?? [])).toEqual(Array.from(ticket.subarray(5)));
    // A partial maximal record still gets room for all of it, in a few doublings at most.
    const n = 16384 + 256; // a maximal TLSCiphertext
    const big = new Uint8Array(5 + n);
    big.set([ContentType.application_data, 3, 3, n >> 8, n & 0xff]);
    for (let at = 0; at < big.length; at += 4000) {
      d.push(big.slice(at, at + 4000));
      if (at + 4000 < big.length) expect(d.next()).toBeNull();
      d.release();
    }
    expect(d.next()?.fragment.length).toBe(16384 + 256);
    expect(d.capacity).toBeLessThanOrEqual(2 * big.length);
  });

  it('still refuses an oversized header after a partial record', () => {
    const d = new RecordDeframer();
    d.push(Uint8Array.of(23, 3, 3));
    d.release();
    d.push(Uint8Array.of(0x41, 0x01, 0, 0));
    expect(() => d.next()).toThrow(/exceeds 2\^14\+256/);
  });
});

describe('output: the records of one write in one buffer', () => {
  it('is byte for byte the records seal() makes one at a time, padding included', () => {
    const data = new Uint8Array(3 * 16384 + 1000).map((_, i) => i & 0xff);
    for (const padding of [undefined, (_t: number, len: number) => len % 7]) {
      const out = new RecordOutput(padding);
      out.setWriter(new RecordSealer(provider, suite, keys));
      let at = 0;
      at = out.records(ContentType.application_data, data, at, 2); // the record limit cuts the batch
      expect(at).toBe(2 * 16384);
      at = out.records(ContentType.application_data, data, at, 100);
      expect(at).toBe(data.length);
      const first = out.pull();
      const ref = new RecordSealer(provider, suite, keys);
      const expected = [0, 1, 2, 3].map((i) => {
        const content = data.subarray(i * 16384, Math.min(data.length, (i + 1) * 16384));
        // The output caps padding so the inner plaintext stays within 2^14 (+1 for the type).
        const pad = padding === undefined ? 0 : Math.min(padding(ContentType.application_data, content.length), 16384 - content.length);
        return ref.seal(ContentType.application_data, content, pad);
      });
      const joined = new Uint8Array(expected.reduce((a, r) => a + r.length, 0));
      expected.reduce((o, r) => (joined.set(r, o), o + r.length), 0);
      expect(first).toEqual(joined);
      expect(out.pull()).toBeNull();
      // And they open.
      const opener = new RecordOpener(provider, suite, keys);
      const d = new RecordDeframer();
      d.push(first as Uint8Array);
      const back: number[] = [];
      for (let r = d.next(); r !== null; r = d.next()) back.push(...opener.open(r.header, r.fragment).content);
      expect(new Uint8Array(back)).toEqual(data);
    }
  });

  it('a single write yields one buffer from pull(), without concatenation', () => {
    const out = new RecordOutput(undefined);
    out.setWriter(new RecordSealer(provider, suite, keys));
    out.records(ContentType.application_data, new Uint8Array(40000), 0, 1000);
    const pulled = out.pull() as Uint8Array;
    // The records' own buffer: nothing after them, and before them only the 3 bytes that put the
    // first record's body on a 4-byte boundary (for AEADs that work a word at a time).
    expect(pulled.byteOffset).toBe(3);
    expect(pulled.buffer.byteLength).toBe(pulled.length + 3);
    expect((pulled.byteOffset + 5) % 4).toBe(0);
  });
});

describe('opener', () => {
  it('returns content that is not a view of the record it was given', () => {
    const sealer = new RecordSealer(provider, suite, keys);
    const opener = new RecordOpener(provider, suite, keys);
    const rec = sealer.seal(ContentType.application_data, Uint8Array.of(5, 6, 7));
    const opened = opener.open(rec.subarray(0, 5), rec.subarray(5));
    expect(opened.content.buffer).not.toBe(rec.buffer);
    rec.fill(0);
    expect(Array.from(opened.content)).toEqual([5, 6, 7]);
  });
});
