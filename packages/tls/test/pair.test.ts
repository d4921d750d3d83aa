import { describe, expect, it } from 'vitest';
import type { NamedGroupName, SignatureSchemeName } from '@puretls/crypto';
import { ALL_CIPHER_SUITES, ClientConnection, ServerConnection, createMemoryTicketStore, createTicketSealer, type ClientTicket } from '../src/index.js';
import { generateKeyPairSync } from 'node:crypto';
import { parseSpki } from '@puretls/crypto';
import { schemesForKey, signerFromPrivateKey } from '../src/index.js';
import { advanceClock, dataOf, doHandshake, exchange, infoOf, keyForScheme, makeConfigs, makePair, provider, stubVerifier, testKey, transfer } from './helpers/pair.js';

const GROUPS: NamedGroupName[] = ['x25519', 'x448', 'secp256r1', 'secp384r1', 'secp521r1'];
const SCHEMES: SignatureSchemeName[] = [
  'ecdsa_secp256r1_sha256', 'ecdsa_secp384r1_sha384', 'ecdsa_secp521r1_sha512', 'ed25519', 'ed448',
  'rsa_pss_rsae_sha256', 'rsa_pss_rsae_sha384', 'rsa_pss_rsae_sha512',
  'rsa_pss_pss_sha256', 'rsa_pss_pss_sha384', 'rsa_pss_pss_sha512',
];

async function roundTrip(p: ReturnType<typeof makePair>, oneByte = false): Promise<void> {
  const a = provider.randomBytes(3000);
  const b = provider.randomBytes(2000);
  p.client.write(a);
  p.server.write(b);
  const ev = await exchange(p.client, p.server, { oneByte });
  expect(Buffer.from(dataOf(ev.server)).equals(Buffer.from(a))).toBe(true);
  expect(Buffer.from(dataOf(ev.client)).equals(Buffer.from(b))).toBe(true);
}

describe('in-memory pairs: every suite × group', () => {
  for (const suite of ALL_CIPHER_SUITES) {
    for (const group of GROUPS) {
      it(`${suite} with ${group}`, async () => {
        const p = makePair({ client: { cipherSuites: [suite], groups: [group] }, server: { groups: [group] } });
        const ev = await doHandshake(p.client, p.server);
        const info = infoOf(ev.client);
        expect([info.cipherSuite, info.group, info.helloRetry, info.resumed]).toEqual([suite, group, false, false]);
        expect(infoOf(ev.server).cipherSuite).toBe(suite);
        await roundTrip(p);
      });
    }
  }
});

describe('in-memory pairs: every signature scheme', () => {
  for (const scheme of SCHEMES) {
    it(scheme, async () => {
      const key = keyForScheme(scheme);
      const p = makePair({ serverKey: key, client: { signatureSchemes: [scheme], verifier: stubVerifier(key) } });
      const ev = await doHandshake(p.client, p.server);
      expect(infoOf(ev.client).signatureScheme).toBe(scheme);
      expect(infoOf(ev.client).peerCertificates.length).toBe(2);
      await roundTrip(p);
    });
  }
});

