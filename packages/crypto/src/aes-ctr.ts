/**
 * AES encryption (FIPS 197) for AES-GCM's counter mode (aead.ts): one block (`encryptBlock`, for H)
 * and GCTR with a 32-bit counter (`ctr32`, NIST SP 800-38D §6.5). Decryption is never needed by CTR.
 * The key schedule is noble's (`unsafe.expandKeyLE`); the rounds are ours, written for the CTR loop:
 *
 * - the whole CTR loop is one function: no call, result object or array write per block apart from
 *   the output bytes, the state in locals;
 * - one 4 KiB T-table (T0..T3 back to back) instead of noble's two 256 KiB merged tables, read
 *   through a local alias: V8 re-reads a module-level `const` used directly, and checks it for TDZ
 *   ("the hole"), at each use inside the loop, which made the loop ≈ 20% slower;
 * - counter-mode caching (Bernstein & Schwabe, "New AES software speed records", 2008): only byte 15
 *   of the counter block changes between 256 consecutive blocks, so the first round is a single
 *   lookup per block and the second four, the other 27 lookups being computed once per 256 blocks.
 * Measured on Node 20 over 16 KiB (AES-128): ≈ 72 µs against ≈ 118 µs for noble's `unsafe.encrypt`
 * in the same loop; without the caching ≈ 87 µs.
 *
 * Words are noble's: state column j is bytes 4j..4j+3 as a little-endian 32-bit word, and so are the
 * round keys. Constant time: no. T-table lookups are indexed by key-dependent state bytes, so a
 * co-resident attacker observing cache lines can learn about the key; noble's AES has the same
 * property (with larger tables), and ghash.ts documents why we accept it. Where timing side channels
 * matter, use the accelerated provider (hardware AES).
 */
import { unsafe } from '@noble/ciphers/aes.js';

/** S-box (FIPS 197 §5.1.1) by the multiplicative inverse and the affine map, as noble builds it. */
function sbox(): Uint8Array {
  const mul2 = (n: number): number => ((n << 1) ^ (0x11b & -(n >> 7))) & 0xff;
  const powers = new Uint8Array(256); // powers of the generator {03}
  for (let i = 0, x = 1; i < 256; i++, x ^= mul2(x)) powers[i] = x;
  const box = new Uint8Array(256);
  box[0] = 0x63;
  for (let i = 0; i < 255; i++) {
    let x = powers[255 - i] as number; // the inverse of powers[i]
    x |= x << 8;
    box[powers[i] as number] = (x ^ (x >> 4) ^ (x >> 5) ^ (x >> 6) ^ (x >> 7) ^ 0x63) & 0xff;
  }
  return box;
}

/**
 * T[256i + b]: SubBytes then MixColumns (FIPS 197 §5.1.3) of byte b in row i of a column, i.e. the
 * column {02}s, {01}s, {01}s, {03}s rotated down by i rows, as a little-endian word.
 */
const TABLE: Int32Array = /* @__PURE__ */ (() => {
  const box = sbox();
  const t = new Int32Array(1024);
  for (let b = 0; b < 256; b++) {
    const s = box[b] as number;
    const s2 = ((s << 1) ^ (0x11b & -(s >> 7))) & 0xff;
    let w = ((s2 ^ s) << 24) | (s << 16) | (s << 8) | s2;
    for (let i = 0; i < 4; i++, w = (w << 8) | (w >>> 24)) t[256 * i + b] = w;
  }
  return t;
})();

/** The encryption round keys (FIPS 197 §5.2) for a 16-, 24- or 32-byte key, as 32-bit words. */
export function expandKey(key: Uint8Array): Int32Array {
  const xk = unsafe.expandKeyLE(key);
  const rk = new Int32Array(xk);
  xk.fill(0);
  return rk;
}

