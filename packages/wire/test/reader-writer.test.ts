import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { DecodeError, Reader, Writer } from '@puretls/wire';

/** A small structure in the TLS presentation language, to drive round trips through every codec. */
type Field =
  | { t: 'u8' | 'u16' | 'u24' | 'u32'; v: number }
  | { t: 'u64'; v: bigint }
  | { t: 'vec8' | 'vec16' | 'vec24'; v: Uint8Array; min: number; max: number }
  | { t: 'nested16'; v: Field[] };

const leaf: fc.Arbitrary<Field> = fc.oneof(
  fc.integer({ min: 0, max: 0xff }).map((v) => ({ t: 'u8' as const, v })),
  fc.integer({ min: 0, max: 0xffff }).map((v) => ({ t: 'u16' as const, v })),
  fc.integer({ min: 0, max: 0xffffff }).map((v) => ({ t: 'u24' as const, v })),
  fc.integer({ min: 0, max: 0xffffffff }).map((v) => ({ t: 'u32' as const, v })),
  fc.bigInt({ min: 0n, max: 0xffffffffffffffffn }).map((v) => ({ t: 'u64' as const, v })),
  fc.uint8Array({ minLength: 1, maxLength: 40 }).map((v) => ({ t: 'vec8' as const, v, min: 1, max: 0xff })),
  fc.uint8Array({ maxLength: 300 }).map((v) => ({ t: 'vec16' as const, v, min: 0, max: 0xffff })),
  fc.uint8Array({ minLength: 2, maxLength: 300 }).map((v) => ({ t: 'vec24' as const, v, min: 2, max: 0xffffff })),
);
const field: fc.Arbitrary<Field> = fc.oneof(
  { weight: 4, arbitrary: leaf },
  { weight: 1, arbitrary: fc.array(leaf, { minLength: 1, maxLength: 5 }).map((v) => ({ t: 'nested16' as const, v })) },
);
const structure = fc.array(field, { minLength: 1, maxLength: 8 });

function write(w: Writer, fields: readonly Field[]): void {
  for (const f of fields) {
    switch (f.t) {
      case 'u8': w.u8(f.v); break;
      case 'u16': w.u16(f.v); break;
      case 'u24': w.u24(f.v); break;
      case 'u32': w.u32(f.v); break;
      case 'u64': w.u64(f.v); break;
      case 'vec8': w.vec8(f.v, f.min, f.max); break;
      case 'vec16': w.vec16(f.v, f.min, f.max); break;
      case 'vec24': w.vec24(f.v, f.min, f.max); break;
      case 'nested16': w.vector16((inner) => write(inner, f.v), 1); break;
    }
  }
}

function read(r: Reader, shape: readonly Field[]): Field[] {
  return shape.map((f): Field => {
    switch (f.t) {
      case 'u8': return { t: 'u8', v: r.u8() };
      case 'u16': return { t: 'u16', v: r.u16() };
      case 'u24': return { t: 'u24', v: r.u24() };
      case 'u32': return { t: 'u32', v: r.u32() };
      case 'u64': return { t: 'u64', v: r.u64() };
      case 'vec8': return { ...f, v: r.vec8(f.min, f.max) };
      case 'vec16': return { ...f, v: r.vec16(f.min, f.max) };
      case 'vec24': return { ...f, v: r.vec24(f.min, f.max) };
      case 'nested16': return { t: 'nested16', v: r.nested(2, 1, 0xffff, (sub) => read(sub, f.v)) };
    }
  });
}

function parseAll(bytes: Uint8Array, shape: readonly Field[]): Field[] {
  const r = new Reader(bytes);
  const out = read(r, shape);
  r.end();
  return out;
}

describe('Reader/Writer property tests', () => {
  it('round-trips every structure', () => {
    fc.assert(
      fc.property(structure, (s) => {
        const w = new Writer(1);
        write(w, s);
        expect(parseAll(w.finish(), s)).toEqual(s);
      }),
      { numRuns: 500 },
    );
  });

  it('no strict prefix of a valid encoding parses', () => {
    fc.assert(
      fc.property(structure, fc.nat(), (s, cut) => {
        const w = new Writer();
        write(w, s);
        const bytes = w.finish();
        const prefix = bytes.subarray(0, cut % bytes.length);
        expect(() => parseAll(prefix, s)).toThrow(DecodeError);
      }),
      { numRuns: 500 },
    );
  });

  it('a valid encoding with trailing bytes is refused by end()', () => {
    fc.assert(
      fc.property(structure, fc.uint8Array({ minLength: 1, maxLength: 4 }), (s, extra) => {
        const w = new Writer();
        write(w, s);
        w.bytes(extra);
        expect(() => parseAll(w.finish(), s)).toThrow(DecodeError);
      }),
      { numRuns: 200 },
    );
  });

  it('arbitrary bytes never escape as anything but DecodeError', () => {
    fc.assert(
      fc.property(structure, fc.uint8Array({ maxLength: 64 }), (s, junk) => {
        try {
          parseAll(junk, s);
        } catch (e) {
          expect(e).toBeInstanceOf(DecodeError);
        }
      }),
      { numRuns: 500 },
    );
  });
});