describe('RSASSA-PSS keys (RFC 8446 §4.2.3)', () => {
  it('an id-RSASSA-PSS key signs with rsa_pss_pss_* only, an rsaEncryption key with rsa_pss_rsae_* only', async () => {
    const pss = testKey('rsa-pss');
    const rsae = testKey('rsa');
    expect(pss.publicKey.kind === 'rsa' && pss.publicKey.pss).toEqual({ hash: null });
    expect(rsae.publicKey.kind === 'rsa' && rsae.publicKey.pss).toBe(undefined);
    // Default schemes offer both families: each key picks its own.
    const a = makePair({ serverKey: pss });
    expect(infoOf((await doHandshake(a.client, a.server)).client).signatureScheme).toBe('rsa_pss_pss_sha256');
    const b = makePair({ serverKey: rsae });
    expect(infoOf((await doHandshake(b.client, b.server)).client).signatureScheme).toBe('rsa_pss_rsae_sha256');
  });

  it('a PSS key whose parameters bind SHA-384 signs with rsa_pss_pss_sha384 only', async () => {
    const key = testKey('rsa-pss-sha384');
    expect(key.publicKey.kind === 'rsa' && key.publicKey.pss).toEqual({ hash: 'SHA-384' });
    const p = makePair({ serverKey: key, client: { verifier: stubVerifier(key) } });
    expect(infoOf((await doHandshake(p.client, p.server)).client).signatureScheme).toBe('rsa_pss_pss_sha384');
    const q = makePair({ serverKey: key, client: { verifier: stubVerifier(key), signatureSchemes: ['rsa_pss_pss_sha256', 'rsa_pss_rsae_sha384'] } });
    const ev = await exchange(q.client, q.server);
    expect(q.server.error?.code).toBe('NO_SIGNATURE_SCHEME_IN_COMMON');
    expect(ev.client.some((e) => e.type === 'error')).toBe(true);
  });

  it('reads the hash restriction from the PSS parameters (RFC 4055 §3.1); a restriction TLS cannot use leaves no scheme', () => {
    const pssKey = (o: { hashAlgorithm: string; mgf1HashAlgorithm: string; saltLength: number }) => {
      const kp = generateKeyPairSync('rsa-pss', { modulusLength: 1024, ...o, saltLength: o.saltLength as unknown as string });
      const key = parseSpki(new Uint8Array(kp.publicKey.export({ format: 'der', type: 'spki' })));
      return { pss: key.kind === 'rsa' ? key.pss : undefined, schemes: schemesForKey(key) };
    };
    expect(pssKey({ hashAlgorithm: 'sha512', mgf1HashAlgorithm: 'sha512', saltLength: 64 })).toEqual({ pss: { hash: 'SHA-512' }, schemes: ['rsa_pss_pss_sha512'] });
    expect(pssKey({ hashAlgorithm: 'sha256', mgf1HashAlgorithm: 'sha512', saltLength: 32 })).toEqual({ pss: { hash: 'other' }, schemes: [] });
    expect(pssKey({ hashAlgorithm: 'sha1', mgf1HashAlgorithm: 'sha1', saltLength: 20 })).toEqual({ pss: { hash: 'other' }, schemes: [] });
    expect(pssKey({ hashAlgorithm: 'sha256', mgf1HashAlgorithm: 'sha256', saltLength: 64 })).toEqual({ pss: { hash: 'other' }, schemes: [] });
    // An id-RSASSA-PSS key without parameters may use any hash.
    const unrestricted = parseSpki(testKey('rsa-pss').spki);
    expect(unrestricted.kind === 'rsa' ? unrestricted.pss : undefined).toEqual({ hash: null });
    // A signer over an unusable PSS key offers nothing, so config creation does not pick it.
    expect(signerFromPrivateKey(provider, new Uint8Array(generateKeyPairSync('rsa-pss', { modulusLength: 1024, hashAlgorithm: 'sha1', mgf1HashAlgorithm: 'sha1' }).privateKey.export({ format: 'der', type: 'pkcs8' }))).schemes).toEqual([]);
  });

  it('an id-RSASSA-PSS client certificate signs with rsa_pss_pss_*', async () => {
    const ckey = testKey('rsa-pss');
    const skey = testKey('ed25519');
    const p = makePair({
      serverKey: skey,
      client: { verifier: stubVerifier(skey), clientCertificate: { chain: ckey.chain, key: ckey.pkcs8 } },
      server: { clientAuth: 'required', clientVerifier: stubVerifier(ckey) },
    });
    expect(infoOf((await doHandshake(p.client, p.server)).server).signatureScheme).toBe('rsa_pss_pss_sha256');
  });
});

