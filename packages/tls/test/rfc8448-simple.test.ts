import { describe, expect, it } from 'vitest';
import { loadTrace, toHex, traceValue, vectorsAvailable, vectorsMissingReason } from '@puretls/test-vectors';
import { ClientConnection, ServerConnection, clientConfig, serverConfig, type ClientTicket, type TlsEvent } from '../src/index.js';
import { ExtensionType as E } from '../src/constants.js';
import { certificateChainOf, extensionsOf, queuedProvider, rec, recordedSigner, replayHook, rsaPublicKey, signatureOf, stubVerifier, traceKeyPairs } from './helpers/trace.js';

const T0 = 1_700_000_000_000;

function drain(c: { poll(): TlsEvent | null }): TlsEvent[] {
  const out: TlsEvent[] = [];
  for (let e = c.poll(); e !== null; e = c.poll()) out.push(e);
  return out;
}

async function settle(c: { pending: Promise<void> | null }): Promise<void> {
  while (c.pending !== null) await c.pending;
}

if (!vectorsAvailable) {
  it('RFC 8448 §3', (ctx) => ctx.skip(vectorsMissingReason));
} else {
  const trace = loadTrace('simple-1rtt');
  const ch = traceValue(trace, 'client', 'construct a ClientHello handshake message', 'ClientHello');
  const sh = traceValue(trace, 'server', 'construct a ServerHello handshake message', 'ServerHello');
  const ee = traceValue(trace, 'server', 'construct an EncryptedExtensions handshake message', 'EncryptedExtensions');
  const chain = certificateChainOf(trace, 'server');

  describe('RFC 8448 §3 simple 1-RTT, byte for byte', () => {
    it('our client reproduces every client record when fed the server records', async () => {
      const provider = queuedProvider([ch.subarray(6, 38)]);
      const verifier = stubVerifier(rsaPublicKey(), chain);
      const config = clientConfig({
        provider,
        now: () => T0,
        serverName: 'server',
        cipherSuites: ['TLS_AES_128_GCM_SHA256', 'TLS_CHACHA20_POLY1305_SHA256', 'TLS_AES_256_GCM_SHA384'],
        groups: ['x25519', 'secp256r1', 'secp384r1', 'secp521r1'],
        signatureSchemes: ['ecdsa_secp256r1_sha256', 'ecdsa_secp384r1_sha384', 'ecdsa_secp521r1_sha512', 'rsa_pss_rsae_sha256', 'rsa_pss_rsae_sha384', 'rsa_pss_rsae_sha512'],
        recordSizeLimit: 16385,
        keyPair: traceKeyPairs(provider, { x25519: [traceValue(trace, 'client', 'create an ephemeral x25519 key pair', 'private key')] }),
        verifier,
        extensionHook: (_m, exts) => replayHook(extensionsOf(ch), [E.supported_groups, E.signature_algorithms])(exts),
      });
      const client = new ClientConnection(config);
      expect(toHex(client.pull() ?? new Uint8Array())).toBe(toHex(rec(trace, 'client', 'send handshake record')));
      expect(client.state).toBe('ExpectServerHello');
      client.feed(rec(trace, 'server', 'send handshake record', 0));
      expect(client.state).toBe('ExpectEncryptedExtensions');
      client.feed(rec(trace, 'server', 'send handshake record', 1));
      await settle(client);
      expect(verifier.calls).toBe(1);
      expect(client.error).toBeNull();
      expect(toHex(client.pull() ?? new Uint8Array())).toBe(toHex(rec(trace, 'client', 'send handshake record', 1)));
      const events = drain(client);
      expect(events[0]?.type).toBe('handshake_complete');
      // RFC 8446 §4.4.4: the verify_data of both Finished messages, as the trace computed them.
      expect(toHex(client.finished?.sent ?? new Uint8Array())).toBe(toHex(traceValue(trace, 'client', 'construct a Finished handshake message', 'Finished').subarray(4)));
      expect(toHex(client.finished?.received ?? new Uint8Array())).toBe(toHex(traceValue(trace, 'server', 'construct a Finished handshake message', 'Finished').subarray(4)));
      const info = (events[0] as { info: { cipherSuite: string; group: string; signatureScheme: string; serverName: string } }).info;
      expect([info.cipherSuite, info.group, info.signatureScheme, info.serverName]).toEqual(['TLS_AES_128_GCM_SHA256', 'x25519', 'rsa_pss_rsae_sha256', 'server']);
      client.feed(rec(trace, 'server', 'send handshake record', 2)); // NewSessionTicket
      const ticketEvents = drain(client);
      expect(ticketEvents.map((e) => e.type)).toEqual(['session_ticket']);
      const ticket = (ticketEvents[0] as { ticket: ClientTicket }).ticket;
      expect(toHex(ticket.psk)).toBe(toHex(traceValue(trace, 'server', 'generate resumption secret "tls13 resumption"', 'expanded')));
      expect(ticket.maxEarlyDataSize).toBe(1024);
      client.write(traceValue(trace, 'client', 'send application_data record', 'payload'));
      expect(toHex(client.pull() ?? new Uint8Array())).toBe(toHex(rec(trace, 'client', 'send application_data record')));
      client.feed(rec(trace, 'server', 'send application_data record'));
      const data = drain(client);
      expect(data.map((e) => e.type)).toEqual(['application_data']);
      expect(toHex((data[0] as { data: Uint8Array }).data)).toBe(toHex(traceValue(trace, 'server', 'send application_data record', 'payload')));
      client.close();
      expect(toHex(client.pull() ?? new Uint8Array())).toBe(toHex(rec(trace, 'client', 'send alert record')));
      client.feed(rec(trace, 'server', 'send alert record'));
      expect(drain(client).map((e) => e.type)).toEqual(['peer_closed']);
      expect(client.state).toBe('Closed');
      expect(provider.remaining()).toBe(0);
    });

    it('our server reproduces every server record when fed the client records', async () => {
      const nst = traceValue(trace, 'server', 'construct a NewSessionTicket handshake message', 'NewSessionTicket');
      const provider = queuedProvider([sh.subarray(6, 38), nst.subarray(8, 12)]);
      const signer = recordedSigner(provider, rsaPublicKey(), signatureOf(trace, 'server'));
      const recordedTicket = nst.subarray(17, 17 + 178);
      const sealed: unknown[] = [];
      const config = serverConfig({
        provider,
        now: () => T0,
        certificates: [{ chain, key: signer }],
        cipherSuites: ['TLS_AES_128_GCM_SHA256', 'TLS_AES_256_GCM_SHA384', 'TLS_CHACHA20_POLY1305_SHA256'],
        groups: ['x25519', 'secp256r1', 'secp384r1', 'secp521r1'],
        recordSizeLimit: 16385,
        keyPair: traceKeyPairs(provider, { x25519: [traceValue(trace, 'server', 'create an ephemeral x25519 key pair', 'private key')] }),
        ticketSealer: {
          seal: (state) => {
            sealed.push(state);
            return recordedTicket;
          },
          open: () => null,
        },
        ticketLifetime: 30,
        maxEarlyDataSize: 1024,
        extensionHook: (_m, exts) => replayHook(extensionsOf(ee), [])(exts),
      });
      // The recording's EE has supported_groups, which the engine only sends through the hook.
      const server = new ServerConnection(config);
      expect(server.pull()).toBeNull();
      server.feed(rec(trace, 'client', 'send handshake record', 0));
      await settle(server);
      expect(signer.calls).toBe(1);
      expect(server.error).toBeNull();
      // The recorded server sends its NewSessionTicket after the client's Finished; ours sends it with
      // the first flight (RFC 8446 §4.6.1 allows it without client authentication), from the client
      // Finished it expects: the same record bytes, and (below) the recorded resumption PSK.
      expect(toHex(server.pull() ?? new Uint8Array())).toBe(
        toHex(rec(trace, 'server', 'send handshake record', 0)) + toHex(rec(trace, 'server', 'send handshake record', 1)) + toHex(rec(trace, 'server', 'send handshake record', 2)),
      );
      expect(sealed).toHaveLength(1);
      expect(drain(server)).toEqual([]);
      server.feed(rec(trace, 'client', 'send handshake record', 1));
      expect(server.error).toBeNull();
      expect(server.pull()).toBeNull();
      expect(drain(server).map((e) => e.type)).toEqual(['handshake_complete']);
      expect(toHex(server.finished?.sent ?? new Uint8Array())).toBe(toHex(traceValue(trace, 'server', 'construct a Finished handshake message', 'Finished').subarray(4)));
      expect(toHex(server.finished?.received ?? new Uint8Array())).toBe(toHex(traceValue(trace, 'client', 'construct a Finished handshake message', 'Finished').subarray(4)));
      expect(sealed).toHaveLength(1);
      expect(toHex((sealed[0] as { psk: Uint8Array }).psk)).toBe(toHex(traceValue(trace, 'server', 'generate resumption secret "tls13 resumption"', 'expanded')));
      server.feed(rec(trace, 'client', 'send application_data record'));
      const data = drain(server);
      expect(toHex((data[0] as { data: Uint8Array }).data)).toBe(toHex(traceValue(trace, 'client', 'send application_data record', 'payload')));
      server.write(traceValue(trace, 'server', 'send application_data record', 'payload'));
      expect(toHex(server.pull() ?? new Uint8Array())).toBe(toHex(rec(trace, 'server', 'send application_data record')));
      server.feed(rec(trace, 'client', 'send alert record'));
      expect(drain(server).map((e) => e.type)).toEqual(['peer_closed']);
      server.close();
      expect(toHex(server.pull() ?? new Uint8Array())).toBe(toHex(rec(trace, 'server', 'send alert record')));
      expect(server.state).toBe('Closed');
      expect(provider.remaining()).toBe(0);
    });
  });
}
