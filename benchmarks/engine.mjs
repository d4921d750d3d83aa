// In-memory TLS 1.3 handshakes between the sans-IO engines, for the handshake, per-side cost and
// memory benchmarks: configs with a real certificate chain verified by the x509 package.
import { ClientConnection, ServerConnection, clientConfig, serverConfig, createTicketSealer } from '@puretls/tls';
import { createCertificateVerifier } from '@puretls/x509';

/** Engine configs for one provider, group and signature scheme (certificate of `pki.server`). */
export function engineConfigs(provider, { server, ca }, group = 'x25519', scheme = 'ecdsa_secp256r1_sha256', cipherSuites = ['TLS_AES_128_GCM_SHA256']) {
  const client = clientConfig({
    provider,
    now: () => Date.now(),
    serverName: 'localhost',
    verifier: createCertificateVerifier({ trustAnchors: [ca.certDer], provider }),
    groups: [group],
    signatureSchemes: [scheme],
    cipherSuites,
  });
  const srv = serverConfig({
    provider,
    now: () => Date.now(),
    certificates: [{ chain: [server.certDer], key: server.keyDer }],
    groups: [group],
    cipherSuites,
    ticketSealer: createTicketSealer(provider, provider.randomBytes(32)),
    ticketsPerHandshake: 1,
  });
  return { client, server: srv };
}

/**
 * One in-memory handshake. `timing` (optional) accumulates the milliseconds spent inside each side's
 * calls (feed/pull/poll and its pending signature or verification), for the per-side cost figures.
 */
export async function engineHandshake(cfg, session, timing) {
  const c = new ClientConnection(cfg.client, session ? { session } : {});
  const s = new ServerConnection(cfg.server);
  let ticket;
  let done = 0;
  let resumed;
  const side = async (conn, peer, key) => {
    const t0 = performance.now();
    while (conn.pending !== null) await conn.pending;
    let moved = 0;
    for (let b = conn.pull(); b !== null; b = conn.pull()) {
      peer.feed(b);
      moved += b.length;
    }
    for (let e = conn.poll(); e !== null; e = conn.poll()) {
      if (e.type === 'handshake_complete') {
        done++;
        resumed = e.info.resumed;
      } else if (e.type === 'session_ticket') ticket = e.ticket;
    }
    if (conn.error) throw conn.error;
    if (timing) timing[key] += performance.now() - t0;
    return moved;
  };
  for (let round = 0; round < 50; round++) {
    const moved = (await side(c, s, 'client')) + (await side(s, c, 'server'));
    if (moved === 0 && c.pending === null && s.pending === null && done === 2 && (ticket || session)) break;
  }
  if (done !== 2) throw new Error(`handshake did not complete (client ${c.state}, server ${s.state})`);
  if (!!session !== resumed) throw new Error(`expected resumed=${!!session}, got ${resumed}`);
  return ticket;
}


/**
 * An established in-memory pair; `roundTrip(data)` has the client write `data` and returns what the
 * server reads (record framing, protection and events, no sockets).
 */
export async function openPair(cfg) {
  const c = new ClientConnection(cfg.client);
  const s = new ServerConnection(cfg.server);
  let done = 0;
  for (let round = 0; round < 50 && done < 2; round++) {
    for (const [a, b] of [
      [c, s],
      [s, c],
    ]) {
      while (a.pending !== null) await a.pending;
      for (let x = a.pull(); x !== null; x = a.pull()) b.feed(x);
      for (let e = a.poll(); e !== null; e = a.poll()) if (e.type === 'handshake_complete') done++;
      if (a.error) throw a.error;
    }
  }
  if (done < 2) throw new Error('pair did not complete');
  return {
    client: c,
    server: s,
    roundTrip(data) {
      c.write(data);
      for (let x = c.pull(); x !== null; x = c.pull()) s.feed(x);
      let got;
      for (let e = s.poll(); e !== null; e = s.poll()) if (e.type === 'application_data') got = got === undefined ? e.data : Uint8Array.of(...got, ...e.data);
      for (let x = s.pull(); x !== null; x = s.pull()) c.feed(x); // tickets, acks: nothing after the first call
      for (let e = c.poll(); e !== null; e = c.poll());
      return got;
    },
  };
}
