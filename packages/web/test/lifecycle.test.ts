/**
 * How a TlsStream starts, ends and fails: half-close and close() against peers and transports that
 * misbehave, cancelled readables, errors that must reach every side of the stream typed and without
 * losing data, 0-RTT data the server refuses, and the bound on output a non-reading peer can pile up.
 */
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ClientConnection, createTicketKeys, TlsError, type ClientConnection as Engine, type ClientTicket } from '@puretls/tls';
import {
  acceptTls,
  drive,
  memoryPipe,
  selectWebProvider,
  startTls,
  TlsStreamError,
  TransportClosedError,
  webClientConfig,
  webServerConfig,
  type DriveOptions,
  type TlsStream,
  type TlsTransport,
} from '../src/index.js';
import { connect as denoConnect } from '../src/deno.js';
import { makeTestPki, type TestPki } from '../../../test/runtimes/certs.mjs';

let pki: TestPki;
beforeAll(() => {
  pki = makeTestPki();
});

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Rejects if `p` has not settled within `ms`: a hang fails the test quickly instead of timing it out. */
function settles<T>(p: Promise<T>, ms = 3000): Promise<T> {
  return Promise.race([p, sleep(ms).then(() => Promise.reject(new Error(`did not settle within ${ms} ms`)))]);
}

/** The outcome of `p` as a value: its result, or the error it rejected with. */
function outcome(p: Promise<unknown>): Promise<unknown> {
  return settles(p).then(
    (v) => v,
    (e: unknown) => e,
  );
}

function serverConfig(extra: Record<string, unknown> = {}) {
  return webServerConfig({ certificates: [{ chain: pki.ecdsa.certPem + pki.intermediatePem, key: pki.ecdsa.keyPem }], ...extra });
}

function clientConfig(caPem = pki.caPem) {
  return webClientConfig({ trustAnchors: caPem, serverName: 'localhost' });
}

function pair(opts: { pipe?: [TlsTransport, TlsTransport]; client?: DriveOptions; server?: DriveOptions } = {}): { client: TlsStream; server: TlsStream } {
  const [a, b] = opts.pipe ?? memoryPipe();
  const server = acceptTls(b, { config: serverConfig(), ...opts.server });
  const client = startTls(a, { config: clientConfig(), ...opts.client });
  return { client, server };
}

async function readAll(r: ReadableStream<Uint8Array>): Promise<Uint8Array> {
  const parts: number[] = [];
  for (const reader = r.getReader(); ; ) {
    const { value, done } = await settles(reader.read());
    if (done) return Uint8Array.from(parts);
    parts.push(...value);
  }
}

const text = (s: string): Uint8Array => new TextEncoder().encode(s);

/**
 * `transport` with the direction towards the peer under control: `stall()` makes every later write
 * hang (the peer stopped reading and the socket buffer is full), `fail(e)` makes them reject.
 */
function controlledWrites(transport: TlsTransport): { transport: TlsTransport; stall(): void; fail(e: unknown): void } {
  let mode: 'pass' | 'stall' | 'fail' = 'pass';
  let error: unknown;
  const inner = transport.writable.getWriter();
  const writable = new WritableStream<Uint8Array>({
    async write(chunk) {
      if (mode === 'stall') return new Promise<void>(() => undefined);
      if (mode === 'fail') throw error;
      await inner.write(chunk);
    },
    close: () => inner.close(),
    abort: (reason) => inner.abort(reason),
  });
  return {
    transport: { readable: transport.readable, writable },
    stall: () => {
      mode = 'stall';
    },
    fail: (e) => {
      mode = 'fail';
      error = e;
    },
  };
}

/** A readable whose chunks and end the test decides. */
function controlledReadable(): { readable: ReadableStream<Uint8Array>; push(b: Uint8Array): void; end(): void; error(e: unknown): void } {
  let c!: ReadableStreamDefaultController<Uint8Array>;
  const readable = new ReadableStream<Uint8Array>({
    start(ctrl) {
      c = ctrl;
    },
  });
  return { readable, push: (b) => c.enqueue(b), end: () => c.close(), error: (e) => c.error(e) };
}

