/**
 * The runtime-neutral checks, run unchanged in Node, Deno, Bun and headless Chromium (bundled by
 * esbuild with no Node module allowed). Everything from the outside (the RFC 8448 trace, the test PKI,
 * where openssl listens, how to open a TCP-like transport) comes in through `CheckEnv`.
 */
import { createNobleProvider } from '@puretls/crypto/noble';
import type { PublicKey } from '@puretls/crypto';
import { ClientConnection, clientConfig, type CertificateVerifier, type Extension, type TlsEvent } from '@puretls/tls';
import { Reader } from '@puretls/wire';
import { decodePemCertificates, parseCertificate, TrustStore, verifyCertificateChain } from '@puretls/x509';
import { acceptTls, memoryPipe, selectWebProvider, startTls, webClientConfig, webServerConfig, type TlsStream, type TlsTransport, type WebProviderChoice } from '@puretls/web';
import type { Trace, TraceEntry } from '@puretls/test-vectors';

export interface CheckFixtures {
  /** RFC 8448 §3 (simple-1rtt.json) and §2 (private-keys.json entries); null when the vectors are absent. */
  readonly trace: Trace | null;
  readonly traceKeys: readonly TraceEntry[] | null;
  readonly pki: {
    readonly caPem: string;
    readonly intermediatePem: string;
    readonly ecdsa: { readonly certPem: string; readonly keyPem: string };
    readonly rsa: { readonly certPem: string; readonly keyPem: string };
  };
  /** Where `openssl s_server -www` listens (its chain: ecdsa leaf + intermediate). */
  readonly openssl: { readonly host: string; readonly port: number } | null;
}

export interface CheckEnv {
  readonly runtime: string;
  readonly fixtures: CheckFixtures;
  /** A TCP connection as Web Streams (directly, or through a WebSocket relay in a browser). */
  connect(host: string, port: number): Promise<TlsTransport>;
}

export interface CheckResult {
  readonly name: string;
  readonly status: 'passed' | 'failed' | 'skipped';
  readonly detail?: string;
}

class CheckFailure extends Error {}

function assert(cond: unknown, message: string): asserts cond {
  if (!cond) throw new CheckFailure(message);
}