/** out[0..16) = CIPH_K(input[0..16)) (FIPS 197 §5.1), `rk` from expandKey(). */
export function encryptBlock(rk: Int32Array, input: Uint8Array, out: Uint8Array): void {
  const T = TABLE;
  const le = (i: number): number =>
    (input[i] as number) | ((input[i + 1] as number) << 8) | ((input[i + 2] as number) << 16) | ((input[i + 3] as number) << 24);
  let s0 = le(0) ^ (rk[0] as number);
  let s1 = le(4) ^ (rk[1] as number);
  let s2 = le(8) ^ (rk[2] as number);
  let s3 = le(12) ^ (rk[3] as number);
  const last = rk.length - 4;
  let k = 4;
  for (; k < last; k += 4) {
    const t0 = (rk[k] as number) ^ (T[s0 & 0xff] as number) ^ (T[256 | ((s1 >>> 8) & 0xff)] as number) ^ (T[512 | ((s2 >>> 16) & 0xff)] as number) ^ (T[768 | (s3 >>> 24)] as number);
    const t1 = (rk[k + 1] as number) ^ (T[s1 & 0xff] as number) ^ (T[256 | ((s2 >>> 8) & 0xff)] as number) ^ (T[512 | ((s3 >>> 16) & 0xff)] as number) ^ (T[768 | (s0 >>> 24)] as number);
    const t2 = (rk[k + 2] as number) ^ (T[s2 & 0xff] as number) ^ (T[256 | ((s3 >>> 8) & 0xff)] as number) ^ (T[512 | ((s0 >>> 16) & 0xff)] as number) ^ (T[768 | (s1 >>> 24)] as number);
    const t3 = (rk[k + 3] as number) ^ (T[s3 & 0xff] as number) ^ (T[256 | ((s0 >>> 8) & 0xff)] as number) ^ (T[512 | ((s1 >>> 16) & 0xff)] as number) ^ (T[768 | (s2 >>> 24)] as number);
    s0 = t0;
    s1 = t1;
    s2 = t2;
    s3 = t3;
  }
  putLE(out, 0, (rk[k] as number) ^ finalRound(s0, s1, s2, s3));
  putLE(out, 4, (rk[k + 1] as number) ^ finalRound(s1, s2, s3, s0));
  putLE(out, 8, (rk[k + 2] as number) ^ finalRound(s2, s3, s0, s1));
  putLE(out, 12, (rk[k + 3] as number) ^ finalRound(s3, s0, s1, s2));
}

/**
 * The last round's SubBytes and ShiftRows for one column (no MixColumns): the S-box value of a byte
 * sits in the T-table word where its coefficient is {01}, i.e. in byte i of T2, T3, T0, T1 for row i.
 */
function finalRound(a: number, b: number, c: number, d: number): number {
  const T = TABLE;
  return (
    ((T[512 | (a & 0xff)] as number) & 0xff) |
    ((T[768 | ((b >>> 8) & 0xff)] as number) & 0xff00) |
    ((T[(c >>> 16) & 0xff] as number) & 0xff0000) |
    ((T[256 | (d >>> 24)] as number) & 0xff000000)
  );
}

function putLE(out: Uint8Array, at: number, w: number): void {
  out[at] = w;
  out[at + 1] = w >>> 8;
  out[at + 2] = w >>> 16;
  out[at + 3] = w >>> 24;
}

const bswap32 = (x: number): number => ((x & 0xff) << 24) | ((x & 0xff00) << 8) | ((x >>> 8) & 0xff00) | (x >>> 24);

/**
 * GCTR_K(CB, src[0..n)) into dst[0..n) (SP 800-38D §6.5), CB = c0 c1 c2 (little-endian words of
 * bytes 0..11) || ctr (big-endian); inc32 wraps. Byte-wise, so any alignment works and dst may be
 * src itself (each byte is read before it is written). The final partial block uses the leftmost
 * bytes of its keystream block.
 */