/** Forwards `from` into `to` until it ends. */
function forward(from: ReadableStream<Uint8Array>, to: { push(b: Uint8Array): void }): void {
  void (async () => {
    const r = from.getReader();
    for (;;) {
      const { value, done } = await r.read();
      if (done) return;
      to.push(value);
    }
  })().catch(() => undefined);
}

describe('the handshake and the streams around it', () => {
  it('rejects the handshake with the engine error PEER_CLOSED_IN_HANDSHAKE when the peer sends close_notify before it completed', async () => {
    const [a, b] = memoryPipe();
    const server = acceptTls(b, { config: serverConfig() });
    // A hostile client: a ClientHello, then a close_notify in the clear; the transport stays open.
    const evil = new ClientConnection(clientConfig(), { serverName: 'localhost' });
    for (let p = evil.pending; p !== null; p = evil.pending) await p;
    const w = a.writable.getWriter();
    for (let x = evil.pull(); x !== null; x = evil.pull()) await w.write(x);
    await w.write(Uint8Array.of(0x15, 0x03, 0x03, 0x00, 0x02, 0x01, 0x00));
    void a.readable.getReader().read();
    const e = await outcome(server.handshake);
    expect(e).toBeInstanceOf(TlsError);
    expect((e as TlsError).code).toBe('PEER_CLOSED_IN_HANDSHAKE');
    await expect(settles(server.readable.getReader().read())).rejects.toBe(e);
    await settles(server.closed);
  });

  it('close() during the handshake tells the peer: user_canceled, then close_notify (RFC 9846 §6.1)', async () => {
    const [a, b] = memoryPipe();
    const client = startTls(a, { config: clientConfig() });
    const handshake = outcome(client.handshake);
    // The "server" only reads: the ClientHello, then what close() sends.
    const r = b.readable.getReader();
    const hello = await settles(r.read());
    expect(hello.value?.[0]).toBe(0x16);
    await settles(client.close());
    const rest: number[] = [];
    for (let x = await settles(r.read()); !x.done; x = await settles(r.read())) rest.push(...x.value);
    expect(rest).toEqual([0x15, 3, 3, 0, 2, 1, 90, 0x15, 3, 3, 0, 2, 1, 0]);
    expect(((await handshake) as TlsStreamError).code).toBe('CLOSED');
    await settles(client.closed);
  });

  it('writable.close() before the handshake waits for it, then closes cleanly', async () => {
    const { client, server } = pair();
    let handshakeDone = false;
    void client.handshake.then(() => {
      handshakeDone = true;
    });
    await settles(client.writable.getWriter().close());
    expect(handshakeDone).toBe(true);
    await settles(server.handshake);
    expect((await readAll(server.readable)).length).toBe(0);
    await settles(server.writable.getWriter().close());
    expect((await readAll(client.readable)).length).toBe(0);
    await settles(Promise.all([client.closed, server.closed]));
  });

  it('writable.close() before a handshake that fails rejects with the handshake error', async () => {
    const other = makeTestPki();
    const [a, b] = memoryPipe();
    acceptTls(b, { config: serverConfig() });
    const client = startTls(a, { config: clientConfig(other.caPem) });
    const closing = outcome(client.writable.getWriter().close());
    const e = await outcome(client.handshake);
    expect(e).toBeInstanceOf(TlsError);
    expect(await closing).toBe(e);
  });

  it('keeps the handshake going after readable.cancel(), and the write side usable', async () => {
    const { client, server } = pair();
    const w = client.writable.getWriter();
    const writing = w.write(text('still here'));
    await settles(client.readable.cancel());
    await settles(client.handshake);
    await settles(writing);
    await settles(w.close());
    expect(new TextDecoder().decode(await readAll(server.readable))).toBe('still here');
    // Both directions are done on our side (reading was given up, close_notify sent): released.
    await settles(client.closed);
  });

  it('errors the writable with the handshake failure, as it does the readable', async () => {
    const other = makeTestPki();
    const [a, b] = memoryPipe();
    acceptTls(b, { config: serverConfig() });
    const client = startTls(a, { config: clientConfig(other.caPem) });
    const e = await outcome(client.handshake);
    expect(e).toBeInstanceOf(TlsError);
    const w = client.writable.getWriter();
    expect(await outcome(w.closed)).toBe(e);
    expect(await outcome(w.write(text('x')))).toBe(e);
    await settles(client.closed);
  });
});

