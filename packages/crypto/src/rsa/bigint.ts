/**
 * Integer helpers for RSA on `bigint`: the octet-string conversions of RFC 8017 §4 and modular
 * arithmetic. BigInt arithmetic is variable-time; the private operation blinds its secrets
 * (see private.ts) instead of relying on these being constant-time.
 */

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

/** Number of significant bits of a non-negative integer (0 for 0). */
export function bitLength(x: bigint): number {
  if (x < 0n) throw new RangeError('bitLength: x must be non-negative');
  if (x === 0n) return 0;
  const hex = x.toString(16);
  return (hex.length - 1) * 4 + parseInt(hex[0] as string, 16).toString(2).length;
}

export function byteLength(x: bigint): number {
  return Math.ceil(bitLength(x) / 8);
}

/** RFC 8017 §4.2 OS2IP: big-endian octets to a non-negative integer. */
export function os2ip(bytes: Uint8Array): bigint {
  if (bytes.length === 0) return 0n;
  let hex = '0x';
  for (const b of bytes) hex += HEX[b] as string;
  return BigInt(hex);
}

/** RFC 8017 §4.1 I2OSP; RangeError "integer too large" when x does not fit in `length` octets. */
export function i2osp(x: bigint, length: number): Uint8Array {
  if (x < 0n) throw new RangeError('i2osp: x must be non-negative');
  const out = new Uint8Array(length);
  if (x === 0n) return out;
  const hex = x.toString(16);
  const digits = hex.length;
  if (digits > 2 * length) throw new RangeError('i2osp: integer too large');
  // Walk the hex digits from the right, two per byte.
  for (let i = length - 1, j = digits; j > 0; i--, j -= 2) {
    out[i] = parseInt(hex.slice(Math.max(0, j - 2), j), 16);
  }
  return out;
}

/** x mod m in [0, m). */
export function mod(x: bigint, m: bigint): bigint {
  const r = x % m;
  return r < 0n ? r + m : r;
}

export function gcd(a: bigint, b: bigint): bigint {
  let x = a < 0n ? -a : a;
  let y = b < 0n ? -b : b;
  while (y !== 0n) [x, y] = [y, x % y];
  return x;
}

/** a^-1 mod m by the extended Euclidean algorithm; RangeError if a is not invertible. */
export function modInverse(a: bigint, m: bigint): bigint {
  if (m <= 1n) throw new RangeError('modInverse: modulus must be > 1');
  let [oldR, r] = [mod(a, m), m];
  let [oldS, s] = [1n, 0n];
  while (r !== 0n) {
    const quotient = oldR / r;
    [oldR, r] = [r, oldR - quotient * r];
    [oldS, s] = [s, oldS - quotient * s];
  }
  if (oldR !== 1n) throw new RangeError('modInverse: not invertible');
  return mod(oldS, m);
}

/** base^exponent mod modulus: left-to-right sliding window over the exponent's bits. */
export function modPow(base: bigint, exponent: bigint, modulus: bigint): bigint {
  if (modulus <= 0n) throw new RangeError('modPow: modulus must be positive');
  if (exponent < 0n) throw new RangeError('modPow: exponent must be non-negative');
  if (modulus === 1n) return 0n;
  const b = mod(base, modulus);
  if (exponent === 0n) return 1n;
  const bits = exponent.toString(2);
  const w = bits.length > 512 ? 5 : bits.length > 128 ? 4 : bits.length > 24 ? 3 : 1;
  // Odd powers b^1, b^3, ..., b^(2^w - 1).
  const table: bigint[] = [b];
  if (w > 1) {
    const b2 = (b * b) % modulus;
    for (let i = 1; i < 1 << (w - 1); i++) table.push(((table[i - 1] as bigint) * b2) % modulus);
  }
  let result = 1n;
  let i = 0;
  while (i < bits.length) {
    if (bits[i] === '0') {
      result = (result * result) % modulus;
      i++;
      continue;
    }
    // The longest window of at most w bits starting here and ending in a 1.
    let j = Math.min(i + w, bits.length) - 1;
    while (bits[j] === '0') j--;
    for (let k = i; k <= j; k++) result = (result * result) % modulus;
    result = (result * (table[parseInt(bits.slice(i, j + 1), 2) >> 1] as bigint)) % modulus;
    i = j + 1;
  }
  return result;
}
