/**
 * Drives a sans-IO connection over any byte transport made of Web Streams (a Deno or Bun TCP
 * connection, a Workers `connect()` socket, a WebSocket wrapped as streams, an in-memory pipe) and
 * hands back the plaintext as Web Streams again.
 *
 * Back-pressure: after the handshake the transport is read only while the plaintext readable wants
 * more (its queue is below its high-water mark); a write resolves once the transport accepted the
 * records. Closing the plaintext writable sends close_notify and keeps reading (RFC 9846 §6.1); the
 * transport is closed once both directions are done, or at once by `close()`.
 */
import type { ClientConnection, HandshakeInfo, ServerConnection, TlsEvent } from '@puretls/tls';

/** A byte transport: what a TCP socket, a WebSocket wrapper or a pipe offers. */
export interface TlsTransport {
  readonly readable: ReadableStream<Uint8Array>;
  readonly writable: WritableStream<Uint8Array>;
}

export interface TlsStream {
  /** Application data from the peer; ends at the peer's close_notify. */
  readonly readable: ReadableStream<Uint8Array>;
  /** Application data to the peer; closing it sends close_notify (the readable stays open). */
  readonly writable: WritableStream<Uint8Array>;
  /** Settles with what was negotiated, or rejects with the error that failed the handshake. */
  readonly handshake: Promise<HandshakeInfo>;
  /** Settles once the transport is released: both directions closed, or after a failure. */
  readonly closed: Promise<void>;
  /** The engine underneath (exporters, KeyUpdate, state). */
  readonly connection: ClientConnection | ServerConnection;
  /** Sends close_notify (if not yet sent) and closes the transport in both directions. */
  close(): Promise<void>;
}

export interface DriveOptions {
  /** Plaintext bytes buffered for a slow reader before the transport stops being read (default 64 KiB). */
  readonly readHighWaterMark?: number;
  /** Every event of the connection, for session tickets, key updates and the like. */
  readonly onEvent?: (event: TlsEvent) => void;
}

/** Raised when the transport ends without the peer's close_notify (a possible truncation attack). */
export class TransportClosedError extends Error {
  override readonly name = 'TransportClosedError';
  readonly code = 'UNEXPECTED_EOF';
}

type Connection = ClientConnection | ServerConnection;

