/** Buffers a peer can grow while the engine waits on an asynchronous step are bounded. */
import { describe, expect, it } from 'vitest';
import type { SignatureSchemeName } from '@puretls/crypto';
import { ClientConnection, ServerConnection, signerFromPrivateKey, type Signer } from '../src/index.js';
import { doHandshake, exchange, makeConfigs, makePair, provider, testKey } from './helpers/pair.js';
import { ContentType } from '../src/constants.js';
import { RecordSealer } from '../src/record/protection.js';

/** A signer that signs only when `release()` is called, so the server stays in Waiting:sign. */
function heldSigner(): Signer & { release(): void } {
  const inner = signerFromPrivateKey(provider, testKey('ed25519').pkcs8);
  let go: () => void = () => undefined;
  const gate = new Promise<void>((r) => (go = r));
  return {
    schemes: inner.schemes,
    async sign(scheme: SignatureSchemeName, m: Uint8Array) {
      await gate;
      return inner.sign(scheme, m);
    },
    release: () => go(),
  };
}

const bigRecord = (): Uint8Array => {
  const r = new Uint8Array(5 + 16384);
  r.set([23, 3, 3, 0x40, 0x00]);
  return r;
};

function waitingServer(maxPendingInput?: number) {
  const signer = heldSigner();
  const key = testKey('ed25519');
  const { client, server } = makeConfigs({ server: { certificates: [{ chain: key.chain, key: signer }], ...(maxPendingInput === undefined ? {} : { maxPendingInput }) } });
  const c = new ClientConnection(client);
  const s = new ServerConnection(server);
  s.feed(c.pull() as Uint8Array);
  expect(s.state).toBe('Waiting:sign');
  return { c, s, signer };
}

describe('input fed while an asynchronous step is pending', () => {
  it('fails with PENDING_INPUT_LIMIT / internal_error past the default 256 KiB, and stays failed', () => {
    const { s } = waitingServer();
    for (let i = 0; i < 15; i++) s.feed(bigRecord()); // 15 × 16389 = 245835 bytes: under the limit
    expect(s.error).toBeNull();
    s.feed(bigRecord());
    expect([s.error?.code, s.error?.alert]).toEqual(['PENDING_INPUT_LIMIT', 'internal_error']);
    expect(s.state).toBe('Failed');
    // The alert is queued for the peer.
    const out = s.pull();
    expect(out).not.toBeNull();
  });

  it('honours a configured limit', () => {
    const { s } = waitingServer(40000);
    s.feed(bigRecord());
    s.feed(bigRecord());
    expect(s.error).toBeNull();
    s.feed(bigRecord());
    expect(s.error?.code).toBe('PENDING_INPUT_LIMIT');
  });

  it('input under the limit is processed once the step settles', async () => {
    const { c, s, signer } = waitingServer();
    signer.release();
    await s.pending;
    c.feed(s.pull() as Uint8Array);
    while (c.pending) await c.pending;
    s.feed(c.pull() as Uint8Array);
    expect(s.state).toBe('Connected');
  });

  it('refuses a limit below one maximal record', () => {
    expect(() => makeConfigs({ server: { maxPendingInput: 1000 } })).toThrow(/maxPendingInput/);
  });
});

