/**
 * Byte-flip tampering in flight. Every single-byte flip of a protected record's version bytes (part
 * of the additional data) or body fails the receiver with bad_record_mac — never an exception. Flips in
 * the cleartext hellos fail one side with a TlsError carrying an RFC alert (never internal_error).
 */
import { describe, expect, it } from 'vitest';
import { TlsError } from '../src/index.js';
import { doHandshake, exchange, makePair, type Conn } from './helpers/pair.js';

function splitRecords(b: Uint8Array): { start: number; length: number; type: number }[] {
  const out: { start: number; length: number; type: number }[] = [];
  let at = 0;
  while (at + 5 <= b.length) {
    const len = ((b[at + 3] as number) << 8) | (b[at + 4] as number);
    out.push({ start: at, length: 5 + len, type: b[at] as number });
    at += 5 + len;
  }
  return out;
}

const flip = (b: Uint8Array, i: number): Uint8Array => {
  const c = b.slice();
  c[i] = (c[i] as number) ^ 0x01;
  return c;
};

/** Byte offsets of protected records (outer type 23) in `b`: version bytes and body, not type/length. */
function protectedOffsets(b: Uint8Array): number[] {
  const out: number[] = [];
  for (const r of splitRecords(b)) {
    if (r.type !== 23) continue;
    out.push(r.start + 1, r.start + 2);
    for (let i = r.start + 5; i < r.start + r.length; i++) out.push(i);
  }
  return out;
}

function expectBadRecordMac(victim: Conn, feed: () => void): void {
  expect(feed).not.toThrow();
  expect(victim.error).toBeInstanceOf(TlsError);
  expect([victim.error?.code, victim.error?.alert]).toEqual(['BAD_RECORD_MAC', 'bad_record_mac']);
}

describe('tampering with protected records', () => {
  it('every flip in the server encrypted flight fails the client with bad_record_mac', async () => {
    const probe = makePair();
    probe.server.feed(probe.client.pull() as Uint8Array);
    const offsets = protectedOffsets(probe.server.pull() as Uint8Array);
    expect(offsets.length).toBeGreaterThan(150);
    for (const i of offsets) {
      const p = makePair();
      p.server.feed(p.client.pull() as Uint8Array);
      const flight = p.server.pull() as Uint8Array;
      expectBadRecordMac(p.client, () => p.client.feed(flip(flight, i)));
    }
  });

  it('every flip in the client Finished fails the server with bad_record_mac', async () => {
    for (let i = 0; ; i++) {
      const p = makePair();
      p.server.feed(p.client.pull() as Uint8Array);
      p.client.feed(p.server.pull() as Uint8Array);
      while (p.client.pending) await p.client.pending;
      const fin = p.client.pull() as Uint8Array;
      const offsets = protectedOffsets(fin);
      if (i >= offsets.length) {
        expect(i).toBeGreaterThan(40);
        break;
      }
      expectBadRecordMac(p.server, () => p.server.feed(flip(fin, offsets[i] as number)));
    }
  });

  it('every flip in an application data record fails the receiver with bad_record_mac', async () => {
    const p = makePair();
    await doHandshake(p.client, p.server);
    p.client.write(Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8));
    const rec = p.client.pull() as Uint8Array;
    const offsets = protectedOffsets(rec);
    expect(offsets.length).toBe(2 + 8 + 1 + 16);
    for (const i of offsets) {
      const q = makePair();
      await doHandshake(q.client, q.server);
      q.client.write(Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8));
      const r = q.client.pull() as Uint8Array;
      expectBadRecordMac(q.server, () => q.server.feed(flip(r, i)));
    }
  });

  it('a flipped outer content type or a shortened length is refused, never an exception', async () => {
    const p = makePair();
    await doHandshake(p.client, p.server);
    p.client.write(Uint8Array.of(1, 2, 3));
    const rec = p.client.pull() as Uint8Array;
    const typeFlip = flip(rec, 0); // 23 -> 22: a cleartext handshake record after keys
    expect(() => p.server.feed(typeFlip)).not.toThrow();
    expect([p.server.error?.code, p.server.error?.alert]).toEqual(['UNPROTECTED_RECORD', 'unexpected_message']);
    const q = makePair();
    await doHandshake(q.client, q.server);
    q.client.write(Uint8Array.of(1, 2, 3));
    const r = q.client.pull() as Uint8Array;
    const shorter = r.slice(0, r.length - 1);
    shorter[4] = (shorter[4] as number) - 1;
    q.server.feed(shorter);
    expect([q.server.error?.code, q.server.error?.alert]).toEqual(['BAD_RECORD_MAC', 'bad_record_mac']);
  });
});

const RFC_ALERTS = new Set(['decode_error', 'illegal_parameter', 'decrypt_error', 'bad_record_mac', 'handshake_failure', 'protocol_version', 'unsupported_extension', 'missing_extension', 'unexpected_message', 'record_overflow', 'bad_certificate']);

describe('tampering with the cleartext hellos', () => {
  for (const which of ['ClientHello', 'ServerHello'] as const) {
    it(`every flip in the ${which} body fails a side with an RFC alert`, async () => {
      const probe = makePair();
      const chLen = (probe.client.pull() as Uint8Array).length;
      let checked = 0;
      const counts = new Map<string, number>();
      for (let i = 5; ; i++) {
        const p = makePair();
        const ch = p.client.pull() as Uint8Array;
        if (which === 'ClientHello') {
          if (i >= chLen) break;
          p.server.feed(flip(ch, i));
        } else {
          p.server.feed(ch);
          const out = p.server.pull() as Uint8Array;
          const shLen = splitRecords(out)[0]?.length ?? 0;
          if (i >= shLen) break;
          p.client.feed(flip(out, i));
        }
        const ev = await exchange(p.client, p.server);
        const failed = [p.client.error, p.server.error].filter((e) => e !== null && !e.remote);
        if (failed.length === 0 && i >= 6 && i <= 8) {
          // A longer handshake length: the receiver waits for the rest of the message, nothing more.
          expect(ev.client.concat(ev.server).some((e) => e.type === 'handshake_complete')).toBe(false);
          expect(which === 'ClientHello' ? p.server.state : p.client.state).toBe(which === 'ClientHello' ? 'ExpectClientHello' : 'ExpectServerHello');
          continue;
        }
        expect(failed.length, `flip at ${i} went unnoticed`).toBeGreaterThan(0);
        for (const e of failed) {
          expect(e).toBeInstanceOf(TlsError);
          expect(RFC_ALERTS.has(e?.alert ?? ''), `${e?.code}/${e?.alert} at ${i}`).toBe(true);
          counts.set(e?.alert ?? '', (counts.get(e?.alert ?? '') ?? 0) + 1);
        }
        checked++;
      }
      expect(checked).toBeGreaterThan(80);
      // Transcript divergence is caught by Finished/record authentication; parsing errors by the codecs.
      expect(counts.get('decode_error') ?? 0).toBeGreaterThan(0);
    });
  }
});