describe('in-memory pairs: features', () => {
  it('one byte at a time, both directions', async () => {
    const p = makePair({ client: { cipherSuites: ['TLS_CHACHA20_POLY1305_SHA256'] } });
    await doHandshake(p.client, p.server, { oneByte: true });
    await roundTrip(p, true);
  });

  it('HelloRetryRequest when the client has no share for the server group', async () => {
    const p = makePair({ client: { groups: ['x25519', 'secp384r1'], keyShareGroups: ['x25519'] }, server: { groups: ['secp384r1'] } });
    const ev = await doHandshake(p.client, p.server, { oneByte: true });
    expect(infoOf(ev.client).helloRetry).toBe(true);
    expect(infoOf(ev.client).group).toBe('secp384r1');
    expect(infoOf(ev.server).helloRetry).toBe(true);
    await roundTrip(p);
  });

  it('HelloRetryRequest with a cookie', async () => {
    const p = makePair({
      client: { groups: ['x25519', 'secp256r1'], keyShareGroups: ['x25519'] },
      server: { groups: ['secp256r1'], helloRetryCookie: (h) => Uint8Array.from([...h, 1, 2, 3]) },
    });
    const ev = await doHandshake(p.client, p.server);
    expect(infoOf(ev.client).helloRetry).toBe(true);
  });

  it('ALPN and SNI are negotiated and reported', async () => {
    const key = testKey('P-256');
    const other = testKey('ed25519');
    const p = makePair({
      client: { alpnProtocols: ['h2', 'http/1.1'], serverName: 'b.example', verifier: stubVerifier(key) },
      server: {
        alpnProtocols: ['http/1.1', 'h2'],
        certificates: [
          { chain: other.chain, key: other.pkcs8, serverNames: ['a.example'] },
          { chain: key.chain, key: key.pkcs8, serverNames: ['b.example'] },
        ],
      },
    });
    const ev = await doHandshake(p.client, p.server);
    expect(infoOf(ev.client).alpn).toBe('http/1.1');
    expect(infoOf(ev.server).alpn).toBe('http/1.1');
    expect(infoOf(ev.server).serverName).toBe('b.example');
    expect(infoOf(ev.client).signatureScheme).toBe('ecdsa_secp256r1_sha256');
  });

  it('signature_algorithms_cert steers the certificate choice, with the RFC fallback', async () => {
    const a = testKey('ed25519');
    const b = testKey('P-256');
    const certificates = [
      { chain: a.chain, key: a.pkcs8, chainSchemes: ['rsa_pkcs1_sha256' as const] },
      { chain: b.chain, key: b.pkcs8, chainSchemes: ['ecdsa_secp256r1_sha256' as const] },
    ];
    const verifier = stubVerifier(a, b);
    const pick = async (certificateSignatureSchemes?: ('ecdsa_secp256r1_sha256' | 'ed448')[]) => {
      const p = makePair({ server: { certificates }, client: { verifier, ...(certificateSignatureSchemes ? { certificateSignatureSchemes } : {}) } });
      return infoOf((await doHandshake(p.client, p.server)).client).signatureScheme;
    };
    expect(await pick()).toBe('ed25519'); // signature_algorithms (with PKCS#1) fits the first chain
    expect(await pick(['ecdsa_secp256r1_sha256'])).toBe('ecdsa_secp256r1_sha256');
    expect(await pick(['ed448'])).toBe('ed25519'); // nothing fits: a chain of our choice (RFC 8446 §4.4.2.2)
  });

  it('client authentication (required), with the client chain reported to the server', async () => {
    const ck = testKey('P-384');
    const p = makePair({
      client: { clientCertificate: { chain: ck.chain, key: ck.pkcs8 } },
      server: { clientAuth: 'required', clientVerifier: stubVerifier(ck) },
    });
    const ev = await doHandshake(p.client, p.server);
    expect(infoOf(ev.server).signatureScheme).toBe('ecdsa_secp384r1_sha384');
    expect(infoOf(ev.server).peerCertificates).toHaveLength(2);
    await roundTrip(p);
  });

  it('client authentication (optional) without a client certificate', async () => {
    const p = makePair({ server: { clientAuth: 'optional', clientVerifier: stubVerifier() } });
    const ev = await doHandshake(p.client, p.server);
    expect(infoOf(ev.server).peerCertificates).toHaveLength(0);
  });

  it('compatibility mode', async () => {
    const p = makePair({ client: { compatibilityMode: true } });
    await doHandshake(p.client, p.server, { oneByte: true });
    await roundTrip(p);
  });

  it('KeyUpdate in both directions, with update_requested honoured', async () => {
    const p = makePair();
    await doHandshake(p.client, p.server);
    p.client.keyUpdate(true);
    const ev = await exchange(p.client, p.server);
    expect(ev.server.filter((e) => e.type === 'key_update').map((e) => (e as { direction: string }).direction)).toEqual(['read', 'write']);
    expect(ev.client.filter((e) => e.type === 'key_update').map((e) => (e as { direction: string }).direction)).toEqual(['write', 'read']);
    p.server.keyUpdate(false);
    await roundTrip(p);
  });

  it('answers many update requests from a peer while silent with one KeyUpdate, and one more before its next data (RFC 8446 §4.6.3)', async () => {
    const p = makePair();
    await doHandshake(p.client, p.server);
    const directions = (ev: { type: string }[]): string[] => ev.filter((e) => e.type === 'key_update').map((e) => (e as unknown as { direction: string }).direction);
    // A peer flooding KeyUpdate(update_requested) without reading: not one answer per request. (Past
    // 32 in a row without data the peer is refused: limits.test.ts.)
    for (let i = 0; i < 30; i++) p.client.keyUpdate(true);
    const requests: Uint8Array[] = [];
    for (let b = p.client.pull(); b !== null; b = p.client.pull()) requests.push(b);
    for (const b of requests) p.server.feed(b);
    const answered: string[] = [];
    for (let e = p.server.poll(); e !== null; e = p.server.poll()) answered.push(...directions([e]));
    expect(answered.filter((d) => d === 'read')).toHaveLength(30);
    expect(answered.filter((d) => d === 'write')).toHaveLength(1);
    // The requests after that answer are owed one KeyUpdate, which goes before the server's next data.
    p.server.write(Uint8Array.of(1, 2));
    const serverEvents: { type: string }[] = [];
    for (let e = p.server.poll(); e !== null; e = p.server.poll()) serverEvents.push(e);
    expect(directions(serverEvents)).toEqual(['write']);
    const ev = await exchange(p.client, p.server);
    expect(directions(ev.client).filter((d) => d === 'read')).toHaveLength(2);
    expect(Array.from(dataOf(ev.client))).toEqual([1, 2]);
    expect([p.client.error, p.server.error]).toEqual([null, null]);
    await roundTrip(p);
  });

  it('automatic KeyUpdate before the record limit', async () => {
    const p = makePair({ client: { keyUpdateAfterRecords: 3 } });
    await doHandshake(p.client, p.server);
    for (let i = 0; i < 10; i++) p.client.write(Uint8Array.of(i));
    const ev = await exchange(p.client, p.server);
    expect(Array.from(dataOf(ev.server))).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(ev.server.filter((e) => e.type === 'key_update').length).toBe(3);
  });

  it('1 MiB each way, content checked, fed one byte at a time for the first 70 KiB', async () => {
    const p = makePair({ client: { cipherSuites: ['TLS_AES_256_GCM_SHA384'] } });
    await doHandshake(p.client, p.server);
    const a = provider.randomBytes(1 << 20);
    const b = provider.randomBytes(1 << 20);
    p.client.write(a);
    p.server.write(b);
    // Coalesced delivery of everything at once.
    const ev = await exchange(p.client, p.server);
    expect(Buffer.from(dataOf(ev.server)).equals(Buffer.from(a))).toBe(true);
    expect(Buffer.from(dataOf(ev.client)).equals(Buffer.from(b))).toBe(true);
    const small = a.subarray(0, 70 * 1024);
    p.client.write(small);
    const ev2 = await exchange(p.client, p.server, { oneByte: true });
    expect(Buffer.from(dataOf(ev2.server)).equals(Buffer.from(small))).toBe(true);
  });

  it('exporters agree on both sides and differ by label and context', async () => {
    const p = makePair();
    await doHandshake(p.client, p.server);
    const ctx = Uint8Array.of(1, 2);
    const a = p.client.exportKeyingMaterial('EXPERIMENTAL test', ctx, 40);
    expect(Buffer.from(a).equals(Buffer.from(p.server.exportKeyingMaterial('EXPERIMENTAL test', ctx, 40)))).toBe(true);
    expect(Buffer.from(a).equals(Buffer.from(p.client.exportKeyingMaterial('EXPERIMENTAL other', ctx, 40)))).toBe(false);
    expect(Buffer.from(a).equals(Buffer.from(p.client.exportKeyingMaterial('EXPERIMENTAL test', new Uint8Array(0), 40)))).toBe(false);
  });

  it('close_notify with half-close: the other side can still send', async () => {
    const p = makePair();
    await doHandshake(p.client, p.server);
    p.client.close();
    expect(() => p.client.write(Uint8Array.of(1))).toThrow(/close/);
    const ev = await exchange(p.client, p.server);
    expect(ev.server.map((e) => e.type)).toEqual(['peer_closed']);
    p.server.write(Uint8Array.of(9, 9));
    const ev2 = await exchange(p.client, p.server);
    expect(Array.from(dataOf(ev2.client))).toEqual([9, 9]);
    p.server.close();
    await exchange(p.client, p.server);
    expect(p.client.state).toBe('Closed');
    expect(p.server.state).toBe('Closed');
  });

  it('data written before the handshake completes is sent after it, as it was when written (a reused Buffer)', async () => {
    const p = makePair();
    p.client.write(Uint8Array.of(1, 2, 3));
    // A Node Buffer's slice() is a view: the engine must copy for real, the caller may reuse it now.
    const reused = Buffer.from([4, 5]);
    p.client.write(reused);
    reused.fill(0);
    const ev = await doHandshake(p.client, p.server);
    expect(Array.from(dataOf(ev.server))).toEqual([1, 2, 3, 4, 5]);
  });

  for (const who of ['client', 'server'] as const) {
    it(`close() by the ${who} before the handshake completes: close_notify after the handshake and the data written before it`, async () => {
      const p = makePair();
      const closer = p[who];
      const other = who === 'client' ? p.server : p.client;
      closer.write(Uint8Array.of(7, 7));
      closer.close();
      expect(() => closer.write(Uint8Array.of(1))).toThrow('write after close()');
      expect(closer.canWrite).toBe(false);
      // Sending close_notify at once would make the peer ignore the rest of our handshake (RFC 8446 §6.1).
      const ev = await exchange(p.client, p.server);
      const seen = (who === 'client' ? ev.server : ev.client).map((e) => e.type);
      expect(seen.indexOf('handshake_complete')).toBeGreaterThanOrEqual(0);
      expect(seen.indexOf('application_data')).toBeGreaterThan(seen.indexOf('handshake_complete'));
      expect(seen.indexOf('peer_closed')).toBeGreaterThan(seen.indexOf('application_data'));
      expect(Array.from(dataOf(who === 'client' ? ev.server : ev.client))).toEqual([7, 7]);
      expect([p.client.error, p.server.error]).toEqual([null, null]);
      // Half-closed: the other side still writes.
      other.write(Uint8Array.of(9));
      const ev2 = await exchange(p.client, p.server);
      expect(Array.from(dataOf(who === 'client' ? ev2.client : ev2.server))).toEqual([9]);
    });
  }

  it('cancel() mid-handshake sends user_canceled then close_notify; the peer fails with PEER_CANCELED', async () => {
    const p = makePair();
    p.server.feed(p.client.pull() as Uint8Array);
    p.client.write(Uint8Array.of(1));
    p.client.cancel();
    expect(p.client.error?.code).toBe('CANCELED');
    expect(p.client.state).toBe('Failed');
    expect(() => p.client.write(Uint8Array.of(1))).toThrow();
    // No keys yet on the client's side: the two alerts go in the clear (RFC 9846 §6.1, §6).
    expect(Array.from(p.client.pull() as Uint8Array)).toEqual([21, 3, 3, 0, 2, 1, 90, 21, 3, 3, 0, 2, 1, 0]);
    expect(p.client.pull()).toBeNull();
    const flight = p.server.pull();
    expect(flight).not.toBeNull();
    p.server.feed(Uint8Array.of(21, 3, 3, 0, 2, 1, 90, 21, 3, 3, 0, 2, 1, 0));
    expect(p.server.error?.code).toBe('PEER_CANCELED');
    expect(p.server.error?.remote).toBe(true);
    expect(p.server.pull()).toBeNull(); // no alert in reply
    // Whatever the server had sent is not read any more.
    p.client.feed(flight as Uint8Array);
    expect(p.client.poll()?.type).toBe('error');
    expect(p.client.poll()).toBeNull();
  });

  it('close_notify before the handshake completed fails it with PEER_CLOSED_IN_HANDSHAKE, no alert in reply', async () => {
    const p = makePair();
    p.server.feed(p.client.pull() as Uint8Array);
    p.server.pull();
    p.server.feed(Uint8Array.of(21, 3, 3, 0, 2, 1, 0));
    expect(p.server.error?.code).toBe('PEER_CLOSED_IN_HANDSHAKE');
    expect(p.server.poll()?.type).toBe('error');
    expect(p.server.pull()).toBeNull();
  });

  it('cancel() after the handshake is close(): close_notify only, the peer sees peer_closed', async () => {
    const p = makePair();
    await doHandshake(p.client, p.server);
    p.client.cancel();
    expect(p.client.error).toBeNull();
    const ev = await exchange(p.client, p.server);
    expect(ev.server.map((e) => e.type)).toEqual(['peer_closed']);
    expect(p.server.error).toBeNull();
  });

  it('padding policy pads protected records and the peer strips it', async () => {
    const p = makePair({ client: { padding: () => 100 } });
    await doHandshake(p.client, p.server);
    p.client.write(Uint8Array.of(7));
    const bytes = p.client.pull();
    expect(bytes?.length).toBe(5 + 1 + 1 + 100 + 16);
    p.server.feed(bytes as Uint8Array);
    expect(Array.from(dataOf([p.server.poll()!]))).toEqual([7]);
  });
});

