/**
 * Sessions against OpenSSL 3 over real sockets (issue 6): resumption both directions with tickets
 * from several key rotations, 0-RTT accepted and rejected by policy, post-handshake authentication
 * (`s_server`'s `c` command, `s_client -enable_pha`), and external PSKs with `-psk`/`-psk_identity`.
 */
import { connect } from 'node:net';
import { describe, expect, it } from 'vitest';
import { createNobleProvider } from '@puretls/crypto/noble';
import {
  ClientConnection, ServerConnection, clientConfig, createMemorySessionStore, createTicketKeys, decodeSession, encodeSession, serverConfig,
  signerFromPrivateKey, type ClientTicket, type ExternalPsk, type ServerConfigOptions, type TlsEvent,
} from '../src/index.js';
import {
  opensslAvailable, opensslCert, opensslMissingReason, pinnedVerifier, pump, runClient, runOpensslClient, startEngineServer, useOpensslServers, writeTemp,
} from './helpers/openssl.js';

const provider = createNobleProvider();
const now = (): number => Date.now();
const info = (events: TlsEvent[]) => {
  const e = events.find((x) => x.type === 'handshake_complete');
  if (e?.type !== 'handshake_complete') throw new Error(`no handshake: ${events.map((x) => x.type).join(',')}`);
  return e.info;
};
const ticketsOf = (ev: TlsEvent[]): ClientTicket[] => ev.filter((e) => e.type === 'session_ticket').map((e) => (e as { ticket: ClientTicket }).ticket);
const PSK_HEX = '0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef';
const psk: ExternalPsk = { identity: new TextEncoder().encode('puretls-psk'), secret: Uint8Array.from(Buffer.from(PSK_HEX, 'hex')), hash: 'SHA-256' };