export function drive(connection: Connection, transport: TlsTransport, options: DriveOptions = {}): TlsStream {
  // Duck-typed: streams from another realm or a runtime's own classes must work too.
  if (
    transport === null ||
    typeof transport !== 'object' ||
    typeof (transport.readable as Partial<ReadableStream> | undefined)?.getReader !== 'function' ||
    typeof (transport.writable as Partial<WritableStream> | undefined)?.getWriter !== 'function'
  ) {
    throw new TypeError('transport must be { readable: ReadableStream, writable: WritableStream }');
  }
  const hwm = options.readHighWaterMark ?? 65536;
  if (!Number.isInteger(hwm) || hwm < 0) throw new RangeError('options.readHighWaterMark must be a non-negative integer');
  const onEvent = options.onEvent;
  if (onEvent !== undefined && typeof onEvent !== 'function') throw new TypeError('options.onEvent must be a function');

  const reader = transport.readable.getReader();
  const writer = transport.writable.getWriter();

  let handshakeDone = false;
  let resolveHandshake!: (info: HandshakeInfo) => void;
  let rejectHandshake!: (e: unknown) => void;
  const handshake = new Promise<HandshakeInfo>((res, rej) => {
    resolveHandshake = res;
    rejectHandshake = rej;
  });
  // The handshake may fail while nobody awaits it yet: that is reported through the streams too.
  handshake.catch(() => undefined);

  let resolveClosed!: () => void;
  const closed = new Promise<void>((res) => {
    resolveClosed = res;
  });

  let readCtrl!: ReadableStreamDefaultController<Uint8Array>;
  let readDone = false; // peer closed or failure: nothing more for the plaintext readable
  let writeDone = false; // our close_notify sent
  let failure: unknown = null;
  let released = false;
  let wake: (() => void) | null = null;
  let lastWrite: Promise<void> = Promise.resolve();

  const readable = new ReadableStream<Uint8Array>(
    {
      start(c) {
        readCtrl = c;
      },
      pull() {
        const w = wake;
        wake = null;
        w?.();
      },
      cancel() {
        // The application wants no more data: stop reading, keep the write side usable.
        readDone = true;
        wake?.();
        void reader.cancel().catch(() => undefined);
        maybeRelease();
      },
    },
    { highWaterMark: hwm, size: (chunk) => chunk.byteLength },
  );

  /**
   * Hands every queued record to the transport, in order (the writer queues them), including records
   * still being sealed asynchronously (Web Crypto: `pending`); resolves when the last record of this
   * call was accepted, at once if there was none.
   */
  async function flush(): Promise<void> {
    let mine: Promise<void> = Promise.resolve();
    for (;;) {
      for (let b = connection.pull(); b !== null; b = connection.pull()) {
        const p = writer.write(b);
        p.catch(() => undefined); // reported through the last write, awaited by the caller
        lastWrite = p;
        mine = p;
      }
      const pending = connection.pending;
      if (pending === null) return mine;
      await pending;
    }
  }

  async function settle(): Promise<void> {
    for (let p = connection.pending; p !== null; p = connection.pending) await p;
  }

  function fail(e: unknown): void {
    if (failure !== null) return;
    failure = e;
    if (!handshakeDone) rejectHandshake(e);
    if (!readDone) {
      readDone = true;
      readCtrl.error(e);
    }
    writeDone = true;
    wake?.();
    // The alert the engine queued is the last thing the peer hears.
    void flush();
    void lastWrite.catch(() => undefined).then(() => release(true));
  }

  function handleEvents(): void {
    for (let e = connection.poll(); e !== null; e = connection.poll()) {
      onEvent?.(e);
      switch (e.type) {
        case 'handshake_complete':
          handshakeDone = true;
          resolveHandshake(e.info);
          break;
        case 'application_data':
        case 'early_data':
          if (!readDone) readCtrl.enqueue(e.data);
          break;
        case 'peer_closed':
          if (!readDone) {
            readDone = true;
            readCtrl.close();
          }
          break;
        case 'error':
          fail(e.error);
          return;
        default:
          break;
      }
    }
    if (connection.error !== null) fail(connection.error);
  }

  async function release(abort: boolean): Promise<void> {
    if (released) return;
    released = true;
    try {
      if (abort) await writer.abort(failure ?? undefined);
      else await writer.close();
    } catch {
      // The transport may already be gone; nothing is lost since TLS closed first.
    }
    await reader.cancel().catch(() => undefined);
    resolveClosed();
  }

  function maybeRelease(): void {
    if (readDone && writeDone && failure === null) void lastWrite.then(() => release(false), () => release(true));
  }

  async function readLoop(): Promise<void> {
    try {
      flush().catch(fail); // the ClientHello
      while (!readDone && failure === null) {
        if (handshakeDone && (readCtrl.desiredSize ?? 0) <= 0) {
          await new Promise<void>((res) => {
            wake = res;
          });
          continue;
        }
        const r = await reader.read();
        if (r.done) {
          if (!readDone && failure === null) fail(new TransportClosedError('the transport closed without close_notify'));
          return;
        }
        if (!(r.value instanceof Uint8Array)) throw new TypeError('transport.readable must yield Uint8Array chunks');
        connection.feed(r.value);
        handleEvents();
        await settle();
        handleEvents();
        // Not awaited: reading must not wait for a peer that is not reading (both would stall).
        flush().catch(fail);
      }
      maybeRelease();
    } catch (e) {
      fail(e);
    }
  }

  const writable = new WritableStream<Uint8Array>({
    async write(chunk) {
      if (!(chunk instanceof Uint8Array)) throw new TypeError('chunks written must be Uint8Array');
      if (failure !== null) throw failure;
      // Plaintext waits for the handshake here rather than piling up inside the engine.
      if (!handshakeDone) await handshake;
      connection.write(chunk);
      await flush();
      handleEvents();
      if (failure !== null) throw failure;
    },
    async close() {
      await closeWrite();
    },
    async abort() {
      await closeAll();
    },
  });

  async function closeWrite(): Promise<void> {
    if (writeDone) return;
    writeDone = true;
    connection.close();
    await flush();
    handleEvents();
    maybeRelease();
  }

  async function closeAll(): Promise<void> {
    if (!writeDone) {
      writeDone = true;
      connection.close();
      await flush().catch(() => undefined);
    }
    if (!readDone) {
      readDone = true;
      readCtrl.close();
    }
    wake?.();
    if (!handshakeDone && failure === null) rejectHandshake(new TransportClosedError('closed before the handshake completed'));
    await release(false);
  }

  void readLoop();

  return {
    readable,
    writable,
    handshake,
    closed,
    connection,
    close: closeAll,
  };
}
