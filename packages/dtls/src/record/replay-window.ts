/**
 * The sliding anti-replay window of RFC 9147 §4.5.1 (RFC 4303 §3.4.3): the right edge is the highest
 * sequence number deprotected in the epoch; older numbers inside the window are looked up in a bitmap,
 * numbers left of it are refused. `check` never changes the window: only `accept`, called once the
 * record deprotected, does.
 */
export const REPLAY_WINDOW_SIZE = 256;

export class ReplayWindow {
  #top = -1;
  readonly #bits = new Uint8Array(REPLAY_WINDOW_SIZE / 8);

  /** The highest accepted sequence number, or -1. */
  get top(): number {
    return this.#top;
  }

  /** True when `seq` is new: right of the window, or inside it and not yet seen. */
  check(seq: number): boolean {
    if (seq > this.#top) return true;
    if (seq <= this.#top - REPLAY_WINDOW_SIZE) return false;
    const i = seq % REPLAY_WINDOW_SIZE;
    return ((this.#bits[i >> 3] as number) & (1 << (i & 7))) === 0;
  }

  accept(seq: number): void {
    if (seq > this.#top) {
      if (seq - this.#top >= REPLAY_WINDOW_SIZE) this.#bits.fill(0);
      else for (let s = this.#top + 1; s <= seq; s++) this.#clear(s % REPLAY_WINDOW_SIZE);
      this.#top = seq;
    }
    const i = seq % REPLAY_WINDOW_SIZE;
    this.#bits[i >> 3] = (this.#bits[i >> 3] as number) | (1 << (i & 7));
  }

  #clear(i: number): void {
    this.#bits[i >> 3] = (this.#bits[i >> 3] as number) & ~(1 << (i & 7));
  }
}

/**
 * RFC 9147 §4.2.2: the full sequence number closest to `expected` (one plus the highest deprotected)
 * whose low `bits` bits are `low`.
 */
export function reconstructSequence(expected: number, low: number, bits: 8 | 16): number {
  const span = bits === 8 ? 0x100 : 0x10000;
  const base = expected - (expected % span) + low;
  let best = base;
  for (const c of [base - span, base + span]) {
    if (c >= 0 && Math.abs(c - expected) < Math.abs(best - expected)) best = c;
  }
  if (best < 0) best += span;
  return best;
}
