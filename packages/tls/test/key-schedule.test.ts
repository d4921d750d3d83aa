import { describe, expect, it } from 'vitest';
import { hex, loadTrace, toHex, traceValue, vectorsAvailable, vectorsMissingReason, type Trace, type TraceName } from '@puretls/test-vectors';
import { createNobleProvider } from '@puretls/crypto/noble';
import { deriveSecret } from '@puretls/crypto';
import { EarlySecret, finishedVerifyData, resumptionPsk, type KeyScheduleContext } from '../src/key-schedule/secrets.js';
import { trafficKeys } from '../src/key-schedule/traffic.js';
import { Transcript } from '../src/key-schedule/transcript.js';
import { CipherSuite } from '../src/suites.js';
import { parseHandshake } from '../src/messages/handshake.js';

const provider = createNobleProvider();
const ctx: KeyScheduleContext = { provider, hash: 'SHA-256', hashLength: 32 };
const suite = CipherSuite.TLS_AES_128_GCM_SHA256;
const MESSAGE_LABELS = new Set(['ClientHello', 'ServerHello', 'EncryptedExtensions', 'Certificate', 'CertificateRequest', 'CertificateVerify', 'Finished', 'EndOfEarlyData']);

/** Handshake messages in transcript order (document order of the trace), full ClientHellos. */
function transcriptMessages(trace: Trace): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (const e of trace.entries) {
    if (!MESSAGE_LABELS.has(e.label) || e.hex === null) continue;
    let b = hex(e.hex);
    const declared = ((b[1] as number) << 16) | ((b[2] as number) << 8) | (b[3] as number);
    // §4 prints the ClientHello without its binders; the record payload has the whole message.
    if (declared + 4 !== b.length) b = traceValue(trace, 'client', 'send handshake record', 'payload');
    out.push(b);
  }
  return out;
}

function check(trace: Trace, side: 'client' | 'server', description: string, label: string, actual: Uint8Array, nth = 0): void {
  expect(toHex(actual), `${side} ${description} ${label}`).toBe(toHex(traceValue(trace, side, description, label, nth)));
}