export function ctr32(rk: Int32Array, c0: number, c1: number, c2: number, ctr: number, src: Uint8Array, dst: Uint8Array, n: number): void {
  const T = TABLE; // a local: no hole check or reload of the module binding per use
  const last = rk.length - 4;
  // After the first AddRoundKey, columns 0..2 never change; column 3 differs only in byte 15, the
  // counter's low byte.
  const x0 = c0 ^ (rk[0] as number);
  const x1 = c1 ^ (rk[1] as number);
  const x2 = c2 ^ (rk[2] as number);
  const k3 = rk[3] as number;
  let i = 0;
  while (i < n) {
    // A run of blocks that share counter bytes 12..14: round 1 is all fixed but the lookup of byte
    // 15 in column 0 (a0 ^ T3[..]), so in round 2 each column has one varying lookup (d0..d3 ^ ..).
    const x3 = bswap32(ctr) ^ k3;
    const a0 = (rk[4] as number) ^ (T[x0 & 0xff] as number) ^ (T[256 | ((x1 >>> 8) & 0xff)] as number) ^ (T[512 | ((x2 >>> 16) & 0xff)] as number);
    const t1 = (rk[5] as number) ^ (T[x1 & 0xff] as number) ^ (T[256 | ((x2 >>> 8) & 0xff)] as number) ^ (T[512 | ((x3 >>> 16) & 0xff)] as number) ^ (T[768 | (x0 >>> 24)] as number);
    const t2 = (rk[6] as number) ^ (T[x2 & 0xff] as number) ^ (T[256 | ((x3 >>> 8) & 0xff)] as number) ^ (T[512 | ((x0 >>> 16) & 0xff)] as number) ^ (T[768 | (x1 >>> 24)] as number);
    const t3 = (rk[7] as number) ^ (T[x3 & 0xff] as number) ^ (T[256 | ((x0 >>> 8) & 0xff)] as number) ^ (T[512 | ((x1 >>> 16) & 0xff)] as number) ^ (T[768 | (x2 >>> 24)] as number);
    const d0 = (rk[8] as number) ^ (T[256 | ((t1 >>> 8) & 0xff)] as number) ^ (T[512 | ((t2 >>> 16) & 0xff)] as number) ^ (T[768 | (t3 >>> 24)] as number);
    const d1 = (rk[9] as number) ^ (T[t1 & 0xff] as number) ^ (T[256 | ((t2 >>> 8) & 0xff)] as number) ^ (T[512 | ((t3 >>> 16) & 0xff)] as number);
    const d2 = (rk[10] as number) ^ (T[t2 & 0xff] as number) ^ (T[256 | ((t3 >>> 8) & 0xff)] as number) ^ (T[768 | (t1 >>> 24)] as number);
    const d3 = (rk[11] as number) ^ (T[t3 & 0xff] as number) ^ (T[512 | ((t1 >>> 16) & 0xff)] as number) ^ (T[768 | (t2 >>> 24)] as number);
    const kb = k3 >>> 24;
    let end = i + ((256 - (ctr & 0xff)) << 4);
    if (end > n) end = n;
    for (; i < end; i += 16) {
      const t0 = a0 ^ (T[768 | ((ctr & 0xff) ^ kb)] as number);
      ctr = (ctr + 1) >>> 0;
      let s0 = d0 ^ (T[t0 & 0xff] as number);
      let s1 = d1 ^ (T[768 | (t0 >>> 24)] as number);
      let s2 = d2 ^ (T[512 | ((t0 >>> 16) & 0xff)] as number);
      let s3 = d3 ^ (T[256 | ((t0 >>> 8) & 0xff)] as number);
      let k = 12;
      for (; k < last; k += 4) {
        const u0 = (rk[k] as number) ^ (T[s0 & 0xff] as number) ^ (T[256 | ((s1 >>> 8) & 0xff)] as number) ^ (T[512 | ((s2 >>> 16) & 0xff)] as number) ^ (T[768 | (s3 >>> 24)] as number);
        const u1 = (rk[k + 1] as number) ^ (T[s1 & 0xff] as number) ^ (T[256 | ((s2 >>> 8) & 0xff)] as number) ^ (T[512 | ((s3 >>> 16) & 0xff)] as number) ^ (T[768 | (s0 >>> 24)] as number);
        const u2 = (rk[k + 2] as number) ^ (T[s2 & 0xff] as number) ^ (T[256 | ((s3 >>> 8) & 0xff)] as number) ^ (T[512 | ((s0 >>> 16) & 0xff)] as number) ^ (T[768 | (s1 >>> 24)] as number);
        const u3 = (rk[k + 3] as number) ^ (T[s3 & 0xff] as number) ^ (T[256 | ((s0 >>> 8) & 0xff)] as number) ^ (T[512 | ((s1 >>> 16) & 0xff)] as number) ^ (T[768 | (s2 >>> 24)] as number);
        s0 = u0;
        s1 = u1;
        s2 = u2;
        s3 = u3;
      }
      // Final round (finalRound() written out: this is the hot loop).
      // prettier-ignore
      const o0 = (rk[k] as number) ^ (((T[512 | (s0 & 0xff)] as number) & 0xff) | ((T[768 | ((s1 >>> 8) & 0xff)] as number) & 0xff00) | ((T[(s2 >>> 16) & 0xff] as number) & 0xff0000) | ((T[256 | (s3 >>> 24)] as number) & 0xff000000));
      // prettier-ignore
      const o1 = (rk[k + 1] as number) ^ (((T[512 | (s1 & 0xff)] as number) & 0xff) | ((T[768 | ((s2 >>> 8) & 0xff)] as number) & 0xff00) | ((T[(s3 >>> 16) & 0xff] as number) & 0xff0000) | ((T[256 | (s0 >>> 24)] as number) & 0xff000000));
      // prettier-ignore
      const o2 = (rk[k + 2] as number) ^ (((T[512 | (s2 & 0xff)] as number) & 0xff) | ((T[768 | ((s3 >>> 8) & 0xff)] as number) & 0xff00) | ((T[(s0 >>> 16) & 0xff] as number) & 0xff0000) | ((T[256 | (s1 >>> 24)] as number) & 0xff000000));
      // prettier-ignore
      const o3 = (rk[k + 3] as number) ^ (((T[512 | (s3 & 0xff)] as number) & 0xff) | ((T[768 | ((s0 >>> 8) & 0xff)] as number) & 0xff00) | ((T[(s1 >>> 16) & 0xff] as number) & 0xff0000) | ((T[256 | (s2 >>> 24)] as number) & 0xff000000));
      if (i + 16 <= n) {
        // prettier-ignore
        {
          dst[i] = (src[i] as number) ^ o0; dst[i + 1] = (src[i + 1] as number) ^ (o0 >>> 8);
          dst[i + 2] = (src[i + 2] as number) ^ (o0 >>> 16); dst[i + 3] = (src[i + 3] as number) ^ (o0 >>> 24);
          dst[i + 4] = (src[i + 4] as number) ^ o1; dst[i + 5] = (src[i + 5] as number) ^ (o1 >>> 8);
          dst[i + 6] = (src[i + 6] as number) ^ (o1 >>> 16); dst[i + 7] = (src[i + 7] as number) ^ (o1 >>> 24);
          dst[i + 8] = (src[i + 8] as number) ^ o2; dst[i + 9] = (src[i + 9] as number) ^ (o2 >>> 8);
          dst[i + 10] = (src[i + 10] as number) ^ (o2 >>> 16); dst[i + 11] = (src[i + 11] as number) ^ (o2 >>> 24);
          dst[i + 12] = (src[i + 12] as number) ^ o3; dst[i + 13] = (src[i + 13] as number) ^ (o3 >>> 8);
          dst[i + 14] = (src[i + 14] as number) ^ (o3 >>> 16); dst[i + 15] = (src[i + 15] as number) ^ (o3 >>> 24);
        }
      } else {
        for (let j = 0; i + j < n; j++) {
          const w = j < 4 ? o0 : j < 8 ? o1 : j < 12 ? o2 : o3;
          dst[i + j] = (src[i + j] as number) ^ (w >>> (8 * (j & 3)));
        }
      }
    }
  }
}