describe('resumption and 0-RTT', () => {
  const sealerKey = new Uint8Array(32).fill(5);
  async function firstConnection(extra: { maxEarlyDataSize?: number } = {}) {
    const cfgs = makeConfigs({ server: { ticketSealer: createTicketSealer(provider, sealerKey), maxEarlyDataSize: extra.maxEarlyDataSize ?? 0, alpnProtocols: ['x'] }, client: { alpnProtocols: ['x'] } });
    const p = makePair({ server: { ticketSealer: createTicketSealer(provider, sealerKey), maxEarlyDataSize: extra.maxEarlyDataSize ?? 0, alpnProtocols: ['x'] }, client: { alpnProtocols: ['x'] } });
    const ev = await doHandshake(p.client, p.server);
    const t = ev.client.find((e) => e.type === 'session_ticket');
    expect(t).toBeDefined();
    return { ticket: (t as { ticket: ClientTicket }).ticket, cfgs };
  }

  it('resumes with psk_dhe_ke and reports resumed', async () => {
    const { ticket } = await firstConnection();
    advanceClock(1000);
    const p = makePair({ server: { ticketSealer: createTicketSealer(provider, sealerKey), alpnProtocols: ['x'] }, client: { alpnProtocols: ['x'] }, connection: { session: ticket } });
    const ev = await doHandshake(p.client, p.server, { oneByte: true });
    expect(infoOf(ev.client).resumed).toBe(true);
    expect(infoOf(ev.server).resumed).toBe(true);
    expect(infoOf(ev.client).peerCertificates).toHaveLength(0);
    expect(infoOf(ev.client).group).toBe('x25519');
    await roundTrip(p);
  });

  it('a ticket the server cannot open falls back to a full handshake', async () => {
    const { ticket } = await firstConnection();
    const p = makePair({ server: { ticketSealer: createTicketSealer(provider, new Uint8Array(32).fill(6)) }, connection: { session: ticket } });
    const ev = await doHandshake(p.client, p.server);
    expect(infoOf(ev.client).resumed).toBe(false);
  });

  it('0-RTT accepted: early data delivered as early_data before the handshake completes', async () => {
    const { ticket } = await firstConnection({ maxEarlyDataSize: 1000 });
    advanceClock(50);
    const early = provider.randomBytes(900);
    const p = makePair({
      server: { ticketSealer: createTicketSealer(provider, sealerKey), maxEarlyDataSize: 1000, alpnProtocols: ['x'] },
      client: { alpnProtocols: ['x'] },
      connection: { session: ticket, earlyData: early },
    });
    const ev = await doHandshake(p.client, p.server, { oneByte: true });
    expect(infoOf(ev.client).earlyDataAccepted).toBe(true);
    expect(infoOf(ev.server).earlyDataAccepted).toBe(true);
    expect(Buffer.from(dataOf(ev.server, 'early_data')).equals(Buffer.from(early))).toBe(true);
    const firstEarly = ev.server.findIndex((e) => e.type === 'early_data');
    expect(firstEarly).toBeLessThan(ev.server.findIndex((e) => e.type === 'handshake_complete'));
    await roundTrip(p);
  });

  it('0-RTT rejected by a server that does not allow it: skipped, reported, handshake completes', async () => {
    const { ticket } = await firstConnection({ maxEarlyDataSize: 1000 });
    const p = makePair({
      server: { ticketSealer: createTicketSealer(provider, sealerKey), maxEarlyDataSize: 0, alpnProtocols: ['x'] },
      client: { alpnProtocols: ['x'] },
      connection: { session: ticket, earlyData: Uint8Array.of(1, 2, 3) },
    });
    const ev = await doHandshake(p.client, p.server);
    expect(ev.client.map((e) => e.type)).toContain('early_data_rejected');
    expect(infoOf(ev.client).earlyDataAccepted).toBe(false);
    expect(infoOf(ev.client).resumed).toBe(true);
    expect(ev.server.some((e) => e.type === 'early_data')).toBe(false);
    await roundTrip(p);
  });

  it('0-RTT rejected through a HelloRetryRequest: skipped in cleartext, handshake completes', async () => {
    const { ticket } = await firstConnection({ maxEarlyDataSize: 1000 });
    const p = makePair({
      server: { ticketSealer: createTicketSealer(provider, sealerKey), maxEarlyDataSize: 1000, alpnProtocols: ['x'], groups: ['secp256r1'] },
      client: { alpnProtocols: ['x'], groups: ['x25519', 'secp256r1'], keyShareGroups: ['x25519'] },
      connection: { session: ticket, earlyData: Uint8Array.of(1, 2, 3) },
    });
    const ev = await doHandshake(p.client, p.server);
    expect(ev.client.map((e) => e.type)).toContain('early_data_rejected');
    expect(infoOf(ev.client).helloRetry).toBe(true);
    expect(infoOf(ev.client).resumed).toBe(true);
  });

  it('the early exporter agrees on both sides when 0-RTT is accepted, and is refused without 0-RTT', async () => {
    const { ticket } = await firstConnection({ maxEarlyDataSize: 1000 });
    const p = makePair({
      server: { ticketSealer: createTicketSealer(provider, sealerKey), maxEarlyDataSize: 1000, alpnProtocols: ['x'] },
      client: { alpnProtocols: ['x'] },
      connection: { session: ticket, earlyData: Uint8Array.of(1) },
    });
    const early = p.client.exportEarlyKeyingMaterial('EXPERIMENTAL early', Uint8Array.of(3), 32);
    await doHandshake(p.client, p.server);
    expect(Buffer.from(p.server.exportEarlyKeyingMaterial('EXPERIMENTAL early', Uint8Array.of(3), 32)).equals(Buffer.from(early))).toBe(true);
    expect(Buffer.from(p.server.exportKeyingMaterial('EXPERIMENTAL early', Uint8Array.of(3), 32)).equals(Buffer.from(early))).toBe(false);
    const q = makePair();
    await doHandshake(q.client, q.server);
    expect(() => q.client.exportEarlyKeyingMaterial('x', new Uint8Array(0), 8)).toThrow(/0-RTT/);
  });

  it('resumes with psk_ke (no key exchange) when the client offers only that mode', async () => {
    const { ticket } = await firstConnection();
    const p = makePair({
      server: { ticketSealer: createTicketSealer(provider, sealerKey), alpnProtocols: ['x'] },
      client: { alpnProtocols: ['x'], allowPskOnlyResumption: true },
      connection: { session: ticket },
    });
    // Offer psk_ke only: drop psk_dhe_ke from the modes (a client config choice the hook can make).
    const ev = await doHandshake(p.client, p.server);
    expect(infoOf(ev.client).resumed).toBe(true);
    const q = makePair({
      server: { ticketSealer: createTicketSealer(provider, sealerKey), alpnProtocols: ['x'] },
      client: { alpnProtocols: ['x'], allowPskOnlyResumption: true, extensionHook: (_m, exts) => exts.map((e) => (e.type === 45 ? { type: 45, data: Uint8Array.of(1, 0) } : e)) },
      connection: { session: ticket },
    });
    const ev2 = await doHandshake(q.client, q.server);
    expect(infoOf(ev2.client).resumed).toBe(true);
    expect(infoOf(ev2.client).group).toBeNull();
    expect(infoOf(ev2.server).group).toBeNull();
    await roundTrip(q);
  });

  it('several tickets per handshake, each resuming', async () => {
    const p = makePair({ server: { ticketSealer: createTicketSealer(provider, sealerKey), ticketsPerHandshake: 3 } });
    const ev = await doHandshake(p.client, p.server);
    const tickets = ev.client.filter((e) => e.type === 'session_ticket').map((e) => (e as { ticket: ClientTicket }).ticket);
    expect(tickets).toHaveLength(3);
    expect(new Set(tickets.map((t) => Buffer.from(t.psk).toString('hex'))).size).toBe(3);
    for (const t of tickets) {
      const q = makePair({ server: { ticketSealer: createTicketSealer(provider, sealerKey) }, connection: { session: t } });
      expect(infoOf((await doHandshake(q.client, q.server)).client).resumed).toBe(true);
    }
  });

  it('a ticket store: tickets are put on receipt and taken once by the next connection', async () => {
    const store = createMemoryTicketStore();
    const cfgs = makeConfigs({ server: { ticketSealer: createTicketSealer(provider, sealerKey) }, client: { ticketStore: store, serverName: 'store.example' } });
    const a = { client: new ClientConnection(cfgs.client), server: new ServerConnection(cfgs.server) };
    expect(infoOf((await doHandshake(a.client, a.server)).client).resumed).toBe(false);
    const b = { client: new ClientConnection(cfgs.client), server: new ServerConnection(cfgs.server) };
    expect(infoOf((await doHandshake(b.client, b.server)).client).resumed).toBe(true);
    // b's own ticket was stored; take it out, so that c has none left and does a full handshake.
    expect(store.take('store.example')).toBeDefined();
    const c = { client: new ClientConnection(cfgs.client), server: new ServerConnection(cfgs.server) };
    expect(infoOf((await doHandshake(c.client, c.server)).client).resumed).toBe(false);
  });

  it('an expired ticket is not resumed', async () => {
    const { ticket } = await firstConnection();
    advanceClock(7201 * 1000);
    const p = makePair({ server: { ticketSealer: createTicketSealer(provider, sealerKey), alpnProtocols: ['x'] }, client: { alpnProtocols: ['x'] }, connection: { session: ticket } });
    expect(infoOf((await doHandshake(p.client, p.server)).client).resumed).toBe(false);
  });

  it('refuses early data larger than the ticket allows (local misuse)', async () => {
    const { ticket, cfgs } = await firstConnection({ maxEarlyDataSize: 10 });
    expect(() => new ClientConnection(cfgs.client, { session: ticket, earlyData: new Uint8Array(11) })).toThrow(RangeError);
  });
});