if (!opensslAvailable) {
  it('OpenSSL session interop', (ctx) => ctx.skip(opensslMissingReason));
} else {
  const { start } = useOpensslServers();

  describe('openssl s_client against our server', () => {
    const cert = opensslCert('P-256');
    const base = (o: Partial<ServerConfigOptions>) => serverConfig({ provider, now, certificates: [{ chain: [cert.der], key: cert.pkcs8 }], ...o });

    it('resumes sessions from tickets sealed under several key rotations (current and previous), not retired ones', async () => {
      const keys = createTicketKeys(provider, { now });
      const srv = await startEngineServer(() => new ServerConnection(base({ ticketSealer: keys })));
      const s1 = writeTemp('rot1.pem', '');
      const s2 = writeTemp('rot2.pem', '');
      const s3 = writeTemp('rot3.pem', '');
      await runOpensslClient(srv.port, ['-sess_out', s1], 'a\n');
      keys.rotate();
      await runOpensslClient(srv.port, ['-sess_in', s1, '-sess_out', s2], 'b\n'); // previous key: resumed, new ticket under the current one
      keys.rotate();
      await runOpensslClient(srv.port, ['-sess_in', s2, '-sess_out', s3], 'c\n'); // s2's key is now previous: resumed
      await runOpensslClient(srv.port, ['-sess_in', s1], 'd\n'); // s1's key is retired: full handshake
      keys.rotate();
      await runOpensslClient(srv.port, ['-sess_in', s3], 'e\n'); // s3 under the (now previous) key
      await srv.stop();
      expect(srv.events.map((ev) => info(ev).resumed)).toEqual([false, true, true, false, true]);
      expect(srv.conns.every((c) => c.error === null)).toBe(true);
    });

    it('0-RTT accepted, then refused by policy: a session store makes the ticket single-use', async () => {
      const store = createMemorySessionStore({ now });
      const srv = await startEngineServer(() => new ServerConnection(base({ sessionStore: store, maxEarlyDataSize: 4096 })));
      const sess = writeTemp('single.pem', '');
      await runOpensslClient(srv.port, ['-sess_out', sess], 'first\n');
      const early = writeTemp('early1.txt', 'early one\n');
      const out1 = await runOpensslClient(srv.port, ['-sess_in', sess, '-early_data', early], 'second\n');
      // The same session again: its ticket was taken by the first 0-RTT use.
      const out2 = await runOpensslClient(srv.port, ['-sess_in', sess, '-early_data', early], 'third\n');
      await srv.stop();
      expect(info(srv.events[1] ?? []).earlyDataAccepted).toBe(true);
      expect(out1).toContain('EARLY ONE');
      const third = srv.events[2] ?? [];
      expect(info(third).earlyDataAccepted).toBe(false);
      expect(third.some((e) => e.type === 'early_data')).toBe(false);
      expect(third.filter((e) => e.type === 'early_data_rejected').map((e) => (e as { reason?: string }).reason)).toEqual(['no_psk']);
      expect(out2).toContain('THIRD');
      expect(out2).not.toContain('EARLY ONE');
    });

    it('0-RTT refused by policy when the server has it off (the connection goes on)', async () => {
      const keys = createTicketKeys(provider, { now });
      const on = await startEngineServer(() => new ServerConnection(base({ ticketSealer: keys, maxEarlyDataSize: 4096 })));
      const sess = writeTemp('off.pem', '');
      await runOpensslClient(on.port, ['-sess_out', sess], 'first\n');
      await on.stop();
      const off = await startEngineServer(() => new ServerConnection(base({ ticketSealer: keys })));
      const early = writeTemp('early2.txt', 'early two\n');
      const out = await runOpensslClient(off.port, ['-sess_in', sess, '-early_data', early], 'late\n');
      await off.stop();
      const ev = off.events[0] ?? [];
      expect(info(ev).resumed).toBe(true);
      expect(ev.filter((e) => e.type === 'early_data_rejected').map((e) => (e as { reason?: string }).reason)).toEqual(['disabled']);
      expect(out).toContain('LATE');
    });

    it('post-handshake authentication: s_client -enable_pha answers our CertificateRequest', async () => {
      const ccert = opensslCert('P-384', 'client');
      const srv = await startEngineServer(
        () => new ServerConnection(base({ clientVerifier: pinnedVerifier(ccert) })),
        (conn, e, kick) => {
          if (e.type === 'handshake_complete') {
            (conn as ServerConnection).requestClientCertificate({ required: true });
            kick();
          }
        },
      );
      const out = await runOpensslClient(srv.port, ['-enable_pha', '-cert', ccert.certPath, '-key', ccert.keyPath], 'after pha\n');
      await srv.stop();
      const ev = srv.events[0] ?? [];
      expect(info(ev).peerCertificates).toHaveLength(0);
      const got = ev.find((e) => e.type === 'client_certificate');
      expect(got?.type === 'client_certificate' && [got.signatureScheme, got.peerCertificates.length]).toEqual(['ecdsa_secp384r1_sha384', 1]);
      expect(srv.conns[0]?.error).toBeNull();
      expect(out).toContain('AFTER PHA');
    });

    it('external PSK: s_client -psk / -psk_identity', async () => {
      const seen: string[] = [];
      const srv = await startEngineServer(() =>
        new ServerConnection(base({ externalPsks: (id) => (seen.push(Buffer.from(id).toString()), Buffer.from(id).equals(Buffer.from(psk.identity)) ? psk : undefined) })),
      );
      const out = await runOpensslClient(srv.port, ['-psk', PSK_HEX, '-psk_identity', 'puretls-psk'], 'psk\n');
      await srv.stop();
      const i = info(srv.events[0] ?? []);
      expect([i.resumed, i.peerCertificates.length]).toEqual([true, 0]);
      expect(Buffer.from(i.externalPsk as Uint8Array).toString()).toBe('puretls-psk');
      expect(seen).toContain('puretls-psk');
      expect(out).toContain('PSK');
    });
  });

  describe('our client against openssl s_server', () => {
    it('resumes with each of the tickets s_server sends, and from an exported/imported session', async () => {
      const cert = opensslCert('P-256');
      const s = await start(cert, ['-num_tickets', '3']);
      const cfg = clientConfig({ provider, now, serverName: 'localhost', verifier: pinnedVerifier(cert) });
      const first = await runClient(new ClientConnection(cfg), s.port, 'one\n', 'eno');
      const tickets = ticketsOf(first.events);
      expect(tickets.length).toBe(3);
      for (const t of tickets) {
        const r = await runClient(new ClientConnection(cfg, { session: t }), s.port, 'two\n', 'owt');
        expect(info(r.events).resumed).toBe(true);
      }
      const back = decodeSession(encodeSession(tickets[0] as ClientTicket));
      const r = await runClient(new ClientConnection(cfg, { session: back }), s.port, 'three\n', 'eerht');
      expect(info(r.events).resumed).toBe(true);
    });

    it('0-RTT accepted once, then refused by openssl anti-replay when the ticket is reused (the handshake completes)', async () => {
      const cert = opensslCert('P-256');
      const s = await start(cert, ['-early_data', '-max_early_data', '16384']);
      const cfg = clientConfig({ provider, now, serverName: 'localhost', verifier: pinnedVerifier(cert) });
      const first = await runClient(new ClientConnection(cfg), s.port, 'one\n', '');
      const ticket = ticketsOf(first.events)[0] as ClientTicket;
      const early = new TextEncoder().encode('early-accepted\n');
      const a = await runClient(new ClientConnection(cfg, { session: ticket, earlyData: early }), s.port, 'x\n', '');
      expect(info(a.events).earlyDataAccepted).toBe(true);
      const b = await runClient(new ClientConnection(cfg, { session: ticket, earlyData: new TextEncoder().encode('early-replayed\n') }), s.port, 'y\n', '');
      expect(info(b.events).earlyDataAccepted).toBe(false);
      expect(b.events.some((e) => e.type === 'early_data_rejected')).toBe(true);
      await new Promise((r) => setTimeout(r, 100));
      expect(s.output()).toContain('early-accepted');
      expect(s.output()).not.toContain('early-replayed');
    });

    it("post-handshake authentication: s_server's `c` command, answered by our client", async () => {
      const cert = opensslCert('P-256');
      const ccert = opensslCert('ed25519', 'client');
      const s = await start(cert, ['-CAfile', ccert.certPath], { interactive: true });
      let signed = 0;
      const inner = signerFromPrivateKey(provider, ccert.pkcs8);
      const signer = { schemes: inner.schemes, sign: (sc: Parameters<typeof inner.sign>[0], m: Uint8Array) => (signed++, inner.sign(sc, m)) };
      const conn = new ClientConnection(
        clientConfig({ provider, now, serverName: 'localhost', verifier: pinnedVerifier(cert), postHandshakeAuth: true, clientCertificate: { chain: [ccert.der], key: signer } }),
      );
      const socket = connect(s.port, '127.0.0.1');
      const events: TlsEvent[] = [];
      let received = '';
      await new Promise<void>((resolve, reject) => {
        const t = setTimeout(() => reject(new Error(`timeout: ${s.output()} / ${received} / ${conn.state}`)), 10000);
        socket.on('connect', () => {
          pump(conn, socket, (e) => {
            events.push(e);
            if (e.type === 'handshake_complete') s.input('c\n');
            if (e.type === 'application_data') received += new TextDecoder().decode(e.data);
            if (e.type === 'error') reject(e.error);
            if (received.includes('still here')) {
              clearTimeout(t);
              resolve();
            }
          });
        });
        // Once s_server has asked and read our answer, it sends a line back over the same connection.
        const poll = setInterval(() => {
          // s_server prints its verify callback's verdict on our certificate.
          if (signed > 0 && /depth=0 CN ?= ?client\s+verify return:1/.test(s.output())) {
            clearInterval(poll);
            s.input('still here\n');
          }
        }, 50);
        socket.on('error', reject);
      });
      socket.destroy();
      expect(signed).toBe(1);
      expect(info(events).peerCertificates.length).toBe(1);
      expect(conn.error).toBeNull();
      expect(s.output()).toMatch(/depth=0 CN ?= ?client\s+verify return:1/);
    });

    it('external PSK: s_server -psk / -psk_identity', async () => {
      const cert = opensslCert('P-256');
      const s = await start(cert, ['-psk', PSK_HEX, '-psk_identity', 'puretls-psk']);
      const cfg = clientConfig({ provider, now, serverName: 'localhost', verifier: pinnedVerifier(cert), externalPsk: psk });
      const run = await runClient(new ClientConnection(cfg), s.port, 'psk\n', 'ksp');
      const i = info(run.events);
      expect([i.resumed, i.peerCertificates.length, i.cipherSuite]).toEqual([true, 0, 'TLS_AES_128_GCM_SHA256']);
      expect(Buffer.from(i.externalPsk as Uint8Array).toString()).toBe('puretls-psk');
    });
  });
}
