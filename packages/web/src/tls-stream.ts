/**
 * Drives a sans-IO connection over any byte transport made of Web Streams (a Deno or Bun TCP
 * connection, a Workers `connect()` socket, a WebSocket wrapped as streams, an in-memory pipe) and
 * hands back the plaintext as Web Streams again.
 *
 * Back-pressure: after the handshake the transport is read only while the plaintext readable wants
 * more (its queue is below its high-water mark, or a read waits); a write resolves once the transport
 * accepted the records. Records the read loop produces itself (handshake flights, KeyUpdate replies)
 * are not awaited, so that two peers writing at once cannot stall each other, but reading pauses while
 * more than `MAX_UNACCEPTED_READ_OUTPUT` bytes of them wait for the transport. Closing the plaintext
 * writable sends close_notify and keeps reading (RFC 9846 §6.1); the transport is closed once both
 * directions are done, or by `close()`, which waits at most `closeTimeout` for the peer to take the
 * last records before aborting the transport.
 */
import type { ClientConnection, HandshakeInfo, ServerConnection, TlsEvent } from '@puretls/tls';
import { TlsStreamError, TransportClosedError, transportError } from './errors.js';

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
  /** Resolves once the transport is released: both directions closed, after `close()`, or after a failure. Never rejects. */
  readonly closed: Promise<void>;
  /** The engine underneath (exporters, KeyUpdate, state). */
  readonly connection: ClientConnection | ServerConnection;
  /**
   * Sends close_notify (if not yet sent) and closes the transport in both directions; if the transport
   * has not taken the last records within `closeTimeout`, aborts it. Resolves once `closed` did.
   */
  close(): Promise<void>;
}

export interface DriveOptions {
  /** Plaintext bytes buffered for a slow reader before the transport stops being read (default 64 KiB). */
  readonly readHighWaterMark?: number;
  /**
   * Milliseconds `close()` (and a failure, for its alert) waits for the transport to accept the last
   * records before aborting it: a peer that stops reading cannot hold the connection open (default 5000).
   */
  readonly closeTimeout?: number;
  /** Every event of the connection, for session tickets, key updates and the like. */
  readonly onEvent?: (event: TlsEvent) => void;
}

type Connection = ClientConnection | ServerConnection;

/**
 * Protocol output of the read loop (handshake flights, KeyUpdate replies, alerts) the transport may
 * hold unaccepted before reading pauses: a peer that sends requests but never reads the answers
 * cannot make us queue without bound.
 */
const MAX_UNACCEPTED_READ_OUTPUT = 65536;

const DEFAULT_CLOSE_TIMEOUT = 5000;

/** setTimeout's own limit: a larger delay fires at once in browsers and Node. */
const MAX_TIMER = 0x7fffffff;

const ignore = (): void => undefined;

export function drive(connection: Connection, transport: TlsTransport, options: DriveOptions = {}): TlsStream {
  return driveConnection(connection, transport, options, undefined);
}

/**
 * `drive`, plus the 0-RTT data the client engine was given (`startTls`): sent again as ordinary data
 * if the server does not accept it. Internal to the package.
 */