describe('key log', () => {
  it('both sides log the same secrets under the NSS labels, with the client random', async () => {
    const logs: Record<'client' | 'server', string[]> = { client: [], server: [] };
    const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
    const log = (side: 'client' | 'server') => (label: string, random: Uint8Array, secret: Uint8Array) => logs[side].push(`${label} ${hex(random)} ${hex(secret)}`);
    const p = makePair({ client: { keyLog: log('client') }, server: { keyLog: log('server') } });
    await doHandshake(p.client, p.server);
    expect(logs.client.map((l) => l.split(' ')[0])).toEqual([
      'CLIENT_HANDSHAKE_TRAFFIC_SECRET', 'SERVER_HANDSHAKE_TRAFFIC_SECRET', 'CLIENT_TRAFFIC_SECRET_0', 'SERVER_TRAFFIC_SECRET_0', 'EXPORTER_SECRET',
    ]);
    expect([...logs.server].sort()).toEqual([...logs.client].sort());
  });
});

describe('configuration', () => {
  it('refuses schemes it cannot honour, and bad arguments, naming them', () => {
    expect(() => makeConfigs({ client: { signatureSchemes: ['rsa_pkcs1_sha1' as never] } })).toThrow(/signatureSchemes/);
    expect(() => makeConfigs({ client: { now: undefined as never } })).toThrow(/now/);
    expect(() => makeConfigs({ server: { certificates: [] } })).toThrow(/certificates/);
    expect(() => makeConfigs({ server: { clientAuth: 'required' } })).toThrow(/clientVerifier/);
    expect(() => makeConfigs({ client: { keyShareGroups: ['x448'], groups: ['x25519'] } })).toThrow(/keyShareGroups/);
    expect(() => makeConfigs({ client: { recordSizeLimit: 10 } })).toThrow(RangeError);
    const { client, server } = makeConfigs();
    expect(Object.isFrozen(client) && Object.isFrozen(server)).toBe(true);
  });

  it('the verifier is asked with the server name and usage', async () => {
    const key = testKey('ed25519');
    const v = stubVerifier(key);
    const p = makePair({ client: { verifier: v, serverName: 'name.example' } });
    await doHandshake(p.client, p.server);
    expect(v.requests).toEqual([{ serverName: 'name.example', usage: 'serverAuth' }]);
  });

  it('change_cipher_spec after the handshake is an unexpected_message', async () => {
    const p = makePair();
    await doHandshake(p.client, p.server);
    p.server.feed(Uint8Array.of(20, 3, 3, 0, 1, 1));
    expect([p.server.error?.code, p.server.error?.alert]).toEqual(['UNEXPECTED_CHANGE_CIPHER_SPEC', 'unexpected_message']);
  });

  it('an asynchronous signer makes the server wait in a named state', async () => {
    const key = testKey('ed25519');
    let release: () => void = () => undefined;
    const gate = new Promise<void>((r) => (release = r));
    const signer = { schemes: ['ed25519' as const], sign: async (_s: string, m: Uint8Array) => { await gate; return provider.sign('ed25519', { kind: 'ed25519', seed: new Uint8Array(32) }, m); } };
    const p = makePair({ server: { certificates: [{ chain: key.chain, key: signer }] } });
    p.server.feed(p.client.pull() as Uint8Array);
    expect(p.server.state).toBe('Waiting:sign');
    expect(p.server.pull()).not.toBeNull(); // the ServerHello went out already
    release();
    await p.server.pending;
    expect(p.server.state).toBe('ExpectFinished');
  });

  it('a client config without a verifier is refused', () => {
    expect(() => makeConfigs({ client: { verifier: undefined as never } })).toThrow(TypeError);
  });
  it('transfer counts bytes', () => {
    const p = makePair();
    expect(transfer(p.client, p.server)).toBeGreaterThan(100);
  });
});

