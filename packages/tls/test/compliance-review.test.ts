/**
 * RFC-compliance findings of a review of the TLS 1.3 engine, one describe() per finding: the exact
 * code and alert, and (where the misbehaving peer can read it) that the alert reached it.
 */
import { describe, expect, it } from 'vitest';
import { ClientConnection, ServerConnection, createTicketSealer, type ClientTicket } from '../src/index.js';
import { ContentType, ExtensionType as E, HELLO_RETRY_REQUEST_RANDOM } from '../src/constants.js';
import { RecordSealer } from '../src/record/protection.js';
import { evilServer } from './helpers/evil.js';
import { dataOf, doHandshake, exchange, makeConfigs, makePair, provider, stubVerifier, testKey, type Conn, type PairOptions } from './helpers/pair.js';

const sealerKey = new Uint8Array(32).fill(9);

/** The largest record (TLSCiphertext.length) in a run of records. */
function largestRecord(b: Uint8Array): number {
  let max = 0;
  for (let i = 0; i + 5 <= b.length; ) {
    const l = ((b[i + 3] as number) << 8) | (b[i + 4] as number);
    max = Math.max(max, l);
    i += 5 + l;
  }
  return max;
}

function expectFailed(victim: Conn, code: string, alert: string, evil?: Conn): void {
  expect([victim.error?.code, victim.error?.alert], victim.error?.message).toEqual([code, alert]);
  if (evil !== undefined) expect([evil.error?.code, evil.error?.alert]).toEqual(['PEER_ALERT', alert]);
}

async function ticket(o: PairOptions): Promise<ClientTicket> {
  const p = makePair(o);
  const ev = await doHandshake(p.client, p.server);
  return (ev.client.find((e) => e.type === 'session_ticket') as { ticket: ClientTicket }).ticket;
}

/** A peer that does not keep to our record_size_limit (it never learns it). */
class IgnoringServer extends ServerConnection {
  protected override setPeerRecordSizeLimit(_n: number): void {}
}
class IgnoringClient extends ClientConnection {
  protected override setPeerRecordSizeLimit(_n: number): void {}
}
/** A server that keeps to the client's limit during the handshake, then forgets it. */
class ForgetfulServer extends ServerConnection {
  forget(): void {
    this.setPeerRecordSizeLimit(16385);
  }
}

