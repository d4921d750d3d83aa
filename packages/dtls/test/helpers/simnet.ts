/**
 * A simulated datagram network on a manual clock: loss, reordering, duplication, delay, an MTU check,
 * and a seeded random generator so every run is reproducible.
 */
import type { DtlsConnection, DtlsEvent } from '../../src/index.js';

export interface NetOptions {
  loss?: number;
  duplicate?: number;
  reorder?: number;
  /** One-way delay range in ms. */
  delay?: [number, number];
  mtu?: number;
  seed?: number;
}

interface Packet {
  at: number;
  order: number;
  to: 0 | 1;
  bytes: Uint8Array;
}

export class SimNet {
  readonly peers: [DtlsConnection, DtlsConnection];
  readonly events: [DtlsEvent[], DtlsEvent[]] = [[], []];
  /** Every datagram each side handed to the network, in order, with the time. */
  readonly sent: [{ at: number; bytes: Uint8Array }[], { at: number; bytes: Uint8Array }[]] = [[], []];
  #queue: Packet[] = [];
  #order = 0;
  #seed: number;
  tamper: ((to: 0 | 1, bytes: Uint8Array) => Uint8Array | null) | undefined;

  constructor(
    a: DtlsConnection,
    b: DtlsConnection,
    readonly clock: { t: number },
    readonly o: NetOptions = {},
  ) {
    this.peers = [a, b];
    this.#seed = o.seed ?? 1;
  }

  random(): number {
    // mulberry32
    let t = (this.#seed += 0x6d2b79f5);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** Moves datagrams each side has to send onto the wire. */
  collect(): void {
    for (const from of [0, 1] as const) {
      const p = this.peers[from];
      for (let d = p.pullDatagram(); d !== null; d = p.pullDatagram()) {
        if (this.o.mtu !== undefined && d.length > this.o.mtu) throw new Error(`datagram of ${d.length} bytes exceeds the MTU ${this.o.mtu}`);
        this.sent[from].push({ at: this.clock.t, bytes: d });
        this.#inject((1 - from) as 0 | 1, d);
      }
      for (let e = p.poll(); e !== null; e = p.poll()) this.events[from].push(e);
    }
  }

  #inject(to: 0 | 1, d: Uint8Array): void {
    const copies = this.random() < (this.o.duplicate ?? 0) ? 2 : 1;
    for (let i = 0; i < copies; i++) {
      if (this.random() < (this.o.loss ?? 0)) continue;
      const [lo, hi] = this.o.delay ?? [0, 0];
      let at = this.clock.t + lo + (hi - lo) * this.random();
      if (this.random() < (this.o.reorder ?? 0)) at += (hi - lo + 10) * this.random();
      this.#queue.push({ at, order: this.#order++, to, bytes: d.slice() });
    }
  }

  async settle(): Promise<void> {
    for (;;) {
      const p = this.peers.map((x) => x.pending).filter((x): x is Promise<void> => x !== null);
      if (p.length === 0) return;
      await Promise.all(p);
      this.collect();
    }
  }

  /** Delivers what is due now, else advances the clock to the next packet or timer. Returns false when idle. */
  async step(): Promise<boolean> {
    await this.settle();
    this.collect();
    this.#queue.sort((x, y) => x.at - y.at || x.order - y.order);
    const next = this.#queue[0];
    const timers = this.peers.map((x) => x.nextTimeout()).filter((x): x is number => x !== null);
    const nextTimer = timers.length === 0 ? null : Math.min(...timers);
    if (next !== undefined && (nextTimer === null || next.at <= nextTimer)) {
      this.#queue.shift();
      if (next.at > this.clock.t) this.clock.t = next.at;
      const bytes = this.tamper ? this.tamper(next.to, next.bytes) : next.bytes;
      if (bytes !== null) this.peers[next.to].feedDatagram(bytes, this.clock.t);
      this.collect();
      return true;
    }
    if (nextTimer !== null) {
      if (nextTimer > this.clock.t) this.clock.t = nextTimer;
      for (const p of this.peers) if ((p.nextTimeout() ?? Infinity) <= this.clock.t) p.onTimeout(this.clock.t);
      this.collect();
      return true;
    }
    return false;
  }

  /** Runs until `done()` or nothing is left to do (or `maxSteps`). */
  async run(done: () => boolean, maxSteps = 1_000_000): Promise<void> {
    for (let i = 0; i < maxSteps && !done(); i++) {
      if (!(await this.step())) {
        await this.settle();
        if (done() || !(await this.step())) return;
      }
    }
  }

  get queued(): number {
    return this.#queue.length;
  }
}

export function completed(net: SimNet): boolean {
  return net.events.every((ev) => ev.some((e) => e.type === 'handshake_complete'));
}