describe('feature scenarios, fed one byte at a time and coalesced', () => {
  const sealer = createTicketSealer(provider, new Uint8Array(32).fill(11));
  const ck = testKey('ed448');
  interface Scenario {
    server?: Parameters<typeof makePair>[0] extends infer O ? (O extends { server?: infer S } ? S : never) : never;
    client?: Parameters<typeof makePair>[0] extends infer O ? (O extends { client?: infer C } ? C : never) : never;
    resume?: boolean;
    earlyData?: boolean;
    keyUpdate?: boolean;
    expect: (info: ReturnType<typeof infoOf>, server: ReturnType<typeof infoOf>) => void;
  }
  const base = { ticketSealer: sealer, maxEarlyDataSize: 4096 };
  const scenarios: Record<string, Scenario> = {
    plain: { server: base, expect: (i) => expect(i.resumed).toBe(false) },
    'hello retry': {
      server: { ...base, groups: ['secp521r1'] },
      client: { groups: ['x25519', 'secp521r1'] },
      expect: (i) => expect([i.helloRetry, i.group]).toEqual([true, 'secp521r1']),
    },
    'client authentication': {
      server: { ...base, clientAuth: 'required', clientVerifier: stubVerifier(ck) },
      client: { clientCertificate: { chain: ck.chain, key: ck.pkcs8 } },
      expect: (_i, s) => expect(s.signatureScheme).toBe('ed448'),
    },
    'ALPN and SNI': {
      server: { ...base, alpnProtocols: ['b', 'a'] },
      client: { alpnProtocols: ['a', 'b'], serverName: 'sni.example' },
      expect: (i, s) => expect([i.alpn, s.serverName]).toEqual(['b', 'sni.example']),
    },
    resumption: { server: base, resume: true, expect: (i, s) => expect([i.resumed, s.resumed]).toEqual([true, true]) },
    '0-RTT accepted': { server: base, resume: true, earlyData: true, expect: (i) => expect(i.earlyDataAccepted).toBe(true) },
    '0-RTT rejected': { server: { ...base, maxEarlyDataSize: 0 }, resume: true, earlyData: true, expect: (i) => expect([i.resumed, i.earlyDataAccepted]).toEqual([true, false]) },
    'key update': { server: base, keyUpdate: true, expect: (i) => expect(i.resumed).toBe(false) },
  };
  for (const [name, sc] of Object.entries(scenarios)) {
    for (const oneByte of [true, false]) {
      it(`${name} (${oneByte ? 'one byte at a time' : 'coalesced'})`, async () => {
        let session: ClientTicket | undefined;
        if (sc.resume) {
          const first = makePair({ server: { ...base }, client: sc.client });
          const ev = await doHandshake(first.client, first.server);
          session = (ev.client.find((e) => e.type === 'session_ticket') as { ticket: ClientTicket }).ticket;
        }
        const early = sc.earlyData ? provider.randomBytes(1000) : undefined;
        const p = makePair({ server: sc.server, client: sc.client, connection: { ...(session ? { session } : {}), ...(early ? { earlyData: early } : {}) } });
        const ev = await doHandshake(p.client, p.server, { oneByte });
        sc.expect(infoOf(ev.client), infoOf(ev.server));
        if (early && infoOf(ev.client).earlyDataAccepted) expect(Buffer.from(dataOf(ev.server, 'early_data')).equals(Buffer.from(early))).toBe(true);
        if (early && !infoOf(ev.client).earlyDataAccepted) expect(ev.client.some((e) => e.type === 'early_data_rejected')).toBe(true);
        if (sc.keyUpdate) {
          p.client.keyUpdate(true);
          p.server.keyUpdate(false);
        }
        await roundTrip(p, oneByte);
      });
    }
  }
});

