/**
 * RFC 8448 §3–§7 replayed through the engine in both roles, as a suite of the crypto provider (run by
 * packages/tls with the noble provider and by packages/node with node:crypto): with the trace's
 * randomness, ephemeral keys and (for the random RSA-PSS/ECDSA signatures) a signer that checks the
 * recorded signature over exactly the content the engine asks to sign, every record our side sends
 * equals the recorded one.
 */
import { describe, expect, it } from 'vitest';
import { loadTrace, toHex, traceValue, vectorsAvailable, vectorsMissingReason, type Trace, type TraceName } from '@puretls/test-vectors';
import type { SignatureSchemeName } from '@puretls/crypto';
import { ClientConnection, ServerConnection, clientConfig, serverConfig, type ClientTicket, type Extension, type TlsEvent } from '../../src/index.js';
import { ExtensionType as E } from '../../src/constants.js';
import { parseHandshake } from '../../src/messages/handshake.js';
import {
  certificateChainOf, certificatePublicKey, extensionsOf, queuedProvider, recordedSigner, replayHook, rsaPublicKey, signatureOf, stubVerifier, traceKeyPairs, type ProviderFactory,
} from './trace.js';

const T0 = 1_700_000_000_000;
type Conn = ClientConnection | ServerConnection;

async function settle(c: Conn): Promise<void> {
  while (c.pending !== null) await c.pending;
}

/** Walks the trace's records in document order: ours must be produced, the peer's are fed. */
async function replay(trace: Trace, role: 'client' | 'server', conn: Conn, oneByte = false): Promise<{ events: TlsEvent[]; checked: number }> {
  const counts = new Map<string, number>();
  let out = '';
  let checked = 0;
  const events: TlsEvent[] = [];
  const collect = (): void => {
    for (let e = conn.poll(); e !== null; e = conn.poll()) events.push(e);
  };
  for (const step of trace.steps) {
    if (!/^send .* record$/.test(step.description)) continue;
    const key = `${step.side}|${step.description}`;
    const nth = counts.get(key) ?? 0;
    counts.set(key, nth + 1);
    const record = traceValue(trace, step.side, step.description, 'complete record', nth);
    const payload = traceValue(trace, step.side, step.description, 'payload', nth);
    if (step.side === role) {
      await settle(conn);
      out += toHex(conn.pull() ?? new Uint8Array());
      if (out === '') {
        if (step.description === 'send application_data record') conn.write(payload);
        else if (step.description === 'send alert record') conn.close();
        out += toHex(conn.pull() ?? new Uint8Array());
      }
      expect(conn.error, `${role} failed before ${step.description} #${nth}`).toBeNull();
      expect(out.slice(0, record.length * 2), `${role} ${step.description} #${nth}`).toBe(toHex(record));
      out = out.slice(record.length * 2);
      checked++;
    } else {
      if (oneByte) for (let i = 0; i < record.length; i++) conn.feed(record.subarray(i, i + 1));
      else conn.feed(record);
      await settle(conn);
      expect(conn.error, `${role} fed ${step.side} ${step.description} #${nth}`).toBeNull();
    }
    collect();
  }
  expect(out).toBe('');
  expect(conn.pull()).toBeNull();
  return { events, checked };
}

const msg = (trace: Trace, side: 'client' | 'server', label: string, nth = 0): Uint8Array =>
  traceValue(trace, side, new RegExp(`^construct an? ${label} handshake message$`), label, nth);

function ticketFromSimple(): ClientTicket {
  const t3 = loadTrace('simple-1rtt');
  const nst = parseHandshake(msg(t3, 'server', 'NewSessionTicket'));
  if (nst.type !== 'new_session_ticket') throw new Error('no ticket');
  return {
    ticket: nst.body.ticket.slice(),
    psk: traceValue(t3, 'server', 'generate resumption secret "tls13 resumption"', 'expanded'),
    cipherSuite: 'TLS_AES_128_GCM_SHA256',
    lifetime: nst.body.ticketLifetime,
    ageAdd: nst.body.ticketAgeAdd,
    receivedAt: T0,
    maxEarlyDataSize: 1024,
    serverName: 'server',
    alpn: null,
  };
}

interface Setup {
  readonly name: TraceName;
  readonly clientGroups: ('x25519' | 'secp256r1' | 'secp384r1' | 'secp521r1')[];
  readonly serverGroups: ('x25519' | 'secp256r1' | 'secp384r1' | 'secp521r1')[];
  readonly compat?: boolean;
  readonly clientAuth?: boolean;
  readonly resumed?: boolean;
  /** Milliseconds after the ticket was received (§4: the obfuscated age minus age_add). */
  readonly age?: number;
  /** The server sends the recorded NewSessionTicket. */
  readonly ticket?: boolean;
}