describe('reading', () => {
  it('delivers data with readHighWaterMark: 0, one read at a time', async () => {
    const { client, server } = pair({ client: { readHighWaterMark: 0 } });
    await settles(Promise.all([client.handshake, server.handshake]));
    const w = server.writable.getWriter();
    void w.write(text('one'));
    const r = client.readable.getReader();
    expect(new TextDecoder().decode((await settles(r.read())).value)).toBe('one');
    void w.write(text('two'));
    expect(new TextDecoder().decode((await settles(r.read())).value)).toBe('two');
  });

  it('delivers the data received before an error, then the error (a truncation after data is still reported)', async () => {
    const [a, b] = memoryPipe();
    const src = controlledReadable();
    const server = acceptTls(b, { config: serverConfig() });
    const client = startTls({ readable: src.readable, writable: a.writable }, { config: clientConfig() });
    forward(a.readable, src);
    await settles(Promise.all([client.handshake, server.handshake]));
    await settles(server.writable.getWriter().write(new Uint8Array(10000).fill(7)));
    await sleep(20);
    src.end(); // the transport ends without close_notify, while the data is still queued in `readable`
    await sleep(20);
    const r = client.readable.getReader();
    let got = 0;
    let error: unknown = null;
    try {
      for (;;) {
        const { value, done } = await settles(r.read());
        if (done) break;
        got += value.length;
      }
    } catch (e) {
      error = e;
    }
    expect(got).toBe(10000);
    expect(error).toBeInstanceOf(TransportClosedError);
    expect(error).toBeInstanceOf(TlsStreamError);
    expect((error as TransportClosedError).code).toBe('UNEXPECTED_EOF');
    await settles(client.closed);
  });

  it('reports a transport read failure as TRANSPORT_ERROR with the original as cause, even an undefined one', async () => {
    const [a, b] = memoryPipe();
    const src = controlledReadable();
    acceptTls(b, { config: serverConfig() });
    const client = startTls({ readable: src.readable, writable: a.writable }, { config: clientConfig() });
    src.error(undefined);
    const e = await outcome(client.handshake);
    expect(e).toBeInstanceOf(TlsStreamError);
    expect((e as TlsStreamError).code).toBe('TRANSPORT_ERROR');
    expect((e as TlsStreamError).cause).toBeUndefined();
    await expect(settles(client.readable.getReader().read())).rejects.toBe(e);
    await settles(client.closed);
  });
});

