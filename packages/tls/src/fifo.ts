/**
 * A first-in first-out queue with O(1) push and shift. `Array.prototype.shift` copies the rest of a
 * large array on every call, so draining N queued events or records cost O(N²): a peer that makes us
 * queue 200 000 events (an application that polls late) made draining them take 15 s.
 */
export class Fifo<T> {
  #items: (T | undefined)[] = [];
  #head = 0;

  get length(): number {
    return this.#items.length - this.#head;
  }

  push(x: T): void {
    this.#items.push(x);
  }

  /** The oldest item, removed; undefined when empty. */
  shift(): T | undefined {
    if (this.#head === this.#items.length) return undefined;
    const x = this.#items[this.#head];
    this.#items[this.#head++] = undefined;
    if (this.#head === this.#items.length) {
      this.#items = [];
      this.#head = 0;
    } else if (this.#head >= 1024 && this.#head * 2 >= this.#items.length) {
      // Drop the consumed front once it is at least half the array: amortised O(1) per item.
      this.#items = this.#items.slice(this.#head);
      this.#head = 0;
    }
    return x;
  }
}
