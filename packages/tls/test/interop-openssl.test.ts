/**
 * Interoperability with OpenSSL 3 over real sockets on 127.0.0.1: our client against
 * `openssl s_server`, and `openssl s_client` against our server.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createNobleProvider } from '@puretls/crypto/noble';
import { createCertificateVerifier } from '@puretls/x509';
import type { NamedGroupName } from '@puretls/crypto';
import {
  ClientConnection, ServerConnection, clientConfig, createTicketSealer, serverConfig, type CipherSuiteName, type ClientTicket, type TlsEvent,
} from '../src/index.js';
import { opensslAvailable, opensslCert, opensslMissingReason, pinnedVerifier, runClient, runOpensslClient, startEngineServer, useOpensslServers, writeTemp } from './helpers/openssl.js';

const provider = createNobleProvider();
const now = (): number => Date.now();
const info = (events: TlsEvent[]) => {
  const e = events.find((x) => x.type === 'handshake_complete');
  if (e?.type !== 'handshake_complete') throw new Error(`no handshake: ${events.map((x) => x.type).join(',')}`);
  return e.info;
};

const OPENSSL_GROUP: Record<NamedGroupName, string> = { x25519: 'X25519', x448: 'X448', secp256r1: 'P-256', secp384r1: 'P-384', secp521r1: 'P-521' };
const ALL_SUITES = 'TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256:TLS_AES_128_CCM_SHA256:TLS_AES_128_CCM_8_SHA256';

if (!opensslAvailable) {
  it('OpenSSL interop', (ctx) => ctx.skip(opensslMissingReason));
} else {
  const { start } = useOpensslServers();

  describe('our client against openssl s_server', () => {
    for (const suite of ['TLS_AES_128_GCM_SHA256', 'TLS_AES_256_GCM_SHA384', 'TLS_CHACHA20_POLY1305_SHA256', 'TLS_AES_128_CCM_SHA256', 'TLS_AES_128_CCM_8_SHA256'] as CipherSuiteName[]) {
      it(`suite ${suite}`, async () => {
        const cert = opensslCert('P-256');
        const s = await start(cert, ['-ciphersuites', ALL_SUITES]);
        const conn = new ClientConnection(clientConfig({ provider, now, serverName: 'localhost', verifier: pinnedVerifier(cert), cipherSuites: [suite] }));
        const run = await runClient(conn, s.port, 'hello puretls\n', 'slterup olleh');
        expect(info(run.events).cipherSuite).toBe(suite);
      });
    }
    for (const group of ['x25519', 'x448', 'secp256r1', 'secp384r1', 'secp521r1'] as NamedGroupName[]) {
      it(`group ${group}`, async () => {
        const cert = opensslCert('P-256');
        const s = await start(cert, ['-groups', OPENSSL_GROUP[group]]);
        const conn = new ClientConnection(clientConfig({ provider, now, serverName: 'localhost', verifier: pinnedVerifier(cert), groups: [group] }));
        const run = await runClient(conn, s.port, 'abc\n', 'cba');
        expect(info(run.events).group).toBe(group);
        expect(info(run.events).helloRetry).toBe(false);
      });
    }
    it('HelloRetryRequest from openssl (server wants P-384)', async () => {
      const cert = opensslCert('P-256');
      const s = await start(cert, ['-groups', 'P-384']);
      const conn = new ClientConnection(clientConfig({ provider, now, serverName: 'localhost', verifier: pinnedVerifier(cert), groups: ['x25519', 'secp384r1'] }));
      const run = await runClient(conn, s.port, 'abc\n', 'cba');
      expect([info(run.events).helloRetry, info(run.events).group]).toEqual([true, 'secp384r1']);
    });
    for (const [kind, scheme] of [['P-256', 'ecdsa_secp256r1_sha256'], ['P-384', 'ecdsa_secp384r1_sha384'], ['P-521', 'ecdsa_secp521r1_sha512'], ['ed25519', 'ed25519'], ['ed448', 'ed448'], ['rsa', 'rsa_pss_rsae_sha256']] as const) {
      it(`server certificate ${kind} → ${scheme}`, async () => {
        const cert = opensslCert(kind);
        const s = await start(cert);
        const conn = new ClientConnection(clientConfig({ provider, now, serverName: 'localhost', verifier: pinnedVerifier(cert) }));
        const run = await runClient(conn, s.port, 'xyz\n', 'zyx');
        expect(info(run.events).signatureScheme).toBe(scheme);
      });
    }
    it('an id-RSASSA-PSS server key (genpkey -algorithm RSA-PSS) → rsa_pss_pss_sha256, through the X.509 verifier', async () => {
      const cert = opensslCert('rsa-pss');
      const s = await start(cert);
      const verifier = createCertificateVerifier({ trustAnchors: [cert.der], provider });
      const conn = new ClientConnection(clientConfig({ provider, now, serverName: 'localhost', verifier }));
      const run = await runClient(conn, s.port, 'pss\n', 'ssp');
      expect(info(run.events).signatureScheme).toBe('rsa_pss_pss_sha256');
    });
    for (const scheme of ['rsa_pss_pss_sha384', 'rsa_pss_pss_sha512'] as const) {
      it(`an id-RSASSA-PSS server key with only ${scheme} offered`, async () => {
        const cert = opensslCert('rsa-pss');
        const s = await start(cert);
        const conn = new ClientConnection(clientConfig({ provider, now, serverName: 'localhost', verifier: pinnedVerifier(cert), signatureSchemes: [scheme] }));
        const run = await runClient(conn, s.port, 'pss\n', 'ssp');
        expect(info(run.events).signatureScheme).toBe(scheme);
      });
    }
    it('an id-RSASSA-PSS client certificate for s_server -Verify', async () => {
      const cert = opensslCert('P-256');
      const ccert = opensslCert('rsa-pss', 'client');
      const s = await start(cert, ['-Verify', '1', '-CAfile', ccert.certPath]);
      const conn = new ClientConnection(
        clientConfig({ provider, now, serverName: 'localhost', verifier: pinnedVerifier(cert), clientCertificate: { chain: [ccert.der], key: ccert.pkcs8 } }),
      );
      await runClient(conn, s.port, 'auth\n', 'htua');
      expect(s.output()).toMatch(/CN ?= ?client/i);
    });
    it('the key log matches openssl -keylogfile line for line', async () => {
      const cert = opensslCert('P-384');
      const file = writeTemp('keylog.txt', '');
      const s = await start(cert, ['-keylogfile', file]);
      const lines: string[] = [];
      const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
      const conn = new ClientConnection(
        clientConfig({ provider, now, serverName: 'localhost', verifier: pinnedVerifier(cert), keyLog: (l, r, k) => lines.push(`${l} ${hex(r)} ${hex(k)}`) }),
      );
      await runClient(conn, s.port, 'keys\n', 'syek');
      const theirs = readFileSync(file, 'utf8').split('\n').filter((l) => l !== '' && !l.startsWith('#'));
      expect(lines.length).toBe(5);
      for (const l of lines) expect(theirs).toContain(l);
    });
    it('compatibility mode, KeyUpdate both ways, and 200 KiB of data', async () => {
      const cert = opensslCert('ed25519');
      const s = await start(cert);
      const conn = new ClientConnection(clientConfig({ provider, now, serverName: 'localhost', verifier: pinnedVerifier(cert), compatibilityMode: true }));
      const line = 'a'.repeat(200 * 1024 - 2) + 'Z\n';
      const run = await runClient(conn, s.port, line, 'Z' + 'a'.repeat(1000), () => conn.keyUpdate(true));
      expect(run.events.filter((e) => e.type === 'key_update').length).toBeGreaterThanOrEqual(2);
    });
    it('client authentication (s_server -Verify)', async () => {
      const cert = opensslCert('P-256');
      const ccert = opensslCert('ed25519', 'client');
      const s = await start(cert, ['-Verify', '1', '-CAfile', ccert.certPath]);
      const conn = new ClientConnection(
        clientConfig({ provider, now, serverName: 'localhost', verifier: pinnedVerifier(cert), clientCertificate: { chain: [ccert.der], key: ccert.pkcs8 } }),
      );
      await runClient(conn, s.port, 'auth\n', 'htua');
      expect(s.output()).toMatch(/client certificate|CN ?= ?client/i);
    });
    it('resumption with an openssl ticket', async () => {
      const cert = opensslCert('P-256');
      const s = await start(cert);
      const cfg = clientConfig({ provider, now, serverName: 'localhost', verifier: pinnedVerifier(cert) });
      const first = await runClient(new ClientConnection(cfg), s.port, 'one\n', 'eno');
      const tickets = first.events.filter((e) => e.type === 'session_ticket').map((e) => (e as { ticket: ClientTicket }).ticket);
      expect(tickets.length).toBeGreaterThanOrEqual(1);
      const second = await runClient(new ClientConnection(cfg, { session: tickets[0] as ClientTicket }), s.port, 'two\n', 'owt');
      expect(info(second.events).resumed).toBe(true);
      expect(info(second.events).peerCertificates).toHaveLength(0);
    });
    it('0-RTT accepted by openssl (s_server -early_data)', async () => {
      const cert = opensslCert('P-256');
      // -early_data cannot be combined with -rev: s_server prints what it reads instead of echoing.
      const s = await start(cert, ['-early_data', '-max_early_data', '16384']);
      const cfg = clientConfig({ provider, now, serverName: 'localhost', verifier: pinnedVerifier(cert) });
      const first = await runClient(new ClientConnection(cfg), s.port, 'one\n', '');
      const ticket = (first.events.find((e) => e.type === 'session_ticket') as { ticket: ClientTicket }).ticket;
      expect(ticket.maxEarlyDataSize).toBe(16384);
      const second = await runClient(new ClientConnection(cfg, { session: ticket, earlyData: new TextEncoder().encode('early-bytes-0rtt\n') }), s.port, 'late\n', '');
      expect(info(second.events).resumed).toBe(true);
      expect(info(second.events).earlyDataAccepted).toBe(true);
      await new Promise((r) => setTimeout(r, 100));
      expect(s.output()).toContain('early-bytes-0rtt');
    });
  });

  describe('openssl s_client against our server', () => {
    const sealer = createTicketSealer(provider, provider.randomBytes(32));
    const serve = async (opts: Partial<Parameters<typeof serverConfig>[0]> = {}, kind: 'P-256' | 'ed25519' | 'rsa' | 'rsa-pss' | 'P-384' = 'P-256') => {
      const cert = opensslCert(kind);
      const cfg = serverConfig({ provider, now, certificates: [{ chain: [cert.der], key: cert.pkcs8 }], ticketSealer: sealer, ...opts });
      const srv = await startEngineServer(() => new ServerConnection(cfg));
      return srv;
    };
    it('default handshake (openssl uses compatibility mode) and echo', async () => {
      const srv = await serve();
      const out = await runOpensslClient(srv.port, ['-brief'], 'hello server\n');
      await srv.stop();
      expect(out).toContain('HELLO SERVER');
      expect(out).toMatch(/Protocol version: TLSv1\.3/);
      expect(info(srv.events[0] ?? []).cipherSuite).toBe('TLS_AES_128_GCM_SHA256');
    });
    for (const suite of ['TLS_AES_256_GCM_SHA384', 'TLS_CHACHA20_POLY1305_SHA256', 'TLS_AES_128_CCM_SHA256', 'TLS_AES_128_CCM_8_SHA256']) {
      it(`suite ${suite}`, async () => {
        const srv = await serve();
        const out = await runOpensslClient(srv.port, ['-brief', '-ciphersuites', suite], 'x\n');
        await srv.stop();
        expect(out).toContain(`Ciphersuite: ${suite}`);
        expect(out).toContain('X\n');
      });
    }
    it('HelloRetryRequest (our server wants P-384) and RSA-PSS', async () => {
      const srv = await serve({ groups: ['secp384r1'] }, 'rsa');
      const out = await runOpensslClient(srv.port, ['-brief', '-groups', 'X25519:P-384'], 'retry\n');
      await srv.stop();
      expect(out).toContain('RETRY');
      expect(info(srv.events[0] ?? []).helloRetry).toBe(true);
      expect(out).toMatch(/Signature type: RSA-PSS/);
      expect(out).toMatch(/Server Temp Key: .*(P-384|secp384r1)/);
    });
    for (const scheme of ['rsa_pss_pss_sha256', 'rsa_pss_pss_sha384', 'rsa_pss_pss_sha512']) {
      it(`an id-RSASSA-PSS server key signs ${scheme} for s_client -sigalgs ${scheme}`, async () => {
        const srv = await serve({}, 'rsa-pss');
        const out = await runOpensslClient(srv.port, ['-brief', '-sigalgs', scheme], 'pss\n');
        await srv.stop();
        expect(out).toContain('PSS\n');
        expect(out).toMatch(/Signature type: RSA-PSS/);
      });
    }
    it('an id-RSASSA-PSS server key cannot answer a client offering only rsa_pss_rsae_*', async () => {
      const srv = await serve({}, 'rsa-pss');
      const out = await runOpensslClient(srv.port, ['-brief', '-sigalgs', 'rsa_pss_rsae_sha256:rsa_pss_rsae_sha384'], 'pss\n');
      await srv.stop();
      expect(out).toMatch(/handshake failure/i);
      expect(srv.conns[0]?.error?.code).toBe('NO_SIGNATURE_SCHEME_IN_COMMON');
    });
    it('an id-RSASSA-PSS client certificate is verified with rsa_pss_pss_sha256', async () => {
      const ccert = opensslCert('rsa-pss', 'client');
      const srv = await serve({ clientAuth: 'required', clientVerifier: pinnedVerifier(ccert) });
      const out = await runOpensslClient(srv.port, ['-brief', '-cert', ccert.certPath, '-key', ccert.keyPath], 'cert\n');
      await srv.stop();
      expect(out).toContain('CERT');
      expect(info(srv.events[0] ?? []).signatureScheme).toBe('rsa_pss_pss_sha256');
    });
    it('client certificate requested and verified', async () => {
      const ccert = opensslCert('P-384', 'client');
      const srv = await serve({ clientAuth: 'required', clientVerifier: pinnedVerifier(ccert) });
      const out = await runOpensslClient(srv.port, ['-brief', '-cert', ccert.certPath, '-key', ccert.keyPath], 'cert\n');
      await srv.stop();
      expect(out).toContain('CERT');
      expect(info(srv.events[0] ?? []).signatureScheme).toBe('ecdsa_secp384r1_sha384');
    });
    it('missing client certificate is refused with certificate_required', async () => {
      const ccert = opensslCert('P-384', 'client');
      const srv = await serve({ clientAuth: 'required', clientVerifier: pinnedVerifier(ccert) });
      const out = await runOpensslClient(srv.port, ['-brief'], 'nocert\n');
      await srv.stop();
      expect(out).toMatch(/certificate required/i);
      expect(srv.conns[0]?.error?.code).toBe('CLIENT_CERTIFICATE_REQUIRED');
    });
    it('resumption and 0-RTT from openssl session files', async () => {
      const srv = await serve({ maxEarlyDataSize: 4096 });
      const sess = writeTemp('sess.pem', '');
      await runOpensslClient(srv.port, ['-brief', '-sess_out', sess], 'first\n');
      const early = writeTemp('early.txt', 'early bird\n');
      const out = await runOpensslClient(srv.port, ['-brief', '-sess_in', sess, '-early_data', early], 'second\n');
      await srv.stop();
      expect(info(srv.events[1] ?? []).resumed).toBe(true);
      expect(info(srv.events[1] ?? []).earlyDataAccepted).toBe(true);
      expect((srv.events[1] ?? []).some((e) => e.type === 'early_data')).toBe(true);
      expect(out).toContain('EARLY BIRD');
    });
  });
}
