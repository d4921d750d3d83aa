/** The ACK message (RFC 9147 §7): `RecordNumber record_numbers<0..2^16-1>`, each { uint64 epoch; uint64 sequence_number }. */

export interface RecordNumber {
  readonly epoch: number;
  readonly seq: number;
}

function putU64(out: Uint8Array, at: number, v: number): void {
  const hi = Math.floor(v / 2 ** 32);
  const lo = v >>> 0;
  for (let i = 0; i < 4; i++) {
    out[at + i] = (hi >>> (24 - 8 * i)) & 0xff;
    out[at + 4 + i] = (lo >>> (24 - 8 * i)) & 0xff;
  }
}

function getU64(b: Uint8Array, at: number): number {
  let hi = 0;
  let lo = 0;
  for (let i = 0; i < 4; i++) {
    hi = hi * 256 + (b[at + i] as number);
    lo = lo * 256 + (b[at + 4 + i] as number);
  }
  return hi * 2 ** 32 + lo;
}

/** Record numbers in numerically increasing order (RFC 9147 §7), at most `max` of them. */
export function encodeAck(list: readonly RecordNumber[], max = 0xffff >> 4): Uint8Array {
  const sorted = [...list].sort((a, b) => a.epoch - b.epoch || a.seq - b.seq).slice(-max);
  const out = new Uint8Array(2 + 16 * sorted.length);
  const n = 16 * sorted.length;
  out[0] = n >> 8;
  out[1] = n & 0xff;
  sorted.forEach((r, i) => {
    putU64(out, 2 + 16 * i, r.epoch);
    putU64(out, 10 + 16 * i, r.seq);
  });
  return out;
}

/** null when malformed. Values beyond 2^53 are refused as malformed (we never send them). */
export function decodeAck(b: Uint8Array): RecordNumber[] | null {
  if (b.length < 2) return null;
  const n = ((b[0] as number) << 8) | (b[1] as number);
  if (n % 16 !== 0 || b.length !== 2 + n) return null;
  const out: RecordNumber[] = [];
  for (let at = 2; at < b.length; at += 16) {
    const epoch = getU64(b, at);
    const seq = getU64(b, at + 8);
    if (!Number.isSafeInteger(epoch) || !Number.isSafeInteger(seq)) return null;
    out.push({ epoch, seq });
  }
  return out;
}