describe('handshake reassembly work (RFC 8446 §5.1: a message may come a byte per record)', () => {
  /** Bytes copied by typed-array set/copyWithin/slice while `f` runs: the work, without timing it. */
  function bytesCopied(f: () => void): number {
    const proto = Uint8Array.prototype;
    const { set, copyWithin, slice } = proto;
    let n = 0;
    proto.set = function (this: Uint8Array, src: ArrayLike<number>, offset?: number) {
      n += src.length;
      return set.call(this, src, offset);
    };
    proto.copyWithin = function (this: Uint8Array, target: number, start: number, end?: number) {
      n += (end ?? this.length) - start;
      return copyWithin.call(this, target, start, end);
    };
    proto.slice = function (this: Uint8Array, start?: number, end?: number) {
      const r = slice.call(this, start, end);
      n += r.length;
      return r;
    };
    try {
      f();
    } finally {
      Object.assign(proto, { set, copyWithin, slice });
    }
    return n;
  }

  it('copies each byte a bounded number of times: a 60 KB ClientHello in one-byte records', () => {
    // An unknown extension (ignored by the server) makes the ClientHello 60 KB.
    const big = makeConfigs({ client: { extensionHook: (where, exts) => (where === 'client_hello' ? [...exts, { type: 0xff11, data: new Uint8Array(60000) }] : exts) } });
    const hello = new ClientConnection(big.client).pull() as Uint8Array;
    const body = hello.subarray(5);
    expect(body.length).toBeGreaterThan(60000);
    const records = new Uint8Array(body.length * 6);
    for (let i = 0; i < body.length; i++) records.set([22, 3, 1, 0, 1, body[i] as number], 6 * i);
    const s = new ServerConnection(big.server);
    const copied = bytesCopied(() => s.feed(records));
    expect(s.error?.code ?? null).not.toBe('HANDSHAKE_MESSAGE_TOO_LARGE');
    // Read past the ClientHello: the server answered (or refused the unknown extension cleanly).
    expect(s.pull()).not.toBeNull();
    // Quadratic before (≈ n²/2 = 1.8e9 bytes); now a few copies per byte of input.
    expect(copied).toBeLessThan(20 * records.length);
  });
});

describe('records and messages without application data, in a row (OpenSSL, BoringSSL and Go cap them too)', () => {
  /** The client's next `n` one-byte writes go out as empty application data records (same length, one more padding byte). */
  function emptyRecords(p: ReturnType<typeof makePair>, n: number): void {
    const orig = RecordSealer.prototype.sealInto;
    RecordSealer.prototype.sealInto = function (this: RecordSealer, type: number, content: Uint8Array, padding: number, out: Uint8Array) {
      if (type === ContentType.application_data && content.length === 1) return orig.call(this, type, new Uint8Array(0), padding + 1, out);
      return orig.call(this, type, content, padding, out);
    };
    try {
      for (let i = 0; i < n; i++) p.client.write(Uint8Array.of(1));
    } finally {
      RecordSealer.prototype.sealInto = orig;
    }
  }

  it('takes 32 empty application data records, refuses the 33rd with TOO_MANY_NON_DATA_RECORDS; data resets the count', async () => {
    const p = makePair();
    await doHandshake(p.client, p.server);
    emptyRecords(p, 32);
    p.client.write(Uint8Array.of(7));
    emptyRecords(p, 32);
    await exchange(p.client, p.server);
    expect(p.server.error).toBeNull();
    emptyRecords(p, 1);
    await exchange(p.client, p.server);
    expect([p.server.error?.code, p.server.error?.alert]).toEqual(['TOO_MANY_NON_DATA_RECORDS', 'unexpected_message']);
    expect(p.client.error?.code).toBe('PEER_ALERT');
  });

  it('refuses a 33rd KeyUpdate in a row (each derives keys: a loop of them costs work without bound)', async () => {
    const p = makePair();
    await doHandshake(p.client, p.server);
    for (let i = 0; i < 32; i++) p.server.keyUpdate(false);
    await exchange(p.client, p.server);
    expect(p.client.error).toBeNull();
    p.server.keyUpdate(false);
    await exchange(p.client, p.server);
    expect([p.client.error?.code, p.client.error?.alert]).toEqual(['TOO_MANY_NON_DATA_RECORDS', 'unexpected_message']);
  });

  it('does not count the KeyUpdates a peer owes us for our update_requested ones (OpenSSL answers each)', async () => {
    const p = makePair();
    await doHandshake(p.client, p.server);
    // A client rotating keys both ways on an upload-only connection: the server never sends data.
    for (let i = 0; i < 40; i++) {
      p.client.keyUpdate(true);
      p.client.write(Uint8Array.of(i));
      await exchange(p.client, p.server);
      p.server.keyUpdate(false); // one answer per request, as OpenSSL gives (ours coalesces them)
      await exchange(p.client, p.server);
    }
    expect([p.client.error, p.server.error]).toEqual([null, null]);
  });

  it('caps the tickets a server sends per handshake at 16 (clients stop at a run of such messages)', () => {
    expect(() => makeConfigs({ server: { ticketsPerHandshake: 17 } })).toThrow(/0\.\.16/);
    expect(() => makeConfigs({ server: { ticketsPerHandshake: 16 } })).not.toThrow();
  });
});