function hex(s: string): Uint8Array {
  const out = new Uint8Array(s.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(s.slice(2 * i, 2 * i + 2), 16);
  return out;
}

function toHex(b: Uint8Array): string {
  let s = '';
  for (const x of b) s += x.toString(16).padStart(2, '0');
  return s;
}

function equal(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** The value labelled `label` in the nth step with this side and description (as @puretls/test-vectors). */
function traceValue(trace: Trace, side: 'client' | 'server', description: string, label: string, nth = 0): Uint8Array {
  const step = trace.steps.filter((s) => s.side === side && s.description === description)[nth];
  assert(step !== undefined, `RFC 8448 §${trace.section}: no ${side} step "${description}" #${nth}`);
  const entry = trace.entries.find((e) => e.step === step.index && e.label === label);
  assert(entry !== undefined && entry.hex !== null, `RFC 8448 §${trace.section}: "${description}" has no "${label}"`);
  return hex(entry.hex);
}

/** The extensions of a ClientHello handshake message (RFC 8446 §4.1.2). */
function clientHelloExtensions(msg: Uint8Array): Extension[] {
  const r = new Reader(msg);
  assert(r.u8() === 1, 'not a ClientHello');
  const body = r.sub24();
  body.u16(); // legacy_version
  body.bytes(32); // random
  body.vec8(0, 32); // legacy_session_id
  body.vec16(2); // cipher_suites
  body.vec8(1); // legacy_compression_methods
  const exts = body.sub16(8);
  const out: Extension[] = [];
  while (!exts.atEnd) out.push({ type: exts.u16(), data: exts.vec16() });
  return out;
}

function drain(c: { poll(): TlsEvent | null }): TlsEvent[] {
  const out: TlsEvent[] = [];
  for (let e = c.poll(); e !== null; e = c.poll()) out.push(e);
  return out;
}

/** RFC 8448 §3: our client reproduces every client record, byte for byte, when fed the server's. */
async function replayRfc8448(trace: Trace, keys: readonly TraceEntry[]): Promise<void> {
  const key = (label: string): bigint => {
    const e = keys.find((x) => x.label === label);
    assert(e !== undefined && e.hex !== null, `RFC 8448 §2: no ${label}`);
    return BigInt(`0x${e.hex}`);
  };
  const serverKey: PublicKey = { kind: 'rsa', n: key('modulus (public)'), e: key('public exponent') };
  const ch = traceValue(trace, 'client', 'construct a ClientHello handshake message', 'ClientHello');
  const random = [ch.slice(6, 38)];
  const provider = createNobleProvider({
    random: (out) => {
      const next = random.shift();
      if (next === undefined || next.length !== out.length) throw new Error(`unexpected randomness request of ${out.length} bytes`);
      out.set(next);
    },
  });
  const recorded = clientHelloExtensions(ch);
  let verifierCalls = 0;
  const verifier: CertificateVerifier = {
    async verify(req) {
      verifierCalls++;
      return req.chain.length === 1 && req.serverName === 'server'
        ? { ok: true, publicKey: serverKey }
        : { ok: false, code: 'UNEXPECTED_CHAIN', alert: 'bad_certificate', message: 'not the trace chain' };
    },
  };
  const SUPPORTED_GROUPS = 10;
  const SIGNATURE_ALGORITHMS = 13;
  const config = clientConfig({
    provider,
    now: () => 1_700_000_000_000,
    serverName: 'server',
    cipherSuites: ['TLS_AES_128_GCM_SHA256', 'TLS_CHACHA20_POLY1305_SHA256', 'TLS_AES_256_GCM_SHA384'],
    groups: ['x25519', 'secp256r1', 'secp384r1', 'secp521r1'],
    signatureSchemes: ['ecdsa_secp256r1_sha256', 'ecdsa_secp384r1_sha384', 'ecdsa_secp521r1_sha512', 'rsa_pss_rsae_sha256', 'rsa_pss_rsae_sha384', 'rsa_pss_rsae_sha512'],
    recordSizeLimit: 16385,
    keyPair: (g) => {
      assert(g === 'x25519', `unexpected key share group ${g}`);
      return provider.group('x25519').keyPairFromPrivateKey(traceValue(trace, 'client', 'create an ephemeral x25519 key pair', 'private key'));
    },
    verifier,
    // The trace offers ffdhe groups and more schemes than we implement: every extension we make
    // must be in the recording with the same body (except those two), and the recording is sent.
    extensionHook: (_m, exts) => {
      for (const e of exts) {
        const r = recorded.find((x) => x.type === e.type);
        assert(r !== undefined, `we send extension ${e.type} that the recording lacks`);
        assert(e.type === SUPPORTED_GROUPS || e.type === SIGNATURE_ALGORITHMS || equal(r.data, e.data), `extension ${e.type} differs from the recording`);
      }
      return recorded;
    },
  });
  const rec = (side: 'client' | 'server', description: string, nth = 0): Uint8Array => traceValue(trace, side, description, 'complete record', nth);
  const same = (got: Uint8Array | null, want: Uint8Array, what: string): void => {
    assert(got !== null && equal(got, want), `${what}: got ${got === null ? 'nothing' : toHex(got).slice(0, 64)}…, want ${toHex(want).slice(0, 64)}…`);
  };
  const client = new ClientConnection(config);
  const state = (): string => client.state; // read afresh each time (no narrowing across calls)
  same(client.pull(), rec('client', 'send handshake record'), 'ClientHello record');
  client.feed(rec('server', 'send handshake record', 0));
  assert(state() === 'ExpectEncryptedExtensions', `state ${state()} after ServerHello`);
  client.feed(rec('server', 'send handshake record', 1));
  for (let p = client.pending; p !== null; p = client.pending) await p;
  assert(client.error === null, `client failed: ${client.error?.message}`);
  assert(verifierCalls === 1, 'the verifier was not asked once');
  same(client.pull(), rec('client', 'send handshake record', 1), 'client Finished record');
  const hs = drain(client);
  assert(hs[0]?.type === 'handshake_complete', 'no handshake_complete');
  client.feed(rec('server', 'send handshake record', 2));
  assert(drain(client).map((e) => e.type).join() === 'session_ticket', 'NewSessionTicket not delivered as a ticket');
  client.write(traceValue(trace, 'client', 'send application_data record', 'payload'));
  same(client.pull(), rec('client', 'send application_data record'), 'client application_data record');
  client.feed(rec('server', 'send application_data record'));
  const data = drain(client);
  assert(data.length === 1 && data[0]?.type === 'application_data', 'server application data not delivered');
  assert(equal(data[0].data, traceValue(trace, 'server', 'send application_data record', 'payload')), 'server payload differs');
  client.close();
  same(client.pull(), rec('client', 'send alert record'), 'close_notify record');
  client.feed(rec('server', 'send alert record'));
  assert(state() === 'Closed', `state ${state()} after both close_notify`);
  assert(random.length === 0, 'the client random was not used');
}

function pattern(n: number, seed: number): Uint8Array {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = (i * 131 + seed * 7) & 0xff;
  return out;
}

async function readAll(r: ReadableStream<Uint8Array>): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  const reader = r.getReader();
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return concat(parts);
    parts.push(value);
  }
}

