/**
 * 0-RTT anti-replay for stateless tickets (RFC 8446 §8.2, "ClientHello recording"): a strike
 * register remembers the PSK binder of every ClientHello whose early data was accepted, for a time
 * window, and refuses a second one. It is bounded in memory (`maxEntries`) and in time (`window`):
 * when it is full of live entries it answers "seen" — early data is then refused, which is safe —
 * rather than forgetting an entry that could be replayed.
 *
 * For the check to be complete, `window` must cover the freshness window of the ticket age check
 * (twice `earlyDataAgeTolerance`): a ClientHello older than that fails the age check instead. Both
 * ends are inclusive: an entry recorded at t is refused up to and including t + window, and the age
 * check accepts a difference of exactly the tolerance, so a replay at exactly t + 2·tolerance still
 * meets the entry (the server also never uses a tolerance above half the window).
 */

export interface AntiReplay {
  /** Milliseconds an entry is kept: one recorded at t is refused through t + window inclusive. */
  readonly window: number;
  /** True when `id` was not seen within the window (it is now recorded); false to refuse 0-RTT. */
  check(id: Uint8Array, now: number): boolean;
}

export interface StrikeRegister extends AntiReplay {
  /** Live entries (never more than `maxEntries`). */
  readonly size: number;
  readonly maxEntries: number;
}

export interface StrikeRegisterOptions {
  /** Milliseconds an entry is kept (default 20000: twice the default age tolerance). */
  readonly window?: number;
  /** Entries kept at most (default 100000). */
  readonly maxEntries?: number;
}

function key(id: Uint8Array): string {
  let s = '';
  for (const b of id) s += String.fromCharCode(b);
  return s;
}

export function createStrikeRegister(options: StrikeRegisterOptions = {}): StrikeRegister {
  const window = options.window ?? 20000;
  const maxEntries = options.maxEntries ?? 100000;
  if (!Number.isInteger(window) || window <= 0) throw new RangeError('options.window must be a positive integer (ms)');
  if (!Number.isInteger(maxEntries) || maxEntries < 1) throw new RangeError('options.maxEntries must be a positive integer');
  // Insertion order is expiry order while the clock moves forward; a clock going back only delays purging.
  const seen = new Map<string, number>();
  const purge = (now: number): void => {
    for (const [k, expires] of seen) {
      if (expires >= now) break;
      seen.delete(k);
    }
  };
  return {
    window,
    maxEntries,
    get size() {
      return seen.size;
    },
    check(id: Uint8Array, now: number): boolean {
      if (!(id instanceof Uint8Array)) throw new TypeError('id must be a Uint8Array');
      purge(now);
      const k = key(id);
      const expires = seen.get(k);
      if (expires !== undefined && expires >= now) return false;
      if (seen.size >= maxEntries) return false;
      seen.set(k, now + window);
      return true;
    },
  };
}