describe('writing', () => {
  let unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown): void => {
    unhandled.push(reason);
  };
  afterEach(() => {
    process.off('unhandledRejection', onUnhandled);
  });

  it('fails the connection with TRANSPORT_ERROR when the transport refuses a write, with no unhandled rejection', async () => {
    unhandled = [];
    process.on('unhandledRejection', onUnhandled);
    const [a, b] = memoryPipe();
    const ctl = controlledWrites(a);
    const server = acceptTls(b, { config: serverConfig() });
    const client = startTls(ctl.transport, { config: clientConfig() });
    await settles(Promise.all([client.handshake, server.handshake]));
    const reading = outcome(client.readable.getReader().read());
    const epipe = new Error('EPIPE (simulated)');
    ctl.fail(epipe);
    const w = client.writable.getWriter();
    const e = await outcome(w.write(text('lost')));
    expect(e).toBeInstanceOf(TlsStreamError);
    expect((e as TlsStreamError).code).toBe('TRANSPORT_ERROR');
    expect((e as TlsStreamError).cause).toBe(epipe);
    expect(await reading).toBe(e);
    expect(await outcome(w.closed)).toBe(e);
    await settles(client.closed);
    await sleep(20);
    expect(unhandled).toEqual([]);
  });

  it('refuses writes after close() with a typed CLOSED error', async () => {
    const { client, server } = pair();
    await settles(Promise.all([client.handshake, server.handshake]));
    const w = client.writable.getWriter();
    await settles(client.close());
    const e = await outcome(w.write(text('late')));
    expect(e).toBeInstanceOf(TlsStreamError);
    expect((e as TlsStreamError).code).toBe('CLOSED');
  });

  it('bounds the protocol output queued for a peer that never reads, without stopping application writes', async () => {
    // A stand-in engine answering every chunk fed with 1 KiB of protocol output (as a KeyUpdate
    // request or a post-handshake CertificateRequest would be answered), over a transport that
    // takes nothing.
    let out: Uint8Array[] = [];
    let fed = 0;
    const events: unknown[] = [];
    const engine = {
      state: 'Connected',
      error: null,
      pending: null,
      canWrite: true,
      feed(bytes: Uint8Array) {
        if (fed++ === 0) events.push({ type: 'handshake_complete', info: { earlyDataAccepted: false } });
        out.push(new Uint8Array(1024).fill(bytes[0] ?? 0));
      },
      pull: () => out.shift() ?? null,
      poll: () => events.shift() ?? null,
      write(data: Uint8Array) {
        out.push(data.slice());
      },
      close() {},
    };
    let handed = 0;
    const writable = new WritableStream<Uint8Array>(
      { write: () => new Promise<void>(() => undefined) },
      { highWaterMark: 1 << 30, size: (c: Uint8Array) => ((handed += c.byteLength), c.byteLength) },
    );
    const src = controlledReadable();
    const tls = drive(engine as unknown as Engine, { readable: src.readable, writable }, { closeTimeout: 50 });
    for (let i = 0; i < 1000; i++) src.push(Uint8Array.of(1));
    await sleep(100);
    // 64 KiB of unaccepted protocol output, then reading paused: not the 1000 KiB asked for.
    expect(handed).toBeLessThanOrEqual(65 * 1024 + 1024);
    expect(fed).toBeLessThan(100);
    // An application write still goes out (it waits for the transport itself; it is not held back).
    const writing = outcome(tls.writable.getWriter().write(new Uint8Array(5000)));
    await sleep(20);
    expect(handed).toBeGreaterThanOrEqual(65 * 1024 + 5000);
    await settles(tls.close());
    expect((await writing as TlsStreamError).code).toBe('CLOSED');
    out = [];
  });
});