describe('stateless HelloRetryRequest', () => {
  const key = new Uint8Array(32).fill(3);
  const opts = { client: { groups: ['x25519', 'secp384r1'] as NamedGroupName[], keyShareGroups: ['x25519'] as NamedGroupName[] }, server: { groups: ['secp384r1'] as NamedGroupName[], statelessRetry: { key } } };

  it('a fresh server connection takes the second ClientHello', async () => {
    const { client: cc, server: sc } = makeConfigs(opts);
    const client = new ClientConnection(cc);
    const first = new ServerConnection(sc);
    first.feed(client.pull() as Uint8Array);
    const hrr = first.pull() as Uint8Array;
    // The first connection is dropped; a new one, knowing nothing, continues.
    const second = new ServerConnection(sc);
    client.feed(hrr);
    const ev = await doHandshake(client, second);
    expect(infoOf(ev.client).helloRetry).toBe(true);
    expect(infoOf(ev.server).helloRetry).toBe(true);
    expect(infoOf(ev.server).group).toBe('secp384r1');
    await roundTrip({ client, server: second });
  });

  it('compatibility mode and one-byte feeding across the stateless retry', async () => {
    const { client: cc, server: sc } = makeConfigs({ ...opts, client: { ...opts.client, compatibilityMode: true } });
    const client = new ClientConnection(cc);
    const first = new ServerConnection(sc);
    first.feed(client.pull() as Uint8Array);
    client.feed(first.pull() as Uint8Array);
    const second = new ServerConnection(sc);
    await doHandshake(client, second, { oneByte: true });
  });

  it('a forged or stale cookie is refused with illegal_parameter', async () => {
    for (const [tamper, code] of [[true, 'BAD_COOKIE'], [false, 'STALE_COOKIE']] as const) {
      const { client: cc, server: sc } = makeConfigs(opts);
      const client = new ClientConnection(cc);
      const first = new ServerConnection(sc);
      first.feed(client.pull() as Uint8Array);
      client.feed(first.pull() as Uint8Array);
      let ch2 = client.pull() as Uint8Array;
      if (tamper) {
        // Flip a byte of the cookie's MAC inside the second ClientHello (the cookie ends 14 bytes
        // before psk_key_exchange_modes; find it by its extension type).
        ch2 = ch2.slice();
        const at = Buffer.from(ch2).indexOf(Buffer.from([0x00, 0x2c]), 50);
        const len = ((ch2[at + 2] as number) << 8) | (ch2[at + 3] as number);
        ch2[at + 4 + len - 1] = (ch2[at + 4 + len - 1] as number) ^ 1;
      } else {
        advanceClock(31_000);
      }
      const second = new ServerConnection(sc);
      second.feed(ch2);
      expect([second.error?.code, second.error?.alert]).toEqual([code, 'illegal_parameter']);
    }
  });
});