async function writeAll(w: WritableStream<Uint8Array>, data: Uint8Array, chunk: number, close = true): Promise<void> {
  const writer = w.getWriter();
  for (let i = 0; i < data.length; i += chunk) await writer.write(data.subarray(i, i + chunk));
  if (close) await writer.close();
  else writer.releaseLock();
}

/** A verified in-memory handshake through the Web Streams binding, then 64 KiB each way and close_notify. */
/** `choice` 'auto' must pick Web Crypto: every runtime checked here has crypto.subtle. */
async function inMemory(pki: CheckFixtures['pki'], kind: 'ecdsa' | 'rsa', choice: WebProviderChoice): Promise<void> {
  const [a, b] = memoryPipe();
  const leaf = pki[kind];
  const provider = selectWebProvider(choice);
  assert(provider.name === (choice === 'noble' ? 'noble' : 'webcrypto'), `provider ${provider.name} for '${choice}'`);
  const serverConfig = webServerConfig({ certificates: [{ chain: leaf.certPem + pki.intermediatePem, key: leaf.keyPem }], ...(choice === 'auto' ? {} : { provider }) });
  const clientConfig = webClientConfig({ trustAnchors: pki.caPem, serverName: 'localhost', ...(choice === 'auto' ? {} : { provider }) });
  assert(serverConfig.provider === provider && clientConfig.provider === provider, 'the configs do not use the selected provider');
  const server = acceptTls(b, { config: serverConfig });
  const client = startTls(a, { config: clientConfig });
  const [info] = await Promise.all([client.handshake, server.handshake]);
  // Web Crypto: AES-GCM records on the platform, so AES first; pure JS: ChaCha20 first.
  const suite = choice === 'noble' ? 'TLS_CHACHA20_POLY1305_SHA256' : 'TLS_AES_128_GCM_SHA256';
  assert(info.cipherSuite === suite, `cipher suite ${info.cipherSuite}, not ${suite}`);
  const want = kind === 'ecdsa' ? /^ecdsa_secp256r1_sha256$/ : /^rsa_pss_rsae_/;
  assert(want.test(info.signatureScheme ?? ''), `signature scheme ${info.signatureScheme}`);
  const up = pattern(65536, 1);
  const down = pattern(65536, 2);
  const [, , atServer, atClient] = await Promise.all([
    writeAll(client.writable, up, 4000),
    writeAll(server.writable, down, 16384),
    readAll(server.readable),
    readAll(client.readable),
  ]);
  assert(equal(atServer, up), `server got ${atServer.length} bytes, not the 64 KiB sent`);
  assert(equal(atClient, down), `client got ${atClient.length} bytes, not the 64 KiB sent`);
  await Promise.all([client.closed, server.closed]);
}

