/**
 * `connection.finished`: the verify_data of both Finished messages (RFC 8446 §4.4.4), what node:tls
 * hands out as getFinished()/getPeerFinished(). The RFC 8448 values are checked in rfc8448-simple.
 */
import { describe, expect, it } from 'vitest';
import { createTicketKeys, type ClientTicket } from '../src/index.js';
import { doHandshake, makePair, now, provider, settle, transfer } from './helpers/pair.js';

const hex = (b: Uint8Array | undefined): string => Buffer.from(b ?? new Uint8Array(0)).toString('hex');

describe('finished', () => {
  it('is null until the handshake completed, then each side sent what the other received', async () => {
    const { client, server } = makePair();
    expect(client.finished).toBeNull();
    expect(server.finished).toBeNull();
    transfer(client, server);
    await settle(client, server);
    transfer(server, client);
    await settle(client, server);
    // The server sent its Finished but has not seen the client's: not yet.
    expect(server.finished).toBeNull();
    await doHandshake(client, server);
    const c = client.finished;
    const s = server.finished;
    expect(c).not.toBeNull();
    expect(s).not.toBeNull();
    expect(hex(c?.sent)).toBe(hex(s?.received));
    expect(hex(c?.received)).toBe(hex(s?.sent));
    expect(hex(c?.sent)).not.toBe(hex(c?.received));
    expect(c?.sent.length).toBe(32);
  });

  it('has the length of the suite hash (48 bytes with SHA-384)', async () => {
    const { client, server } = makePair({ client: { cipherSuites: ['TLS_AES_256_GCM_SHA384'] } });
    await doHandshake(client, server);
    expect(client.finished?.sent.length).toBe(48);
    expect(hex(client.finished?.received)).toBe(hex(server.finished?.sent));
  });

  it('hands out copies', async () => {
    const { client, server } = makePair();
    await doHandshake(client, server);
    const before = hex(client.finished?.sent);
    (client.finished as { sent: Uint8Array }).sent.fill(0);
    expect(hex(client.finished?.sent)).toBe(before);
    expect(Object.isFrozen(client.finished)).toBe(true);
  });

  it('is set on a resumed handshake too, fresh for the new transcript', async () => {
    const ticketSealer = createTicketKeys(provider, { now });
    const first = makePair({ server: { ticketSealer } });
    const ev = await doHandshake(first.client, first.server);
    let ticket: ClientTicket | undefined;
    for (const e of ev.client) if (e.type === 'session_ticket') ticket = e.ticket;
    expect(ticket).toBeDefined();
    const second = makePair({ server: { ticketSealer }, connection: { session: ticket as ClientTicket } });
    const ev2 = await doHandshake(second.client, second.server);
    expect(ev2.client.some((e) => e.type === 'handshake_complete' && e.info.resumed)).toBe(true);
    expect(hex(second.client.finished?.sent)).toBe(hex(second.server.finished?.received));
    expect(hex(second.client.finished?.received)).toBe(hex(second.server.finished?.sent));
    expect(hex(second.client.finished?.sent)).not.toBe(hex(first.client.finished?.sent));
  });
});