describe('RFC 8449 §4: records larger than our advertised record_size_limit are a record_overflow', () => {
  it('client refuses the server flight when the record carrying EncryptedExtensions is over its limit', async () => {
    const cfgs = makeConfigs({ client: { recordSizeLimit: 64 }, server: { recordSizeLimit: 16385 } });
    const client = new ClientConnection(cfgs.client);
    const server = new IgnoringServer(cfgs.server);
    await exchange(client, server);
    expectFailed(client, 'RECORD_OVERFLOW', 'record_overflow', server);
    expect(client.error?.message).toMatch(/record_size_limit 64/);
  });

  it('client refuses application data over its limit after the handshake', async () => {
    const cfgs = makeConfigs({ client: { recordSizeLimit: 256 }, server: { recordSizeLimit: 16385 } });
    const client = new ClientConnection(cfgs.client);
    const server = new ForgetfulServer(cfgs.server);
    await doHandshake(client, server);
    server.forget();
    server.write(new Uint8Array(4000).fill(7));
    const ev = await exchange(client, server);
    expectFailed(client, 'RECORD_OVERFLOW', 'record_overflow', server);
    expect(dataOf(ev.client).length).toBe(0);
  });

  it('server refuses application data over its limit', async () => {
    const cfgs = makeConfigs({ client: { recordSizeLimit: 1024 }, server: { recordSizeLimit: 128 } });
    const client = new IgnoringClient(cfgs.client);
    const server = new ServerConnection(cfgs.server);
    await doHandshake(client, server);
    client.write(new Uint8Array(3000).fill(1));
    const ev = await exchange(client, server);
    expectFailed(server, 'RECORD_OVERFLOW', 'record_overflow', client);
    expect(dataOf(ev.server).length).toBe(0);
  });

  it('server refuses a client handshake record over its limit while skipping rejected 0-RTT', async () => {
    // The ticket does not open at this server: a full handshake, 0-RTT skipped by trial decryption.
    // The client's Certificate record does open, so its record_overflow must not pass for skipped 0-RTT.
    const session = await ticket({ server: { ticketSealer: createTicketSealer(provider, sealerKey), maxEarlyDataSize: 1000 } });
    const key = testKey('P-256');
    const cfgs = makeConfigs({
      client: { recordSizeLimit: 16385, clientCertificate: { chain: key.chain, key: key.pkcs8 } },
      server: { recordSizeLimit: 64, ticketSealer: createTicketSealer(provider, new Uint8Array(32).fill(1)), clientAuth: 'required', clientVerifier: stubVerifier(key) },
    });
    const client = new IgnoringClient(cfgs.client, { session, earlyData: new Uint8Array(100) });
    const server = new ServerConnection(cfgs.server);
    await exchange(client, server);
    expectFailed(server, 'RECORD_OVERFLOW', 'record_overflow', client);
  });

  it('padding counts toward the limit: both sides pad up to the peer limit, not past it', async () => {
    const pad = () => 100_000;
    const cfgs = makeConfigs({ client: { recordSizeLimit: 256, padding: pad }, server: { recordSizeLimit: 300, padding: pad } });
    const client = new ClientConnection(cfgs.client);
    const server = new ServerConnection(cfgs.server);
    await doHandshake(client, server);
    server.write(new Uint8Array(1000).fill(2));
    const toClient = server.pull() as Uint8Array;
    // TLSInnerPlaintext exactly at the limit, plus the AEAD tag: accepted.
    expect(largestRecord(toClient)).toBe(256 + 16);
    client.feed(toClient);
    client.write(new Uint8Array(1000).fill(3));
    const ev = await exchange(client, server);
    expect(client.error).toBeNull();
    expect(server.error).toBeNull();
    expect(dataOf(ev.client).length).toBe(1000);
    expect(dataOf(ev.server).length).toBe(1000);
  });

  it('accepted 0-RTT is not held to the server limit the client had not yet seen; the handshake after it is', async () => {
    const opts = { client: { recordSizeLimit: 256 }, server: { recordSizeLimit: 256, ticketSealer: createTicketSealer(provider, sealerKey), maxEarlyDataSize: 10000 } };
    const session = await ticket(opts);
    const cfgs = makeConfigs(opts);
    const client = new ClientConnection(cfgs.client, { session, earlyData: new Uint8Array(4000).fill(5) });
    const server = new ServerConnection(cfgs.server);
    const ev = await doHandshake(client, server);
    expect(dataOf(ev.server, 'early_data').length).toBe(4000);
    client.write(new Uint8Array(4000).fill(6));
    const ev2 = await exchange(client, server);
    expect(server.error).toBeNull();
    expect(dataOf(ev2.server).length).toBe(4000);
  });

  it('is not enforced when only one side sent the extension (not negotiated)', async () => {
    const cfgs = makeConfigs({ client: { recordSizeLimit: 64 } });
    const client = new ClientConnection(cfgs.client);
    const server = new ServerConnection(cfgs.server);
    await doHandshake(client, server);
    server.write(new Uint8Array(4000).fill(7));
    const ev = await exchange(client, server);
    expect(client.error).toBeNull();
    expect(dataOf(ev.client).length).toBe(4000);
  });
});

describe('RFC 9846 §5.4: a zero-length Alert is an unexpected_message', () => {
  it('protected, after the handshake', async () => {
    const p = makePair();
    await doHandshake(p.client, p.server);
    const orig = RecordSealer.prototype.sealInto;
    let armed = true;
    RecordSealer.prototype.sealInto = function (this: RecordSealer, type: number, content: Uint8Array, padding: number, out: Uint8Array) {
      if (armed && type === ContentType.application_data && content.length === 1) {
        armed = false;
        // Same record length: an empty alert and one more byte of padding.
        return orig.call(this, ContentType.alert, new Uint8Array(0), padding + 1, out);
      }
      return orig.call(this, type, content, padding, out);
    };
    try {
      p.client.write(Uint8Array.of(1));
    } finally {
      RecordSealer.prototype.sealInto = orig;
    }
    await exchange(p.client, p.server);
    expectFailed(p.server, 'EMPTY_ALERT_RECORD', 'unexpected_message', p.client);
  });

  it('in the clear, before keys', () => {
    const client = new ClientConnection(makeConfigs().client);
    client.pull();
    client.feed(Uint8Array.of(21, 3, 3, 0, 0));
    expectFailed(client, 'EMPTY_ALERT_RECORD', 'unexpected_message');
  });
});

describe('RFC 9846 §4.3.11: PSK without key_share when only psk_dhe_ke was offered', () => {
  it('is an illegal_parameter', async () => {
    const session = await ticket({ server: { ticketSealer: createTicketSealer(provider, sealerKey) } });
    const cfgs = makeConfigs({ server: { ticketSealer: createTicketSealer(provider, sealerKey) } });
    const client = new ClientConnection(cfgs.client, { session });
    const server = evilServer(cfgs.server, (m) =>
      m.type === 'server_hello' ? { type: 'server_hello', body: { ...m.body, extensions: m.body.extensions.filter((x) => x.type !== E.key_share) } } : undefined,
    );
    await exchange(client, server);
    expectFailed(client, 'PSK_DHE_WITHOUT_KEY_SHARE', 'illegal_parameter', server);
  });
});

