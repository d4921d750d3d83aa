// Sessions with @puretls/tls, in memory: named rotating ticket keys shared by two "servers" of a
// cluster, a client ticket store, a saved session (the bytes a CLI writes for -sess_out), 0-RTT with
// anti-replay — the same ClientHello replayed to the second server gets no early data — and an
// external PSK. Build first: npm run build
import { generateKeyPairSync } from 'node:crypto';
import { parseSpki } from '@puretls/crypto';
import { createNobleProvider } from '@puretls/crypto/noble';
import {
  ClientConnection, ServerConnection, clientConfig, createMemoryTicketStore, createStrikeRegister, createTicketKeys, decodeSession, encodeSession, serverConfig,
} from '@puretls/tls';

const provider = createNobleProvider();
const now = () => Date.now();
const { privateKey, publicKey } = generateKeyPairSync('ed25519');
const spki = new Uint8Array(publicKey.export({ format: 'der', type: 'spki' }));
const pkcs8 = new Uint8Array(privateKey.export({ format: 'der', type: 'pkcs8' }));
const verifier = { async verify() { return { ok: true, publicKey: parseSpki(spki) }; } }; // pinned key: see tls-in-memory.mjs

// Two servers of a cluster: the same ticket keys (exported from one, imported by the other) and one
// strike register (in production, a shared store); 0-RTT is off unless maxEarlyDataSize is set.
const keysA = createTicketKeys(provider, { now, rotateAfter: 12 * 3600_000 });
const keysB = createTicketKeys(provider, { now, keys: keysA.export() });
const antiReplay = createStrikeRegister({ window: 20_000, maxEntries: 100_000 });
const server = (keys) => serverConfig({ provider, now, certificates: [{ chain: [spki], key: pkcs8 }], ticketSealer: keys, maxEarlyDataSize: 16384, antiReplay });
const serverA = server(keysA);
const serverB = server(keysB);
const store = createMemoryTicketStore();
const client = clientConfig({ provider, now, serverName: 'demo.test', verifier, ticketStore: store });

async function run(c, s, label) {
  const events = [];
  for (let moved = true; moved; ) {
    moved = false;
    for (const [from, to] of [[c, s], [s, c]]) {
      for (let b = from.pull(); b !== null; b = from.pull()) (to.feed(b), (moved = true));
      while (to.pending) await to.pending;
    }
    for (let e = s.poll(); e; e = s.poll()) events.push(e);
    for (let e = c.poll(); e; e = c.poll()) if (e.type === 'error') throw e.error;
  }
  const info = events.find((e) => e.type === 'handshake_complete')?.info;
  const early = events.filter((e) => e.type === 'early_data').map((e) => new TextDecoder().decode(e.data));
  const refused = events.filter((e) => e.type === 'early_data_rejected').map((e) => e.reason);
  console.log(`${label}: resumed=${info?.resumed} earlyDataAccepted=${info?.earlyDataAccepted} early=${JSON.stringify(early)} refused=${JSON.stringify(refused)}`);
}

// 1. A full handshake with server A; the ticket lands in the client's store (keyed by server name).
await run(new ClientConnection(client), new ServerConnection(serverA), 'full handshake (A)      ');
// 2. The next connection takes it from the store and resumes on server B (shared keys).
await run(new ClientConnection(client), new ServerConnection(serverB), 'resumed from the store (B)');
// 3. Save a session as bytes (-sess_out) and resume from them later (-sess_in), with 0-RTT.
const first = new ClientConnection(clientConfig({ provider, now, serverName: 'demo.test', verifier }));
const firstServer = new ServerConnection(serverA);
const saved = [];
for (let moved = true; moved; ) {
  moved = false;
  for (const [from, to] of [[first, firstServer], [firstServer, first]]) {
    for (let b = from.pull(); b !== null; b = from.pull()) (to.feed(b), (moved = true));
    while (to.pending) await to.pending;
  }
  for (let e = first.poll(); e; e = first.poll()) if (e.type === 'session_ticket') saved.push(encodeSession(e.ticket));
}
console.log(`saved a session: ${saved[0].length} bytes (contains the PSK: keep it secret)`);
const session = decodeSession(saved[0]);
const c0 = new ClientConnection(client, { session, earlyData: new TextEncoder().encode('GET /index.html') });
const flight = c0.pull(); // ClientHello + 0-RTT, as an attacker on the path would record it
const onA = new ServerConnection(serverA);
onA.feed(flight);
await run(c0, onA, '0-RTT on A              ');
// 4. The recorded flight replayed to server B: the strike register refuses the early data, not the handshake.
const attacker = new ServerConnection(serverB);
attacker.feed(flight);
const ev = [];
for (let e = attacker.poll(); e; e = attacker.poll()) ev.push(e);
console.log(`replay on B: early data delivered=${ev.some((e) => e.type === 'early_data')} refused=${JSON.stringify(ev.filter((e) => e.type === 'early_data_rejected').map((e) => e.reason))}`);
// 5. Rotation: a ticket sealed two rotations ago is no longer accepted (a full handshake instead).
keysA.rotate();
keysA.rotate();
await run(new ClientConnection(client, { session }), new ServerConnection(serverA), 'after two rotations (A) ');
// 6. An external PSK (RFC 8446 §4.2.11): no certificate at all.
const psk = { identity: new TextEncoder().encode('device-17'), secret: provider.randomBytes(32), hash: 'SHA-256' };
const pskServer = serverConfig({ provider, now, certificates: [{ chain: [spki], key: pkcs8 }], externalPsks: (id) => (new TextDecoder().decode(id) === 'device-17' ? psk : undefined) });
await run(new ClientConnection(clientConfig({ provider, now, verifier, externalPsk: psk })), new ServerConnection(pskServer), 'external PSK            ');