const SETUPS: Setup[] = [
  { name: 'simple-1rtt', clientGroups: ['x25519', 'secp256r1', 'secp384r1', 'secp521r1'], serverGroups: ['x25519', 'secp256r1'], ticket: true },
  { name: 'hello-retry-request', clientGroups: ['x25519', 'secp256r1', 'secp384r1'], serverGroups: ['secp256r1', 'secp384r1'] },
  { name: 'client-authentication', clientGroups: ['x25519', 'secp256r1', 'secp384r1', 'secp521r1'], serverGroups: ['x25519'], clientAuth: true },
  { name: 'compatibility-mode', clientGroups: ['x25519', 'secp256r1', 'secp384r1', 'secp521r1'], serverGroups: ['x25519'], compat: true },
  { name: 'resumed-0rtt', clientGroups: ['x25519', 'secp256r1', 'secp384r1', 'secp521r1'], serverGroups: ['x25519'], resumed: true, age: 6 },
];

const CLIENT_SCHEMES: SignatureSchemeName[] = ['ecdsa_secp256r1_sha256', 'ecdsa_secp384r1_sha384', 'ecdsa_secp521r1_sha512', 'rsa_pss_rsae_sha256', 'rsa_pss_rsae_sha384', 'rsa_pss_rsae_sha512'];

type Logged = Map<string, string>;
const logger = (logged: Logged) => (label: string, random: Uint8Array, secret: Uint8Array): void => {
  logged.set(label, `${toHex(random)} ${toHex(secret)}`);
};

/** Every traffic secret the engine derived equals the one the trace prints. */
function checkSecrets(trace: Trace, logged: Logged, resumed: boolean): void {
  const random = toHex(traceValue(trace, 'client', 'construct a ClientHello handshake message', 'ClientHello').subarray(6, 38));
  const expected: [string, 'client' | 'server', string][] = [
    ['CLIENT_HANDSHAKE_TRAFFIC_SECRET', 'server', 'derive secret "tls13 c hs traffic"'],
    ['SERVER_HANDSHAKE_TRAFFIC_SECRET', 'server', 'derive secret "tls13 s hs traffic"'],
    ['CLIENT_TRAFFIC_SECRET_0', 'server', 'derive secret "tls13 c ap traffic"'],
    ['SERVER_TRAFFIC_SECRET_0', 'server', 'derive secret "tls13 s ap traffic"'],
    ['EXPORTER_SECRET', 'server', 'derive secret "tls13 exp master"'],
  ];
  if (resumed) {
    expected.push(['CLIENT_EARLY_TRAFFIC_SECRET', 'client', 'derive secret "tls13 c e traffic"'], ['EARLY_EXPORTER_SECRET', 'client', 'derive secret "tls13 e exp master"']);
  }
  expect(logged.size).toBe(expected.length);
  for (const [label, side, d] of expected) expect(logged.get(label), label).toBe(`${random} ${toHex(traceValue(trace, side, d, 'expanded'))}`);
}