export function driveConnection(connection: Connection, transport: TlsTransport, options: DriveOptions, earlyData: Uint8Array | undefined): TlsStream {
  // Duck-typed: streams from another realm or a runtime's own classes must work too.
  if (
    transport === null ||
    typeof transport !== 'object' ||
    typeof (transport.readable as Partial<ReadableStream> | undefined)?.getReader !== 'function' ||
    typeof (transport.writable as Partial<WritableStream> | undefined)?.getWriter !== 'function'
  ) {
    throw new TypeError('transport must be { readable: ReadableStream, writable: WritableStream }');
  }
  if (options === null || typeof options !== 'object') throw new TypeError('options must be an object');
  const hwm = options.readHighWaterMark ?? 65536;
  if (!Number.isInteger(hwm) || hwm < 0) throw new RangeError('options.readHighWaterMark must be a non-negative integer');
  const closeTimeout = options.closeTimeout ?? DEFAULT_CLOSE_TIMEOUT;
  if (typeof closeTimeout !== 'number' || !(closeTimeout >= 0 && closeTimeout <= MAX_TIMER)) {
    throw new RangeError(`options.closeTimeout must be a number of milliseconds from 0 to ${MAX_TIMER}`);
  }
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
  handshake.catch(ignore);

  let resolveClosed!: () => void;
  const closed = new Promise<void>((res) => {
    resolveClosed = res;
  });
  // Rejects once the transport was released: a write still waiting for it then, stuck behind a write
  // the transport never finishes (a peer that stopped reading), can stop waiting.
  let giveUp!: (e: unknown) => void;
  const transportGone = new Promise<never>((_, rej) => {
    giveUp = rej;
  });
  transportGone.catch(ignore);

  let readCtrl!: ReadableStreamDefaultController<Uint8Array>;
  let writeCtrl!: WritableStreamDefaultController;
  let failed = false;
  let failure: unknown = undefined;
  let closeRequested = false; // close() or writable.abort() was called
  let closing: Promise<void> | null = null;
  let released = false;
  let peerClosed = false; // close_notify received: the engine reads nothing more
  let readEnded = false; // nothing more is enqueued to `readable`: closed, cancelled or failed
  let readCancelled = false;
  let readCancelReason: unknown = undefined;
  let readerCancelled = false;
  let deferredReadError: { readonly error: unknown } | null = null;
  let readWanted = false; // a read waits on `readable` (what pull() says with a high-water mark of 0)
  let writeDone = false; // our close_notify was asked of the engine
  let readBacklog = 0; // bytes of read-loop output the transport has not accepted yet
  let appPulling = 0;
  let lastWrite: Promise<void> = Promise.resolve();
  let wake: (() => void) | null = null;
  let resendEarly = earlyData;

  /** Wakes the read loop if it waits for room in `readable` or for the transport to take our output. */
  function notify(): void {
    const w = wake;
    wake = null;
    w?.();
  }

  function changed(): Promise<void> {
    return new Promise<void>((res) => {
      wake = res;
    });
  }

  /** Bytes in `readable`'s queue (its desired size is the high-water mark less what it holds). */
  function queuedBytes(): number {
    return hwm - (readCtrl.desiredSize ?? hwm);
  }

  const readable = new ReadableStream<Uint8Array>(
    {
      start(c) {
        readCtrl = c;
      },
      pull() {
        if (deferredReadError !== null) {
          if (queuedBytes() <= 0) {
            const { error } = deferredReadError;
            deferredReadError = null;
            readCtrl.error(error);
          }
          return;
        }
        readWanted = true;
        notify();
      },
      cancel(reason) {
        // The application wants no more data: nothing more is delivered, the write side stays usable.
        // The handshake still needs the transport, so reading stops only once it completed.
        readCancelled = true;
        readEnded = true;
        deferredReadError = null;
        readCancelReason = reason ?? new TlsStreamError('CLOSED', 'readable was cancelled');
        if (handshakeDone) void stopReading(readCancelReason);
        notify();
      },
    },
    { highWaterMark: hwm, size: (chunk) => chunk.byteLength },
  );

  function stopReading(reason: unknown): Promise<void> {
    if (readerCancelled) return Promise.resolve();
    readerCancelled = true;
    return reader.cancel(reason).catch(ignore);
  }

  /** Ends `readable` with `e`, once the data already queued was read: it was authenticated, keep it. */
  function endReadable(e: unknown): void {
    if (readEnded) return;
    readEnded = true;
    if (queuedBytes() > 0) deferredReadError = { error: e };
    else readCtrl.error(e);
  }

  /** Hands a record to the transport; `counted`: read-loop output, held against MAX_UNACCEPTED_READ_OUTPUT. */
  function send(record: Uint8Array, counted: boolean): void {
    const n = record.byteLength;
    if (counted) readBacklog += n;
    const p = writer.write(record);
    lastWrite = p;
    p.then(
      () => {
        if (counted) {
          readBacklog -= n;
          notify();
        }
      },
      (e: unknown) => {
        if (counted) readBacklog -= n;
        if (!failed && !closeRequested && !released) fail(transportError('writing', e));
      },
    );
  }

  /**
   * Hands every queued record to the transport, in order (the writer queues them), including records
   * still being sealed asynchronously (Web Crypto: `pending`). Records pulled while an application
   * write pulls too are that write's: it waits for them, they do not count against the read loop.
   */
  async function pullRecords(fromApp: boolean): Promise<void> {
    if (fromApp) appPulling++;
    try {
      for (;;) {
        for (let b = connection.pull(); b !== null; b = connection.pull()) send(b, appPulling === 0);
        const pending = connection.pending;
        if (pending === null) return;
        await pending;
      }
    } finally {
      if (fromApp) appPulling--;
    }
  }

  /** Sends what the engine has; resolves once the transport accepted it and everything before it. */
  async function drain(): Promise<void> {
    await pullRecords(true);
    await lastWrite;
  }

  async function settle(): Promise<void> {
    for (let p = connection.pending; p !== null; p = connection.pending) await p;
  }

  function fail(e: unknown): void {
    if (failed) return;
    failed = true;
    failure = e;
    if (!handshakeDone) rejectHandshake(e);
    endReadable(e);
    writeCtrl.error(e);
    notify();
    // The alert the engine queued is the last thing the peer hears, then the transport is aborted.
    void release('abort', e);
  }

  function handleEvents(): void {
    for (let e = connection.poll(); e !== null; e = connection.poll()) {
      if (onEvent !== undefined) {
        try {
          onEvent(e);
        } catch (x) {
          fail(x);
          return;
        }
      }
      switch (e.type) {
        case 'handshake_complete':
          if (resendEarly !== undefined && !e.info.earlyDataAccepted && !closeRequested) {
            // RFC 8446 §4.2.10: 0-RTT data the server did not accept was not delivered: it goes again,
            // first, as 1-RTT data (writes wait for the handshake, so nothing overtakes it).
            try {
              connection.write(resendEarly);
            } catch (x) {
              fail(x);
              return;
            }
          }
          resendEarly = undefined;
          handshakeDone = true;
          resolveHandshake(e.info);
          break;
        case 'application_data':
        case 'early_data':
          if (!readEnded) {
            readCtrl.enqueue(e.data);
            readWanted = false;
          }
          break;
        case 'peer_closed':
          // Only after the handshake: a close_notify before it fails it (PEER_CLOSED_IN_HANDSHAKE).
          peerClosed = true;
          if (!readEnded) {
            readEnded = true;
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

  /**
   * Releases the transport once: waits (at most `closeTimeout`) for the records already queued —
   * close_notify, or the alert of a failure — then closes the transport, or aborts it after a failure
   * or when the peer did not take them in time. `closed` resolves in any case.
   */
  async function release(mode: 'close' | 'abort', reason?: unknown): Promise<void> {
    if (released) return;
    released = true;
    notify();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const expired = new Promise<false>((res) => {
      timer = setTimeout(() => res(false), closeTimeout);
    });
    const inTime = (p: Promise<unknown>): Promise<boolean> => Promise.race([p.then(() => true, () => true), expired]);
    try {
      let ok = await inTime(drain());
      if (ok && mode === 'close') ok = await inTime(writer.close());
      if (!ok || mode === 'abort') {
        // Not awaited past the deadline: a write the transport never finishes holds its abort too.
        const aborted = writer.abort(reason);
        aborted.catch(ignore);
        if (ok) await inTime(aborted);
      }
      await inTime(stopReading(reason));
    } finally {
      clearTimeout(timer);
      giveUp(reason ?? closedError('the transport was released'));
      resolveClosed();
    }
  }

  function maybeRelease(): void {
    if (!failed && !closeRequested && handshakeDone && writeDone && (peerClosed || readCancelled)) void release('close');
  }

  async function readLoop(): Promise<void> {
    try {
      void pullRecords(false).catch(fail); // the ClientHello
      for (;;) {
        if (failed || closeRequested || peerClosed || (readCancelled && handshakeDone)) break;
        const plaintextFull = handshakeDone && !readEnded && !readWanted && (readCtrl.desiredSize ?? 0) <= 0;
        if (plaintextFull || readBacklog > MAX_UNACCEPTED_READ_OUTPUT) {
          await changed();
          continue;
        }
        let r: ReadableStreamReadResult<Uint8Array>;
        try {
          r = await reader.read();
        } catch (e) {
          if (!failed && !closeRequested) fail(transportError('reading', e));
          return;
        }
        if (failed || closeRequested || (readCancelled && handshakeDone)) break;
        if (r.done) {
          fail(new TransportClosedError('the transport closed without close_notify'));
          return;
        }
        if (!(r.value instanceof Uint8Array)) throw new TypeError('transport.readable must yield Uint8Array chunks');
        connection.feed(r.value);
        handleEvents();
        await settle();
        handleEvents();
        // Not awaited: reading must not wait for a peer that is not reading (both would stall); the
        // backlog check above bounds what piles up.
        void pullRecords(false).catch(fail);
      }
      if (readCancelled && !failed && !closeRequested) await stopReading(readCancelReason);
      maybeRelease();
    } catch (e) {
      fail(e);
    }
  }

  function closedError(message: string): TlsStreamError {
    return new TlsStreamError('CLOSED', message);
  }

  /** Plaintext waits for the handshake here rather than piling up inside the engine. */
  async function writeReady(): Promise<void> {
    if (failed) throw failure;
    if (closeRequested) throw closedError('write after close()');
    if (!handshakeDone) await handshake;
    if (failed) throw failure;
    if (closeRequested) throw closedError('write after close()');
  }

  async function sendAndWait(): Promise<void> {
    try {
      await Promise.race([drain(), transportGone]);
    } catch (e) {
      // A transport error failed the connection already (send()); close() aborts the transport.
      if (!failed && !closeRequested) fail(e);
      throw failed ? failure : closedError('the connection was closed before the transport took the data');
    }
    handleEvents();
    if (failed) throw failure;
  }

  const writable = new WritableStream<Uint8Array>({
    start(c) {
      writeCtrl = c;
      // abort() waits for the write in progress, which may wait for a transport that takes nothing:
      // the signal (where the runtime has it) starts the bounded close at once. Not from inside the
      // abort algorithm itself, which is still running when the signal fires.
      (c as { signal?: AbortSignal }).signal?.addEventListener('abort', () => void Promise.resolve().then(close), { once: true });
    },
    async write(chunk) {
      if (!(chunk instanceof Uint8Array)) throw new TypeError('chunks written must be Uint8Array');
      await writeReady();
      connection.write(chunk);
      await sendAndWait();
    },
    async close() {
      // close_notify after the handshake: the peer ignores whatever follows it, our Finished included.
      await writeReady();
      writeDone = true;
      connection.close();
      await sendAndWait();
      maybeRelease();
    },
    async abort() {
      await close();
    },
  });

  async function closeNow(): Promise<void> {
    closeRequested = true;
    const reason = closedError('the connection was closed by close()');
    if (!handshakeDone && !failed) rejectHandshake(new TlsStreamError('CLOSED', 'close() was called before the handshake completed'));
    // What was received stays readable; later writes fail; a write waiting for the transport settles below.
    if (!readEnded) {
      readEnded = true;
      readCtrl.close();
    }
    writeCtrl.error(reason);
    notify();
    if (!failed && !writeDone) {
      writeDone = true;
      // Giving up on a handshake under way tells the peer so: user_canceled, then close_notify (RFC 9846 §6.1).
      if (handshakeDone) connection.close();
      else connection.cancel();
    }
    await release(failed ? 'abort' : 'close', reason);
    await closed;
  }

  function close(): Promise<void> {
    closing ??= closeNow();
    return closing;
  }

  void readLoop();

  return {
    readable,
    writable,
    handshake,
    closed,
    connection,
    close,
  };
}