describe('RFC 9846 §4.2.3 / §4.3.1: ServerHello legacy_version', () => {
  // Not changed by the review: §4.3.1 has the client take the version from supported_versions only
  // (it does), and §4.2.3 and Appendix E still require protocol_version for a TLS 1.3 ServerHello
  // whose legacy_version is not 0x0303. This pins that reading.
  it('a TLS 1.3 ServerHello (supported_versions 0x0304) with legacy_version 0x0304 is a protocol_version', async () => {
    const cfgs = makeConfigs();
    const client = new ClientConnection(cfgs.client);
    const server = evilServer(cfgs.server, (m) => (m.type === 'server_hello' ? { type: 'server_hello', body: { ...m.body, legacyVersion: 0x0304 } } : undefined));
    await exchange(client, server);
    expectFailed(client, 'BAD_LEGACY_VERSION', 'protocol_version', server);
  });
});

describe('RFC 9846 §5.1: no record between the fragments of a handshake message', () => {
  it('a change_cipher_spec inside a fragmented ServerHello is an unexpected_message', () => {
    const p = makePair();
    for (let b = p.client.pull(); b !== null; b = p.client.pull()) p.server.feed(b);
    const out = p.server.pull() as Uint8Array;
    // The first record is the ServerHello in the clear: split it in two with a CCS between.
    expect(out[0]).toBe(ContentType.handshake);
    const len = ((out[3] as number) << 8) | (out[4] as number);
    const sh = out.subarray(5, 5 + len);
    const rec = (t: number, b: Uint8Array) => Uint8Array.from([t, 3, 3, b.length >> 8, b.length & 255, ...b]);
    p.client.feed(Uint8Array.from([...rec(22, sh.subarray(0, 10)), ...rec(20, Uint8Array.of(1)), ...rec(22, sh.subarray(10)), ...out.subarray(5 + len)]));
    expectFailed(p.client, 'INTERLEAVED_HANDSHAKE', 'unexpected_message');
  });
});

describe('RFC 9846 §4.2.4: a second HelloRetryRequest', () => {
  it('is an unexpected_message even with another cipher suite than the first', async () => {
    const cfgs = makeConfigs({ client: { groups: ['x25519', 'secp256r1'], keyShareGroups: ['x25519'] }, server: { groups: ['secp256r1'] } });
    const client = new ClientConnection(cfgs.client);
    const server = evilServer(cfgs.server, (m, i) =>
      m.type === 'server_hello' && i === 1
        ? {
            type: 'server_hello',
            body: {
              ...m.body,
              random: HELLO_RETRY_REQUEST_RANDOM,
              cipherSuite: m.body.cipherSuite === 0x1301 ? 0x1303 : 0x1301,
              extensions: [{ type: E.key_share, data: Uint8Array.of(0, 0x1d) }, { type: E.supported_versions, data: Uint8Array.of(3, 4) }],
            },
          }
        : undefined,
    );
    await exchange(client, server);
    expectFailed(client, 'SECOND_HELLO_RETRY', 'unexpected_message', server);
  });
});

describe('ALPN names compared as bytes (RFC 7301 §3.1, §3.2)', () => {
  it('negotiates a non-ASCII name, sent and matched as its UTF-8 bytes', async () => {
    const p = makePair({ client: { alpnProtocols: ['\u00e9t\u00e9', 'h2'] }, server: { alpnProtocols: ['\u00e9t\u00e9'] } });
    const ev = await doHandshake(p.client, p.server);
    const info = (e: typeof ev.client) => (e.find((x) => x.type === 'handshake_complete') as { info: { alpn: string | null } }).info;
    expect([info(ev.client).alpn, info(ev.server).alpn]).toEqual(['\u00e9t\u00e9', '\u00e9t\u00e9']);
  });

  it('does not take a different byte string for the configured name (0xE9 is not "é" in UTF-8)', () => {
    // A client offering the single byte 0xE9 (Latin-1 "é"): before, the server matched it by character
    // and answered with C3 A9, a name the client never offered.
    const cfgs = makeConfigs({ server: { alpnProtocols: ['\u00e9'] } });
    const c = new ClientConnection(makeConfigs({ client: { extensionHook: (where, exts) => (where === 'client_hello' ? [...exts, { type: E.application_layer_protocol_negotiation, data: Uint8Array.of(0, 2, 1, 0xe9) }] : exts) } }).client);
    const s = new ServerConnection(cfgs.server);
    s.feed(c.pull() as Uint8Array);
    expectFailed(s, 'NO_COMMON_ALPN', 'no_application_protocol');
  });

  it('refuses a configured name over 255 UTF-8 bytes', () => {
    expect(() => makeConfigs({ server: { alpnProtocols: ['\u00e9'.repeat(128)] } })).toThrow(/255 UTF-8 bytes/);
  });
});