function clientSide(create: ProviderFactory, trace: Trace, s: Setup): { conn: ClientConnection; remaining: () => number; logged: Logged } {
  const logged: Logged = new Map();
  const chs = trace.steps.filter((x) => x.side === 'client' && x.description === 'construct a ClientHello handshake message');
  const clientHellos = chs.map((_, i) => {
    const m = msg(trace, 'client', 'ClientHello', i);
    // §4 prints the ClientHello without binders; the record has the whole message.
    const declared = ((m[1] as number) << 16) | ((m[2] as number) << 8) | (m[3] as number);
    return declared + 4 === m.length ? m : traceValue(trace, 'client', 'send handshake record', 'payload', i);
  });
  const random = (clientHellos[0] as Uint8Array).subarray(6, 38);
  const randomness = [random];
  if (s.compat) randomness.push((clientHellos[0] as Uint8Array).subarray(39, 71));
  const provider = queuedProvider(randomness, create);
  const privs = trace.steps
    .filter((x) => x.side === 'client' && /^create an ephemeral/.test(x.description))
    .map((x, i) => [x.description.includes('P-256') ? 'secp256r1' : 'x25519', traceValue(trace, 'client', /^create an ephemeral/, 'private key', i)] as const);
  const pairs: Record<string, Uint8Array[]> = {};
  for (const [g, k] of privs) (pairs[g] ??= []).push(k);
  let helloIndex = 0;
  const serverChain = s.resumed ? [] : certificateChainOf(trace, 'server');
  const serverKey = s.clientAuth ? certificatePublicKey(serverChain[0] as Uint8Array) : rsaPublicKey();
  const config = clientConfig({
    provider,
    now: () => T0 + (s.age ?? 0),
    serverName: 'server',
    cipherSuites: ['TLS_AES_128_GCM_SHA256', 'TLS_CHACHA20_POLY1305_SHA256', 'TLS_AES_256_GCM_SHA384'],
    groups: s.clientGroups,
    keyShareGroups: ['x25519'],
    signatureSchemes: CLIENT_SCHEMES,
    recordSizeLimit: 16385,
    padClientHello: true,
    keyLog: logger(logged),
    compatibilityMode: s.compat ?? false,
    keyPair: traceKeyPairs(provider, pairs),
    verifier: stubVerifier(serverKey, serverChain),
    ...(s.clientAuth
      ? { clientCertificate: { chain: certificateChainOf(trace, 'client'), key: recordedSigner(provider, certificatePublicKey(certificateChainOf(trace, 'client')[0] as Uint8Array), signatureOf(trace, 'client')) } }
      : {}),
    extensionHook: (_m, exts) => {
      const recorded = extensionsOf(clientHellos[helloIndex++] ?? new Uint8Array());
      return replayHook(recorded, [E.supported_groups, E.signature_algorithms])(exts);
    },
  });
  const conn = new ClientConnection(
    config,
    s.resumed ? { session: ticketFromSimple(), earlyData: traceValue(trace, 'client', 'send application_data record', 'payload', 0) } : {},
  );
  return { conn, remaining: provider.remaining, logged };
}

function serverSide(create: ProviderFactory, trace: Trace, s: Setup): { conn: ServerConnection; remaining: () => number; logged: Logged } {
  const logged: Logged = new Map();
  const shs = trace.steps.filter((x) => x.side === 'server' && x.description === 'construct a ServerHello handshake message');
  const serverHello = msg(trace, 'server', 'ServerHello', shs.length - 1);
  const nst = s.ticket ? parseHandshake(msg(trace, 'server', 'NewSessionTicket')) : undefined;
  const recordedTicket = nst?.type === 'new_session_ticket' ? nst.body : undefined;
  const randomness = [serverHello.subarray(6, 38)];
  if (recordedTicket) randomness.push(Uint8Array.of(recordedTicket.ticketAgeAdd >>> 24, (recordedTicket.ticketAgeAdd >>> 16) & 255, (recordedTicket.ticketAgeAdd >>> 8) & 255, recordedTicket.ticketAgeAdd & 255));
  const provider = queuedProvider(randomness, create);
  const pairs: Record<string, Uint8Array[]> = {};
  const kx = trace.steps.find((x) => x.side === 'server' && /^create an ephemeral/.test(x.description));
  pairs[kx?.description.includes('P-256') ? 'secp256r1' : 'x25519'] = [traceValue(trace, 'server', /^create an ephemeral/, 'private key')];
  const ee = msg(trace, 'server', 'EncryptedExtensions');
  const hooks: Record<string, Extension[]> = { encrypted_extensions: extensionsOf(ee) };
  if (s.clientAuth) hooks['certificate_request'] = extensionsOf(msg(trace, 'server', 'CertificateRequest'));
  const chain = s.resumed ? certificateChainOf(loadTrace('simple-1rtt'), 'server') : certificateChainOf(trace, 'server');
  const serverKey = s.clientAuth ? certificatePublicKey(chain[0] as Uint8Array) : rsaPublicKey();
  const signer = s.resumed
    ? recordedSigner(provider, rsaPublicKey(), new Uint8Array(256))
    : recordedSigner(provider, serverKey, signatureOf(trace, 'server'), s.clientAuth ? 'ecdsa_secp256r1_sha256' : 'rsa_pss_rsae_sha256');
  const hrr = trace.steps.filter((x) => x.side === 'server' && x.description === 'construct a ServerHello handshake message').length > 1;
  const cookie = hrr ? extensionsOf0(msg(trace, 'server', 'ServerHello', 0)) : undefined;
  const ticket = ticketFromSimple();
  const config = serverConfig({
    provider,
    now: () => T0 + (s.age ?? 0),
    certificates: [{ chain, key: signer }],
    cipherSuites: ['TLS_AES_128_GCM_SHA256', 'TLS_AES_256_GCM_SHA384', 'TLS_CHACHA20_POLY1305_SHA256'],
    groups: s.serverGroups,
    recordSizeLimit: 16385,
    keyLog: logger(logged),
    keyPair: traceKeyPairs(provider, pairs),
    ...(s.clientAuth ? { clientAuth: 'required' as const, clientVerifier: stubVerifier(certificatePublicKey(certificateChainOf(trace, 'client')[0] as Uint8Array), certificateChainOf(trace, 'client')) } : {}),
    ...(cookie ? { helloRetryCookie: () => cookie } : {}),
    ...(s.resumed
      ? {
          maxEarlyDataSize: 1024,
          ticketsPerHandshake: 0,
          ticketSealer: {
            seal: () => {
              throw new Error('no ticket expected');
            },
            open: (id: Uint8Array) =>
              Buffer.from(id).equals(Buffer.from(ticket.ticket))
                ? { psk: ticket.psk, cipherSuite: ticket.cipherSuite, issuedAt: T0, lifetime: ticket.lifetime, ageAdd: ticket.ageAdd, maxEarlyDataSize: 1024, alpn: null, serverName: 'server' }
                : null,
          },
        }
      : {}),
    ...(recordedTicket
      ? { ticketLifetime: recordedTicket.ticketLifetime, maxEarlyDataSize: 1024, ticketSealer: { seal: () => recordedTicket.ticket, open: () => null } }
      : {}),
    extensionHook: (m, exts) => replayHook(hooks[m] ?? [], [E.signature_algorithms])(exts),
  });
  return { conn: new ServerConnection(config), remaining: provider.remaining, logged };
}