describe('close()', () => {
  it('settles against a peer that stopped reading: pending writes reject, the transport is aborted after closeTimeout', async () => {
    const [a, b] = memoryPipe(1024);
    const ctl = controlledWrites(a);
    const server = acceptTls(b, { config: serverConfig() });
    const client = startTls(ctl.transport, { config: clientConfig(), closeTimeout: 100 });
    await settles(Promise.all([client.handshake, server.handshake]));
    ctl.stall();
    const w = client.writable.getWriter();
    const writing = outcome(w.write(new Uint8Array(100000)));
    await sleep(20);
    const started = Date.now();
    await settles(client.close(), 2000);
    expect(Date.now() - started).toBeGreaterThanOrEqual(90);
    await settles(client.closed);
    const e = await writing;
    expect(e).toBeInstanceOf(TlsStreamError);
    expect((e as TlsStreamError).code).toBe('CLOSED');
    expect((await settles(client.readable.getReader().read())).done).toBe(true);
    await settles(w.abort());
  });

  it('settles when the transport takes nothing during the handshake, rejecting the handshake with CLOSED', async () => {
    const [a] = memoryPipe();
    const writable = new WritableStream<Uint8Array>({ write: () => new Promise<void>(() => undefined) });
    const client = startTls({ readable: a.readable, writable }, { config: clientConfig(), closeTimeout: 50 });
    await sleep(20);
    await settles(client.close(), 2000);
    const e = await outcome(client.handshake);
    expect(e).toBeInstanceOf(TlsStreamError);
    expect((e as TlsStreamError).code).toBe('CLOSED');
  });

  it('writable.abort() settles against a stalled transport too', async () => {
    const [a, b] = memoryPipe(1024);
    const ctl = controlledWrites(a);
    const server = acceptTls(b, { config: serverConfig() });
    const client = startTls(ctl.transport, { config: clientConfig(), closeTimeout: 50 });
    await settles(Promise.all([client.handshake, server.handshake]));
    ctl.stall();
    const w = client.writable.getWriter();
    void w.write(new Uint8Array(100000)).catch(() => undefined);
    await sleep(20);
    await settles(w.abort(), 2000);
    await settles(client.closed);
  });

  it('returns the same promise to concurrent calls, resolved once the transport was released', async () => {
    const { client, server } = pair();
    await settles(Promise.all([client.handshake, server.handshake]));
    let released = false;
    void client.closed.then(() => {
      released = true;
    });
    const first = client.close();
    const second = client.close();
    expect(second).toBe(first);
    await settles(second);
    expect(released).toBe(true);
  });

  it('refuses a bad closeTimeout, naming it', () => {
    const [a] = memoryPipe();
    expect(() => startTls(a, { config: clientConfig(), closeTimeout: -1 })).toThrow(RangeError);
    expect(() => startTls(a, { config: clientConfig(), closeTimeout: Number.NaN })).toThrow(/options\.closeTimeout/);
  });
});

describe('0-RTT', () => {
  it('sends refused early data again after the handshake, before later writes', async () => {
    const sealer = createTicketKeys(selectWebProvider(), { now: Date.now });
    let ticket: ClientTicket | undefined;
    const [a, b] = memoryPipe();
    const server1 = acceptTls(b, { config: serverConfig({ ticketSealer: sealer, maxEarlyDataSize: 16384 }) });
    const client1 = startTls(a, {
      config: clientConfig(),
      onEvent: (e) => {
        if (e.type === 'session_ticket') ticket = e.ticket;
      },
    });
    await settles(Promise.all([client1.handshake, server1.handshake]));
    for (let i = 0; i < 50 && ticket === undefined; i++) await sleep(10);
    expect(ticket?.maxEarlyDataSize).toBe(16384);
    await settles(Promise.all([client1.close(), server1.close()]));

    // The server now takes no 0-RTT data: the client must send it again.
    const [c, d] = memoryPipe();
    const server2 = acceptTls(d, { config: serverConfig({ ticketSealer: sealer, maxEarlyDataSize: 0 }) });
    const early = text('GET / HTTP/1.0\r\n\r\n');
    const client2 = startTls(c, { config: clientConfig(), session: ticket as ClientTicket, earlyData: early });
    early.fill(0); // our copy was taken
    const w = client2.writable.getWriter();
    void w.write(text('after'));
    const [info] = await settles(Promise.all([client2.handshake, server2.handshake]));
    expect(info.resumed).toBe(true);
    expect(info.earlyDataAccepted).toBe(false);
    await settles(w.close());
    expect(new TextDecoder().decode(await readAll(server2.readable))).toBe('GET / HTTP/1.0\r\n\r\nafter');
  });
});

describe('@puretls/web/deno connect()', () => {
  const realDeno = (globalThis as { Deno?: unknown }).Deno;
  afterEach(() => {
    (globalThis as { Deno?: unknown }).Deno = realDeno;
  });

  it('closes the connection it opened when startTls refuses the options', async () => {
    let closes = 0;
    const [a] = memoryPipe();
    (globalThis as { Deno?: unknown }).Deno = {
      connect: async () => ({
        readable: a.readable,
        writable: a.writable,
        close: () => {
          closes++;
        },
      }),
    };
    await expect(denoConnect({ hostname: 'example.com', port: 443, config: clientConfig(), readHighWaterMark: -1 })).rejects.toThrow(/readHighWaterMark/);
    expect(closes).toBe(1);
  });
});