/** X.509 path validation: leaf → intermediate → root, by name and by IP; a wrong name and a missing anchor fail. */
async function chain(pki: CheckFixtures['pki']): Promise<void> {
  const [leaf] = decodePemCertificates(pki.ecdsa.certPem);
  const intermediates = decodePemCertificates(pki.intermediatePem);
  assert(leaf !== undefined, 'no leaf');
  const trustAnchors = TrustStore.fromPem(pki.caPem);
  const time = new Date();
  const ok = await verifyCertificateChain({ leaf, intermediates, trustAnchors, time, serverName: 'localhost', usage: 'serverAuth' });
  assert(ok.ok && ok.chain.length === 3, `valid chain refused: ${ok.ok ? ok.chain.length : ok.error.code}`);
  assert(parseCertificate(leaf).subjectAltNames.dns.includes('localhost'), 'leaf SAN view lacks localhost');
  const ip = await verifyCertificateChain({ leaf, intermediates, trustAnchors, time, serverName: '127.0.0.1', usage: 'serverAuth' });
  assert(ip.ok, 'IP SAN refused');
  const wrongName = await verifyCertificateChain({ leaf, intermediates, trustAnchors, time, serverName: 'example.com', usage: 'serverAuth' });
  assert(!wrongName.ok && wrongName.error.code === 'ERR_TLS_CERT_ALTNAME_INVALID', `wrong name: ${wrongName.ok ? 'accepted' : wrongName.error.code}`);
  const noIntermediate = await verifyCertificateChain({ leaf, intermediates: [], trustAnchors, time, serverName: 'localhost', usage: 'serverAuth' });
  assert(!noIntermediate.ok, 'a chain without its intermediate was accepted');
}

/** A verified handshake with `openssl s_server -www`, reading its status page. */
async function openssl(env: CheckEnv): Promise<void> {
  const target = env.fixtures.openssl;
  assert(target !== null, 'no openssl server');
  const transport = await env.connect(target.host, target.port);
  const tls: TlsStream = startTls(transport, { config: webClientConfig({ trustAnchors: env.fixtures.pki.caPem, serverName: 'localhost' }) });
  const info = await tls.handshake;
  assert(info.version === 'TLSv1.3' && info.peerCertificates.length === 2, `negotiated ${info.version} with ${info.peerCertificates.length} certificates`);
  const [, page] = await Promise.all([
    writeAll(tls.writable, new TextEncoder().encode('GET / HTTP/1.0\r\n\r\n'), 1024, false),
    readAll(tls.readable),
  ]);
  const text = new TextDecoder().decode(page);
  assert(/^HTTP\/1\.0 200 ok/i.test(text), `unexpected reply: ${text.slice(0, 80)}`);
  assert(text.includes('TLSv1.3') && text.includes(info.cipherSuite), 'the -www page does not show the TLS 1.3 session');
  await tls.close();
}

/** Runs every check; never throws. */
export async function runChecks(env: CheckEnv): Promise<CheckResult[]> {
  const f = env.fixtures;
  const checks: [string, (() => Promise<void>) | string][] = [
    ['RFC 8448 §3 client replay, byte for byte', f.trace !== null && f.traceKeys !== null ? () => replayRfc8448(f.trace as Trace, f.traceKeys as TraceEntry[]) : 'RFC 8448 vectors not available'],
    ['in-memory handshake, ECDSA certificate, 64 KiB each way, Web Crypto signatures and AES-GCM records (auto)', () => inMemory(f.pki, 'ecdsa', 'auto')],
    ['in-memory handshake, RSA certificate, 64 KiB each way, Web Crypto signatures and AES-GCM records', () => inMemory(f.pki, 'rsa', 'webcrypto')],
    ['in-memory handshake, ECDSA certificate, 64 KiB each way, noble', () => inMemory(f.pki, 'ecdsa', 'noble')],
    ['in-memory handshake, RSA certificate, 64 KiB each way, noble', () => inMemory(f.pki, 'rsa', 'noble')],
    ['X.509 chain validation', () => chain(f.pki)],
    ['openssl s_server -www, verified against the test CA', () => openssl(env)],
  ];
  const results: CheckResult[] = [];
  for (const [name, run] of checks) {
    if (typeof run === 'string') {
      results.push({ name, status: 'skipped', detail: run });
      continue;
    }
    try {
      await run();
      results.push({ name, status: 'passed' });
    } catch (e) {
      const detail = e instanceof Error ? `${e.name}${'code' in e ? ` ${String((e as { code: unknown }).code)}` : ''}: ${e.message}` : String(e);
      results.push({ name, status: 'failed', detail });
    }
  }
  return results;
}