describe('Reader', () => {
  it('reads big-endian integers', () => {
    const r = new Reader(new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 0xff, 0xff, 0xff, 0xff]));
    expect(r.u8()).toBe(1);
    expect(r.u16()).toBe(0x0203);
    expect(r.u24()).toBe(0x040506);
    expect(r.u32()).toBe(0x0708090a);
    expect(r.u32()).toBe(0xffffffff);
    expect(r.atEnd).toBe(true);
  });

  it('refuses reads past the end with DecodeError (code DECODE_ERROR)', () => {
    const r = new Reader(new Uint8Array([0]));
    expect(() => r.u16()).toThrow(DecodeError);
    try {
      r.u24();
    } catch (e) {
      expect((e as DecodeError).code).toBe('DECODE_ERROR');
    }
    expect(r.u8()).toBe(0);
    expect(() => r.u8()).toThrow(DecodeError);
    expect(() => r.bytes(1)).toThrow(DecodeError);
  });

  it('enforces vector bounds declared by the RFC', () => {
    // opaque legacy_session_id<0..32> with 33 bytes
    const tooLong = new Uint8Array([33, ...new Uint8Array(33)]);
    expect(() => new Reader(tooLong).vec8(0, 32)).toThrow(/outside 0\.\.32/);
    // opaque random_bytes<1..2^8-1> empty
    expect(() => new Reader(new Uint8Array([0])).vec8(1)).toThrow(DecodeError);
    // a length that runs past the end
    expect(() => new Reader(new Uint8Array([0, 5, 1, 2])).vec16()).toThrow(/truncated/);
    expect(() => new Reader(new Uint8Array([0, 0, 9, 1])).vec24()).toThrow(DecodeError);
  });

  it('keeps sub-readers inside their body', () => {
    const r = new Reader(new Uint8Array([0, 2, 0xaa, 0xbb, 0xcc]));
    const sub = r.sub16();
    expect(sub.u8()).toBe(0xaa);
    expect(() => sub.end()).toThrow(/1 trailing byte/);
    expect(sub.u8()).toBe(0xbb);
    expect(() => sub.u8()).toThrow(DecodeError); // 0xcc belongs to the outer reader
    expect(r.u8()).toBe(0xcc);
  });

  it('nested() requires the body to be consumed exactly', () => {
    const bytes = new Uint8Array([3, 1, 2, 3]);
    expect(() => new Reader(bytes).nested(1, 0, 255, (s) => s.u16())).toThrow(/trailing/);
    expect(new Reader(bytes).nested(1, 0, 255, (s) => s.list((x) => x.u8()))).toEqual([1, 2, 3]);
  });

  it('returns views, not copies', () => {
    const data = new Uint8Array([2, 9, 8]);
    const v = new Reader(data).vec8();
    expect(v.buffer).toBe(data.buffer);
    expect(Array.from(v)).toEqual([9, 8]);
  });

  it('names bad constructor arguments', () => {
    expect(() => new Reader([1, 2] as unknown as Uint8Array)).toThrow(TypeError);
    expect(() => new Reader(new Uint8Array(2), 3)).toThrow(RangeError);
  });
});

describe('Writer', () => {
  it('patches length prefixes after the body', () => {
    const w = new Writer(2);
    w.vector16((x) => x.u8(1).vector8((y) => y.bytes(new Uint8Array([7, 7]))));
    expect(Array.from(w.finish())).toEqual([0, 4, 1, 2, 7, 7]);
  });

  it('refuses values that do not fit and vectors outside their bounds', () => {
    expect(() => new Writer().u8(256)).toThrow(RangeError);
    expect(() => new Writer().u16(-1)).toThrow(RangeError);
    expect(() => new Writer().u24(2 ** 24)).toThrow(RangeError);
    expect(() => new Writer().u32(1.5)).toThrow(RangeError);
    expect(() => new Writer().vec8(new Uint8Array(256))).toThrow(RangeError);
    expect(() => new Writer().vec8(new Uint8Array(0), 1)).toThrow(/outside 1\.\.255/);
    expect(() => new Writer().vec16(new Uint8Array(33), 0, 32)).toThrow(RangeError);
  });

  it('grows past its initial capacity', () => {
    const w = new Writer(1);
    const big = new Uint8Array(70000).fill(5);
    w.vec24(big);
    const out = w.finish();
    expect(out.length).toBe(70003);
    expect(new Reader(out).vec24()).toEqual(big);
  });
});
