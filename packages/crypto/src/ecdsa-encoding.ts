/**
 * ECDSA signature encodings (RFC 5480 §2.2 / RFC 3279 §2.2.3 DER, IEEE 1363 r || s) and the strict
 * parse every provider applies before a verifier sees a signature. No curve code here: the Web Crypto
 * and node:crypto paths use it without loading noble's curves.
 */
import { DerReader } from './der.js';

export function bytesToBigInt(bytes: Uint8Array): bigint {
  let n = 0n;
  for (const b of bytes) n = (n << 8n) | BigInt(b);
  return n;
}

export function bigIntToBytes(n: bigint, length: number): Uint8Array {
  const out = new Uint8Array(length);
  let x = n;
  for (let i = length - 1; i >= 0; i--) {
    out[i] = Number(x & 0xffn);
    x >>= 8n;
  }
  if (x !== 0n) throw new RangeError(`integer does not fit in ${length} bytes`);
  return out;
}

/** r || s of fixed width, or undefined when the encoding or the range check fails. */
export function signatureToCompact(c: { readonly n: bigint; readonly scalarLength: number }, encoding: 'der' | 'p1363', sig: Uint8Array): Uint8Array | undefined {
  let r: bigint;
  let s: bigint;
  const L = c.scalarLength;
  if (encoding === 'p1363') {
    // IEEE 1363 / RFC 4754: exactly two fixed-width big-endian integers.
    if (sig.length !== 2 * L) return undefined;
    r = bytesToBigInt(sig.subarray(0, L));
    s = bytesToBigInt(sig.subarray(L));
  } else {
    // Ecdsa-Sig-Value ::= SEQUENCE { r INTEGER, s INTEGER } (RFC 5480 §2.2 / RFC 3279 §2.2.3).
    // Bounding the size first keeps hostile input from costing more than a few hundred bytes of work.
    if (sig.length > 2 * L + 16) return undefined;
    try {
      const outer = DerReader.over(sig);
      const seq = outer.sequence();
      outer.finish('ECDSA signature');
      r = seq.integer();
      s = seq.integer();
      seq.finish('ECDSA signature');
    } catch {
      return undefined;
    }
  }
  if (r < 1n || r >= c.n || s < 1n || s >= c.n) return undefined;
  const out = new Uint8Array(2 * L);
  out.set(bigIntToBytes(r, L), 0);
  out.set(bigIntToBytes(s, L), L);
  return out;
}