function runTrace(name: TraceName, psk?: Uint8Array): number {
  const trace = loadTrace(name);
  const msgs = transcriptMessages(trace).map((raw) => parseHandshake(raw));
  const t = new Transcript(provider, 'SHA-256');
  let checks = 0;
  const c = (side: 'client' | 'server', d: string, l: string, v: Uint8Array, nth = 0): void => {
    check(trace, side, d, l, v, nth);
    checks++;
  };
  const early = new EarlySecret(ctx, psk);
  const earlySide = psk ? 'client' : 'server';
  c(earlySide, 'extract secret "early"', 'secret', early.value);
  let i = 0;
  const next = (type: string): Uint8Array => {
    const m = msgs[i++];
    expect(m?.type).toBe(type);
    return (m as { raw: Uint8Array }).raw;
  };
  const ch1 = next('client_hello');
  if (psk) {
    // RFC 8446 §4.2.11.2: the binder covers the ClientHello up to the binders list.
    const prefix = traceValue(trace, 'client', 'calculate PSK binder', 'ClientHello prefix');
    const bh = provider.hash('SHA-256').digest(prefix);
    c('client', 'calculate PSK binder', 'binder hash', bh);
    c('client', 'calculate PSK binder', 'finished', finishedVerifyData(ctx, early.binderKey(false), bh));
  }
  t.update(ch1);
  if (msgs[i]?.type === 'server_hello' && (msgs[i]?.body as { isHelloRetryRequest: boolean }).isHelloRetryRequest) {
    t.restartWithMessageHash();
    t.update(next('server_hello'));
    t.update(next('client_hello'));
  }
  if (psk) {
    const h = t.current();
    const cets = early.clientEarlyTrafficSecret(h);
    c('client', 'derive secret "tls13 c e traffic"', 'expanded', cets);
    c('client', 'derive secret "tls13 e exp master"', 'expanded', early.earlyExporterMasterSecret(h));
    const k = trafficKeys(ctx, suite, cets);
    c('client', 'derive write traffic keys for early application data', 'key expanded', k.key);
    c('client', 'derive write traffic keys for early application data', 'iv expanded', k.iv);
  }
  t.update(next('server_hello'));
  const ikm = traceValue(trace, 'server', 'extract secret "handshake"', 'IKM');
  const emptyHash = provider.hash('SHA-256').digest(new Uint8Array(0));
  c('server', 'derive secret for handshake "tls13 derived"', 'expanded', deriveSecret(provider, 'SHA-256', early.value, 'derived', emptyHash));
  const hs = early.toHandshake(ikm);
  c('server', 'extract secret "handshake"', 'secret', hs.value);
  const h1 = t.current();
  const chts = hs.clientHandshakeTrafficSecret(h1);
  const shts = hs.serverHandshakeTrafficSecret(h1);
  c('server', 'derive secret "tls13 c hs traffic"', 'expanded', chts);
  c('server', 'derive secret "tls13 s hs traffic"', 'expanded', shts);
  c('server', 'derive secret for master "tls13 derived"', 'expanded', deriveSecret(provider, 'SHA-256', hs.value, 'derived', emptyHash));
  const ms = hs.toMaster();
  c('server', 'extract secret "master"', 'secret', ms.value);
  for (const [secret, d] of [[shts, 'derive write traffic keys for handshake data'], [chts, 'derive read traffic keys for handshake data']] as const) {
    const k = trafficKeys(ctx, suite, secret);
    if (d.includes('read') && psk) continue; // §4 prints the client's write keys instead (below)
    c('server', d, 'key expanded', k.key);
    c('server', d, 'iv expanded', k.iv);
  }
  // Server flight up to its Finished.
  while (msgs[i]?.type !== 'finished') t.update((msgs[i++] as { raw: Uint8Array }).raw);
  c('server', 'calculate finished "tls13 finished"', 'finished', finishedVerifyData(ctx, shts, t.current()));
  t.update(next('finished'));
  const h2 = t.current();
  const cats = ms.clientApplicationTrafficSecret(h2);
  const sats = ms.serverApplicationTrafficSecret(h2);
  c('server', 'derive secret "tls13 c ap traffic"', 'expanded', cats);
  c('server', 'derive secret "tls13 s ap traffic"', 'expanded', sats);
  c('server', 'derive secret "tls13 exp master"', 'expanded', ms.exporterMasterSecret(h2));
  const sk = trafficKeys(ctx, suite, sats);
  c('server', 'derive write traffic keys for application data', 'key expanded', sk.key);
  c('server', 'derive write traffic keys for application data', 'iv expanded', sk.iv);
  if (psk) {
    t.update(next('end_of_early_data'));
    const k = trafficKeys(ctx, suite, chts);
    c('client', 'derive write traffic keys for handshake data', 'key expanded', k.key);
    c('client', 'derive write traffic keys for handshake data', 'iv expanded', k.iv);
  }
  while (msgs[i]?.type !== 'finished') t.update((msgs[i++] as { raw: Uint8Array }).raw);
  c('client', 'calculate finished "tls13 finished"', 'finished', finishedVerifyData(ctx, chts, t.current()));
  t.update(next('finished'));
  expect(i).toBe(msgs.length);
  const ck = trafficKeys(ctx, suite, cats);
  c('client', 'derive write traffic keys for application data', 'key expanded', ck.key);
  c('client', 'derive write traffic keys for application data', 'iv expanded', ck.iv);
  const rms = ms.resumptionMasterSecret(t.current());
  c('client', 'derive secret "tls13 res master"', 'expanded', rms);
  if (name === 'simple-1rtt') c('server', 'generate resumption secret "tls13 resumption"', 'expanded', resumptionPsk(ctx, rms, new Uint8Array(2)));
  return checks;
}

if (!vectorsAvailable) {
  it('RFC 8448 key schedule', (ctx) => ctx.skip(vectorsMissingReason));
} else {
  describe('key schedule reproduces every RFC 8448 secret, key and iv', () => {
    it('§3 simple 1-RTT', () => expect(runTrace('simple-1rtt')).toBe(22));
    it('§5 HelloRetryRequest (message_hash rule)', () => expect(runTrace('hello-retry-request')).toBe(21));
    it('§6 client authentication', () => expect(runTrace('client-authentication')).toBe(21));
    it('§7 compatibility mode', () => expect(runTrace('compatibility-mode')).toBe(21));
    it('§4 resumed 0-RTT with the §3 ticket PSK', () => {
      const psk = traceValue(loadTrace('simple-1rtt'), 'server', 'generate resumption secret "tls13 resumption"', 'expanded');
      expect(runTrace('resumed-0rtt', psk)).toBe(27);
    });
    it('the handshake IKM is the X25519/P-256 shared secret of the trace keys', () => {
      for (const [name, group] of [['simple-1rtt', 'x25519'], ['hello-retry-request', 'secp256r1']] as const) {
        const trace = loadTrace(name);
        const nth = name === 'hello-retry-request' ? 0 : 0;
        const cpriv = traceValue(trace, 'client', /create an ephemeral .* key pair/, 'private key', name === 'hello-retry-request' ? 1 : 0);
        const spub = traceValue(trace, 'server', /create an ephemeral .* key pair/, 'public key', nth);
        const z = provider.group(group).sharedSecret(cpriv, spub);
        expect(toHex(z)).toBe(toHex(traceValue(trace, 'server', 'extract secret "handshake"', 'IKM')));
      }
    });
    it('a consumed stage refuses further use', () => {
      const e = new EarlySecret(ctx);
      e.toHandshake(null);
      expect(() => e.binderKey(false)).toThrow(/consumed/);
    });
  });
}
