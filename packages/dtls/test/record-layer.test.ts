/**
 * The record layer against RFC 9147 §4 (Figures 2-4), §4.2.2, §4.2.3, §4.5.1, and an independent
 * re-derivation with node:crypto: HKDF-Expand-Label with the "dtls13" prefix (§5.9), AES-ECB and
 * ChaCha20 record number masks, and AEAD opening of a record captured from the wire.
 */
import { createCipheriv, createDecipheriv, createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { decodeAck, encodeAck } from '../src/ack.js';
import { encodeFragment, parseFragments, tlsForm } from '../src/handshake/framing.js';
import { Reassembler } from '../src/handshake/reassembly.js';
import { epochKeys } from '../src/record/epoch.js';
import { encodePlaintext, parseDatagram, sealRecord } from '../src/record/records.js';
import { reconstructSequence, ReplayWindow } from '../src/record/replay-window.js';
import { snMasker } from '../src/record/sn-mask.js';
import { CipherSuite } from '@puretls/tls';
import { DtlsClientConnection, DtlsServerConnection, type DtlsEvent } from '../src/index.js';
import { Clock, configs, provider } from './helpers/keys.js';
import { completed, SimNet } from './helpers/simnet.js';

const hex = (s: string) => Uint8Array.from(Buffer.from(s.replace(/\s+/g, ''), 'hex'));

describe('record formats (RFC 9147 §4)', () => {
  it('encodes_DTLSPlaintext_as_in_figure_2', () => {
    const r = encodePlaintext(22, 0, 0x0102030405, Uint8Array.of(0xaa, 0xbb));
    expect(Buffer.from(r).toString('hex')).toBe('16fefd' + '0000' + '000102030405' + '0002' + 'aabb');
  });

  it('parses_the_three_header_forms_of_figure_4_in_one_datagram', () => {
    const plain = encodePlaintext(21, 0, 7, Uint8Array.of(2, 40));
    // Full: 0b00111110 | epoch bits 2: C, S (16-bit), L; a 2-byte CID.
    const full = Uint8Array.from([0x3e, 0xc1, 0xd0, 0x12, 0x34, 0x00, 0x11, ...new Uint8Array(17).fill(5)]);
    // Minimal: 0b00100011: no CID, 8-bit sequence number, no length: runs to the end.
    const minimal = Uint8Array.from([0x23, 0x99, ...new Uint8Array(20).fill(6)]);
    const d = Uint8Array.from([...plain, ...full, ...minimal]);
    const rs = parseDatagram(d, 2).records;
    expect(rs.length).toBe(3);
    expect(rs[0]).toMatchObject({ kind: 'plaintext', type: 21, epoch: 0, seq: 7 });
    expect(rs[1]).toMatchObject({ kind: 'ciphertext', epochBits: 2, seqLength: 2, seqOffset: 3 });
    expect(Array.from((rs[1] as { cid: Uint8Array }).cid)).toEqual([0xc1, 0xd0]);
    expect((rs[1] as { body: Uint8Array }).body.length).toBe(17);
    expect(rs[2]).toMatchObject({ kind: 'ciphertext', epochBits: 3, seqLength: 1, seqOffset: 1, cid: null });
    expect((rs[2] as { body: Uint8Array }).body.length).toBe(20);
  });

  it('stops_at_a_record_it_cannot_delimit', () => {
    expect(parseDatagram(Uint8Array.of(0x16, 0xfe, 0xfd, 0, 0), 0).records).toEqual([]);
    expect(parseDatagram(Uint8Array.of(0x40, 1, 2, 3), 0).records).toEqual([]);
    // A CID that was not negotiated cannot be delimited (RFC 9147 §9.1).
    expect(parseDatagram(Uint8Array.of(0x3c, 1, 2, 0, 1, 9), 0).records).toEqual([]);
    // A length past the end.
    expect(parseDatagram(Uint8Array.of(0x2c, 0, 1, 0, 9, 1, 2), 0).records).toEqual([]);
  });
});

describe('sequence numbers (RFC 9147 §4.2.2, §4.5.1)', () => {
  it('reconstructs_the_number_closest_to_the_next_expected', () => {
    expect(reconstructSequence(0, 5, 8)).toBe(5);
    expect(reconstructSequence(0x1fe, 0x02, 8)).toBe(0x202);
    expect(reconstructSequence(0x202, 0xfe, 8)).toBe(0x1fe);
    expect(reconstructSequence(0x10005, 0xfffe, 16)).toBe(0xfffe);
    expect(reconstructSequence(3, 0xff, 8)).toBe(0xff);
  });

  it('slides_the_replay_window_and_refuses_duplicates_and_old_numbers', () => {
    const w = new ReplayWindow();
    for (const s of [0, 1, 5, 3]) {
      expect(w.check(s)).toBe(true);
      w.accept(s);
    }
    expect(w.check(3)).toBe(false);
    expect(w.check(2)).toBe(true);
    w.accept(1000);
    expect(w.check(5)).toBe(false);
    expect(w.check(1000 - 255)).toBe(true);
    expect(w.check(1000 - 256)).toBe(false);
    expect(w.check(1001)).toBe(true);
  });
});

describe('record number encryption (RFC 9147 §4.2.3)', () => {
  const ct = hex('000102030405060708090a0b0c0d0e0f1011');
  it('uses_AES_ECB_on_the_first_16_ciphertext_bytes', () => {
    const key = hex('00112233445566778899aabbccddeeff');
    const e = createCipheriv('aes-128-ecb', key, null).setAutoPadding(false);
    expect(snMasker('AES-128-GCM', key)(ct)).toEqual(new Uint8Array(e.update(ct.subarray(0, 16))));
  });

  it('uses_ChaCha20_with_the_first_4_bytes_as_little_endian_counter_and_the_next_12_as_nonce', () => {
    const key = new Uint8Array(32).map((_, i) => i * 7);
    // node:crypto's chacha20 iv is counter (4 bytes, little-endian) || nonce: exactly ct[0..15].
    const e = createCipheriv('chacha20', key, ct.subarray(0, 16));
    expect(snMasker('CHACHA20-POLY1305', key)(ct)).toEqual(new Uint8Array(e.update(new Uint8Array(16))));
  });

  it('pads_short_plaintexts_so_that_CCM_8_ciphertexts_are_16_bytes', () => {
    const suite = CipherSuite.TLS_AES_128_CCM_8_SHA256;
    const ks = { provider, hash: suite.hash, hashLength: suite.hashLength, labelPrefix: new TextEncoder().encode('dtls13') };
    const keys = epochKeys(provider, ks, suite, new Uint8Array(32).fill(1), 3);
    const rec = sealRecord(keys, 0, 23, Uint8Array.of(1), new Uint8Array(0));
    expect(rec.length - 5).toBe(16);
  });
});

/** HKDF-Expand-Label with the "dtls13" prefix, written independently with node:crypto HMAC. */
function expandLabel(hash: 'sha256' | 'sha384', secret: Uint8Array, label: string, length: number): Uint8Array {
  const full = Buffer.from('dtls13' + label);
  const info = Buffer.concat([Buffer.from([length >> 8, length & 0xff, full.length]), full, Buffer.from([0])]);
  const out: Buffer[] = [];
  let t = Buffer.alloc(0);
  for (let i = 1; Buffer.concat(out).length < length; i++) {
    t = createHmac(hash, secret).update(Buffer.concat([t, info, Buffer.from([i])])).digest();
    out.push(t);
  }
  return new Uint8Array(Buffer.concat(out).subarray(0, length));
}

describe('an application record from the wire, opened with node:crypto', () => {
  for (const suite of ['TLS_AES_128_GCM_SHA256', 'TLS_CHACHA20_POLY1305_SHA256'] as const) {
    it(`${suite}: dtls13 labels, sn mask, nonce and additional data`, async () => {
      const clock = new Clock();
      const secrets = new Map<string, Uint8Array>();
      const { client, server } = configs(clock, {
        client: { cipherSuites: [suite], keyLog: (label, _r, secret) => secrets.set(label, secret), connectionIdLength: 3 },
        server: { cipherSuites: [suite], connectionIdLength: 2 },
      });
      const c = new DtlsClientConnection(client);
      const s = new DtlsServerConnection(server);
      const net = new SimNet(c, s, clock);
      await net.run(() => completed(net));
      const at = net.sent[0].length;
      c.send(new TextEncoder().encode('hello over dtls'));
      net.collect();
      const d = net.sent[0][at]?.bytes as Uint8Array;
      const cid = s.localConnectionIds[0] as Uint8Array;
      expect(d[0]).toBe(0x20 | 0x10 | 0x08 | 0x04 | 3);
      expect(d.subarray(1, 3)).toEqual(cid);
      const secret = secrets.get('CLIENT_TRAFFIC_SECRET_0') as Uint8Array;
      const keyLength = suite === 'TLS_AES_128_GCM_SHA256' ? 16 : 32;
      const key = expandLabel('sha256', secret, 'key', keyLength);
      const iv = expandLabel('sha256', secret, 'iv', 12);
      const sn = expandLabel('sha256', secret, 'sn', keyLength);
      const header = Buffer.from(d.subarray(0, 7));
      const body = d.subarray(7);
      expect((header[5] as number) * 256 + (header[6] as number)).toBe(body.length);
      const mask =
        suite === 'TLS_AES_128_GCM_SHA256'
          ? createCipheriv('aes-128-ecb', sn, null).setAutoPadding(false).update(body.subarray(0, 16))
          : createCipheriv('chacha20', sn, body.subarray(0, 16)).update(Buffer.alloc(16));
      header[3] = (header[3] as number) ^ (mask[0] as number);
      header[4] = (header[4] as number) ^ (mask[1] as number);
      const seq = (header[3] as number) * 256 + (header[4] as number);
      expect(seq).toBe(0);
      const nonce = Buffer.from(iv);
      nonce[11] = (nonce[11] as number) ^ seq;
      const alg = suite === 'TLS_AES_128_GCM_SHA256' ? 'aes-128-gcm' : 'chacha20-poly1305';
      const dec = createDecipheriv(alg as 'aes-128-gcm', key, nonce, { authTagLength: 16 } as never);
      dec.setAAD(header);
      dec.setAuthTag(body.subarray(body.length - 16));
      const inner = Buffer.concat([dec.update(body.subarray(0, body.length - 16)), dec.final()]);
      expect(inner.subarray(0, -1).toString()).toBe('hello over dtls');
      expect(inner[inner.length - 1]).toBe(23);
    });
  }

  it('accepts_records_in_the_minimal_header_form_it_does_not_send_itself', async () => {
    const clock = new Clock();
    const secrets = new Map<string, Uint8Array>();
    const { client, server } = configs(clock, { client: { cipherSuites: ['TLS_AES_128_GCM_SHA256'], keyLog: (l, _r, x) => secrets.set(l, x) } });
    const c = new DtlsClientConnection(client);
    const s = new DtlsServerConnection(server);
    const net = new SimNet(c, s, clock);
    await net.run(() => completed(net));
    const suite = CipherSuite.TLS_AES_128_GCM_SHA256;
    const ks = { provider, hash: suite.hash, hashLength: suite.hashLength, labelPrefix: new TextEncoder().encode('dtls13') };
    const keys = epochKeys(provider, ks, suite, secrets.get('CLIENT_TRAFFIC_SECRET_0') as Uint8Array, 3);
    // Minimal header: 0b00100011, 8-bit sequence number, no length (RFC 9147 Figure 4).
    const seq = 0;
    const header = Uint8Array.of(0x23, seq);
    const inner = Uint8Array.from([...new TextEncoder().encode('minimal'), 23]);
    const nonce = keys.iv.slice();
    const sealed = keys.aead.seal(nonce, inner, header);
    const mask = keys.mask(sealed);
    const rec = Uint8Array.from([0x23, seq ^ (mask[0] as number), ...sealed]);
    s.feedDatagram(rec, clock.t);
    const ev: DtlsEvent[] = [];
    for (let e = s.poll(); e; e = s.poll()) ev.push(e);
    expect(ev.filter((e) => e.type === 'application_data').map((e) => new TextDecoder().decode((e as { data: Uint8Array }).data))).toEqual(['minimal']);
  });
});

describe('handshake framing and ACKs (RFC 9147 §5.2, §5.5, §7)', () => {
  it('round_trips_fragments_and_strips_the_dtls_fields_for_the_transcript', () => {
    const f = encodeFragment(11, 1000, 3, 200, new Uint8Array(100).fill(9));
    expect(Buffer.from(f.subarray(0, 12)).toString('hex')).toBe('0b0003e8' + '0003' + '0000c8' + '000064');
    const p = parseFragments(Uint8Array.from([...f, ...encodeFragment(20, 2, 4, 0, Uint8Array.of(1, 2))]));
    expect(p?.map((x) => [x.type, x.length, x.messageSeq, x.offset, x.data.length])).toEqual([
      [11, 1000, 3, 200, 100],
      [20, 2, 4, 0, 2],
    ]);
    expect(tlsForm(20, Uint8Array.of(1, 2))).toEqual(Uint8Array.of(20, 0, 0, 2, 1, 2));
    expect(parseFragments(f.subarray(0, 11))).toBeNull();
    expect(parseFragments(encodeFragment(1, 10, 0, 8, Uint8Array.of(1, 2, 3)))).toBeNull();
  });

  it('reassembles_out_of_order_duplicate_and_overlapping_fragments', () => {
    const r = new Reassembler(65536);
    const body = new Uint8Array(300).map((_, i) => i & 0xff);
    const frag = (off: number, len: number, seq = 0) => ({ type: 11, length: 300, messageSeq: seq, offset: off, data: body.subarray(off, off + len) });
    expect(r.add(frag(200, 100), 2)).toBe('buffered');
    expect(r.take()).toBeNull();
    expect(r.add(frag(0, 150), 2)).toBe('buffered');
    expect(r.add(frag(100, 150), 2)).toBe('buffered');
    expect(r.add(frag(0, 150), 2)).toBe('buffered');
    const m = r.take();
    expect(m?.body).toEqual(body);
    expect(r.add(frag(0, 10), 2)).toBe('old');
  });

  it('refuses_fragments_whose_overlapping_bytes_differ', () => {
    const r = new Reassembler(65536);
    r.add({ type: 11, length: 10, messageSeq: 0, offset: 0, data: new Uint8Array(6) }, 2);
    expect(() => r.add({ type: 11, length: 10, messageSeq: 0, offset: 4, data: new Uint8Array(6).fill(1) }, 2)).toThrow(/changed/);
    expect(() => r.add({ type: 12, length: 10, messageSeq: 0, offset: 0, data: new Uint8Array(1) }, 2)).toThrow(/disagree/);
  });

  it('bounds_what_it_buffers', () => {
    const r = new Reassembler(4096, 8, 10000);
    expect(() => r.add({ type: 11, length: 5000, messageSeq: 0, offset: 0, data: new Uint8Array(1) }, 2)).toThrow(/exceeds/);
    expect(r.add({ type: 11, length: 100, messageSeq: 8, offset: 0, data: new Uint8Array(1) }, 2)).toBe('dropped');
    expect(r.add({ type: 11, length: 4000, messageSeq: 1, offset: 0, data: new Uint8Array(1) }, 2)).toBe('buffered');
    expect(r.add({ type: 11, length: 4000, messageSeq: 2, offset: 0, data: new Uint8Array(1) }, 2)).toBe('buffered');
    expect(r.add({ type: 11, length: 4000, messageSeq: 3, offset: 0, data: new Uint8Array(1) }, 2)).toBe('dropped');
  });

  it('encodes_acks_in_increasing_order_and_refuses_malformed_ones', () => {
    const a = encodeAck([{ epoch: 3, seq: 1 }, { epoch: 2, seq: 9 }]);
    expect(Buffer.from(a).toString('hex')).toBe('0020' + '0000000000000002' + '0000000000000009' + '0000000000000003' + '0000000000000001');
    expect(decodeAck(a)).toEqual([{ epoch: 2, seq: 9 }, { epoch: 3, seq: 1 }]);
    expect(decodeAck(a.subarray(0, 20))).toBeNull();
    expect(decodeAck(Uint8Array.of(0, 3, 1, 2, 3))).toBeNull();
  });
});
