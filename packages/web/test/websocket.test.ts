import { afterEach, describe, expect, it } from 'vitest';
import { webSocketTransport } from '../src/index.js';

/** Just enough of a browser WebSocket to watch what the transport does with it. */
class FakeWebSocket extends EventTarget {
  static readonly CONNECTING = 0;
  static readonly OPEN = 1;
  static readonly CLOSING = 2;
  static readonly CLOSED = 3;
  readyState = 0;
  bufferedAmount = 0;
  binaryType = 'blob';
  readonly sent: Uint8Array[] = [];
  closed = 0;
  constructor(readonly url: string) {
    super();
  }
  send(d: Uint8Array): void {
    this.sent.push(d.slice());
  }
  close(): void {
    this.closed++;
    this.readyState = 3;
    this.dispatchEvent(new Event('close'));
  }
  open(): void {
    this.readyState = 1;
    this.dispatchEvent(new Event('open'));
  }
  message(data: unknown): void {
    this.dispatchEvent(Object.assign(new Event('message'), { data }));
  }
}

const realWebSocket = (globalThis as { WebSocket?: unknown }).WebSocket;
let made: FakeWebSocket[] = [];
function install(): void {
  made = [];
  (globalThis as { WebSocket?: unknown }).WebSocket = class extends FakeWebSocket {
    constructor(url: string | URL) {
      super(String(url));
      made.push(this);
    }
  };
}
afterEach(() => {
  (globalThis as { WebSocket?: unknown }).WebSocket = realWebSocket;
});

/** Runs `f`, then lets pending callbacks run: the exceptions that escaped meanwhile (from listeners). */
async function uncaughtDuring(f: () => Promise<void>): Promise<unknown[]> {
  const uncaught: unknown[] = [];
  const onUncaught = (e: unknown): void => {
    uncaught.push(e);
  };
  process.on('uncaughtException', onUncaught);
  try {
    await f();
    await new Promise((r) => setTimeout(r, 10));
  } finally {
    process.off('uncaughtException', onUncaught);
  }
  return uncaught;
}

describe('webSocketTransport', () => {
  it('turns binary messages into bytes, holds writes until open, and ends the readable on close', async () => {
    install();
    const t = webSocketTransport('ws://relay.test/relay?port=1');
    const ws = made[0] as FakeWebSocket;
    expect(ws.binaryType).toBe('arraybuffer');
    const writer = t.writable.getWriter();
    const written = writer.write(Uint8Array.of(1, 2, 3));
    await Promise.resolve();
    expect(ws.sent.length).toBe(0); // not open yet
    ws.open();
    await written;
    expect(ws.sent).toEqual([Uint8Array.of(1, 2, 3)]);
    const reader = t.readable.getReader();
    ws.message(Uint8Array.of(9, 8).buffer);
    expect((await reader.read()).value).toEqual(Uint8Array.of(9, 8));
    ws.close();
    expect((await reader.read()).done).toBe(true);
  });

  it('waits while the socket buffers more than maxBufferedAmount', async () => {
    install();
    const t = webSocketTransport('ws://relay.test/', { maxBufferedAmount: 10 });
    const ws = made[0] as FakeWebSocket;
    ws.open();
    ws.bufferedAmount = 100;
    const writer = t.writable.getWriter();
    let done = false;
    const w = writer.write(Uint8Array.of(1)).then(() => {
      done = true;
    });
    await new Promise((r) => setTimeout(r, 30));
    expect(done).toBe(false);
    ws.bufferedAmount = 0;
    await w;
    expect(ws.sent.length).toBe(1);
  });

  it('errors the readable on a text message: a byte transport carries no text', async () => {
    install();
    const t = webSocketTransport('ws://relay.test/');
    (made[0] as FakeWebSocket).open();
    (made[0] as FakeWebSocket).message('hello');
    await expect(t.readable.getReader().read()).rejects.toThrow(TypeError);
  });

  it('cancelling the readable drops later messages but leaves the socket open for writing', async () => {
    install();
    const t = webSocketTransport('ws://relay.test/');
    const ws = made[0] as FakeWebSocket;
    ws.open();
    const uncaught = await uncaughtDuring(async () => {
      await t.readable.cancel();
      expect(ws.closed).toBe(0);
      ws.message(Uint8Array.of(1).buffer); // nobody reads any more: dropped, not thrown from the listener
      const writer = t.writable.getWriter();
      await writer.write(Uint8Array.of(5));
      expect(ws.sent).toEqual([Uint8Array.of(5)]);
      await writer.close();
      expect(ws.closed).toBe(1);
    });
    expect(uncaught).toEqual([]);
  });

  it('ignores messages after the readable failed on a text message', async () => {
    install();
    const t = webSocketTransport('ws://relay.test/');
    const ws = made[0] as FakeWebSocket;
    ws.open();
    const uncaught = await uncaughtDuring(async () => {
      ws.message('hello');
      ws.message(Uint8Array.of(1).buffer);
      await expect(t.readable.getReader().read()).rejects.toThrow(TypeError);
    });
    expect(uncaught).toEqual([]);
  });

  it('refuses a URL of the wrong type and a negative buffer limit, naming them', () => {
    install();
    expect(() => webSocketTransport(42 as unknown as string)).toThrow(/url/);
    expect(() => webSocketTransport('ws://x/', { maxBufferedAmount: -1 })).toThrow(/maxBufferedAmount/);
  });
});
