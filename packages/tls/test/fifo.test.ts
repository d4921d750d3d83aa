/** The engines' event and output queues: first in, first out, O(1) per operation (no Array.shift). */
import { describe, expect, it } from 'vitest';
import { Fifo } from '../src/fifo.js';

describe('Fifo', () => {
  it('hands items back in order across compactions, with the right length', () => {
    const q = new Fifo<number>();
    expect(q.shift()).toBeUndefined();
    let next = 0;
    let expected = 0;
    // Interleave pushes and shifts so the consumed front is dropped several times.
    for (let round = 0; round < 20; round++) {
      for (let i = 0; i < 3000; i++) q.push(next++);
      for (let i = 0; i < 2500; i++) expect(q.shift()).toBe(expected++);
      expect(q.length).toBe(next - expected);
    }
    while (q.length > 0) expect(q.shift()).toBe(expected++);
    expect(expected).toBe(next);
    expect(q.shift()).toBeUndefined();
    q.push(7);
    expect([q.length, q.shift(), q.length]).toEqual([1, 7, 0]);
  });

  it('keeps falsy items (a queue of events or records never holds them, but the queue must not care)', () => {
    const q = new Fifo<number | string>();
    q.push(0);
    q.push('');
    expect([q.shift(), q.shift(), q.shift()]).toEqual([0, '', undefined]);
  });
});
