/**
 * A WebSocket as a byte transport: binary messages in, binary messages out. A browser has no raw
 * sockets; with a WebSocket-to-TCP relay, a page speaks TLS end to end to any server (the relay
 * only sees ciphertext).
 *
 * Back-pressure is one-way: writes wait while the socket buffers more than `maxBufferedAmount`, but
 * the WebSocket API has no way to stop the peer sending, so messages are queued in `readable` as they
 * arrive, however slowly they are read. Cancelling `readable` drops later messages and leaves the
 * socket open for writing; closing or aborting `writable` closes the socket.
 */
import type { TlsTransport } from './tls-stream.js';

export interface WebSocketTransportOptions {
  readonly protocols?: string | readonly string[];
  /** Writes wait while more than this many bytes are buffered by the socket (default 1 MiB). */
  readonly maxBufferedAmount?: number;
}

const tick = (): Promise<void> => new Promise((res) => setTimeout(res, 5));

/** Wraps `url` (or an existing WebSocket) as `{ readable, writable }`. */
export function webSocketTransport(url: string | URL | WebSocket, options: WebSocketTransportOptions = {}): TlsTransport {
  const maxBuffered = options.maxBufferedAmount ?? 1 << 20;
  if (!Number.isInteger(maxBuffered) || maxBuffered < 0) throw new RangeError('options.maxBufferedAmount must be a non-negative integer');
  let ws: WebSocket;
  if (typeof url === 'string' || url instanceof URL) {
    ws = options.protocols === undefined ? new WebSocket(url) : new WebSocket(url, options.protocols as string | string[]);
  } else if (typeof WebSocket !== 'undefined' && url instanceof WebSocket) {
    ws = url;
  } else {
    throw new TypeError('url must be a string, a URL or a WebSocket');
  }
  ws.binaryType = 'arraybuffer';

  const opened = new Promise<void>((res, rej) => {
    if (ws.readyState === WebSocket.OPEN) res();
    ws.addEventListener('open', () => res(), { once: true });
    ws.addEventListener('error', () => rej(new Error(`WebSocket ${ws.url} failed`)), { once: true });
    ws.addEventListener('close', () => rej(new Error(`WebSocket ${ws.url} closed before opening`)), { once: true });
  });
  opened.catch(() => undefined);

  // A WebSocket cannot be paused: every message is queued here as it arrives, whatever the reader's
  // pace (the TLS binding above stops taking them while its plaintext reader is slow).
  let delivering = true;
  const readable = new ReadableStream<Uint8Array>({
    start(c) {
      const end = (error?: unknown): void => {
        if (!delivering) return;
        delivering = false;
        if (error === undefined) c.close();
        else c.error(error);
      };
      ws.addEventListener('message', (ev: MessageEvent) => {
        if (!delivering) return;
        const d: unknown = ev.data;
        if (d instanceof ArrayBuffer) c.enqueue(new Uint8Array(d));
        else end(new TypeError('WebSocket text message on a byte transport'));
      });
      ws.addEventListener('close', () => end());
      ws.addEventListener('error', () => end(new Error(`WebSocket ${ws.url} error`)));
    },
    cancel() {
      // Only reading stops: closing the socket would end the write side too. Later messages are dropped;
      // the socket closes with the writable.
      delivering = false;
    },
  });

  const writable = new WritableStream<Uint8Array>({
    async write(chunk) {
      await opened;
      // A WebSocket has no write promise: bufferedAmount is the only back-pressure signal.
      while (ws.bufferedAmount > maxBuffered && ws.readyState === WebSocket.OPEN) await tick();
      if (ws.readyState !== WebSocket.OPEN) throw new Error(`WebSocket ${ws.url} is not open`);
      ws.send(chunk);
    },
    close() {
      ws.close();
    },
    abort() {
      ws.close();
    },
  });
  return { readable, writable };
}