/** The cookie of a recorded HelloRetryRequest. */
function extensionsOf0(hrrRaw: Uint8Array): Uint8Array | undefined {
  const m = parseHandshake(hrrRaw);
  if (m.type !== 'server_hello') return undefined;
  const c = m.body.extensions.find((e) => e.type === E.cookie);
  return c === undefined ? undefined : c.data.subarray(2).slice();
}

/**
 * Registers the replay of every setup with providers made by `create` (given the queued randomness):
 * one `describe` per trace, named `RFC 8448 <trace><suffix>`, with the client role, the server role and
 * both roles fed one byte at a time.
 */
export function describeRfc8448Replay(create: ProviderFactory, suffix = ''): void {
  if (!vectorsAvailable) {
    it(`RFC 8448 replays${suffix}`, (ctx) => ctx.skip(vectorsMissingReason));
  } else {
    for (const s of SETUPS) {
      describe(`RFC 8448 ${s.name}${suffix}`, () => {
        const trace = loadTrace(s.name);
        it('client role: every client record byte for byte', async () => {
          const { conn, remaining, logged } = clientSide(create, trace, s);
          const { events, checked } = await replay(trace, 'client', conn);
          checkSecrets(trace, logged, !!s.resumed);
          const done = events.find((e) => e.type === 'handshake_complete');
          expect(done).toBeDefined();
          if (done?.type === 'handshake_complete') {
            expect(done.info.resumed).toBe(!!s.resumed);
            expect(done.info.earlyDataAccepted).toBe(!!s.resumed);
            expect(done.info.helloRetry).toBe(s.name === 'hello-retry-request');
          }
          expect(checked).toBeGreaterThanOrEqual(3);
          expect(conn.state).toBe('Closed');
          expect(remaining()).toBe(0);
        });
        it('server role: every server record byte for byte', async () => {
          const { conn, remaining, logged } = serverSide(create, trace, s);
          const { events, checked } = await replay(trace, 'server', conn);
          checkSecrets(trace, logged, !!s.resumed);
          expect(events.some((e) => e.type === 'handshake_complete')).toBe(true);
          if (s.resumed) {
            expect(toHex(Uint8Array.from(Buffer.concat(events.filter((e) => e.type === 'early_data').map((e) => (e as { data: Uint8Array }).data))))).toBe(
              toHex(traceValue(trace, 'client', 'send application_data record', 'payload', 0)),
            );
          }
          if (s.clientAuth) expect((events.find((e) => e.type === 'handshake_complete') as unknown as { info: { peerCertificates: unknown[] } }).info.peerCertificates).toHaveLength(1);
          expect(checked).toBeGreaterThanOrEqual(3);
          expect(conn.state).toBe('Closed');
          expect(remaining()).toBe(0);
        });
        it('both roles again with the peer records fed one byte at a time', async () => {
          const c = clientSide(create, trace, s);
          expect((await replay(trace, 'client', c.conn, true)).checked).toBeGreaterThanOrEqual(3);
          const v = serverSide(create, trace, s);
          expect((await replay(trace, 'server', v.conn, true)).checked).toBeGreaterThanOrEqual(3);
        });
      });
    }
  }
}
