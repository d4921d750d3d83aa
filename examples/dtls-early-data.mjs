// 0-RTT over DTLS 1.3 (RFC 9147 §6.1) with @puretls/node/dtls: a first handshake leaves a session
// ticket that allows early data; a second connection resumes with it and sends two datagrams as
// 0-RTT, which the server receives before the handshake completes (its `earlyData` event). With
// stateless cookies on, accepted 0-RTT skips the cookie exchange (RFC 9147 §5.1). A replay of the
// same ClientHello would be refused by the server's anti-replay register. Build first: npm run build
//
//   node examples/dtls-early-data.mjs
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { parseSpki } from '@puretls/crypto';
import { createNobleProvider } from '@puretls/crypto/noble';
import { createTicketSealer } from '@puretls/tls';
import { connect, createServer, dtlsClientConfig, dtlsServerConfig } from '@puretls/node/dtls';

const provider = createNobleProvider();
const now = () => Date.now();
const { privateKey, publicKey } = generateKeyPairSync('ed25519');
const spki = new Uint8Array(publicKey.export({ format: 'der', type: 'spki' }));
const pkcs8 = new Uint8Array(privateKey.export({ format: 'der', type: 'pkcs8' }));
// The "chain" is the server's public key and the client pins it (see examples/dtls-udp.mjs).
const pinned = {
  async verify({ chain }) {
    const same = chain.length === 1 && chain[0].length === spki.length && chain[0].every((b, i) => b === spki[i]);
    return same ? { ok: true, publicKey: parseSpki(spki) } : { ok: false, code: 'NOT_PINNED', alert: 'bad_certificate', message: 'not the pinned key' };
  },
};
const text = (d) => new TextDecoder().decode(d);

const server = createServer({
  config: dtlsServerConfig({
    provider, now,
    certificates: [{ chain: [spki], key: pkcs8 }],
    cookies: { secret: randomBytes(32) },
    ticketSealer: createTicketSealer(provider, randomBytes(32)), // tickets, and a strike register for 0-RTT
    ticketsPerHandshake: 1,
    maxEarlyDataSize: 4096, // tickets allow 0-RTT and it is accepted, up to 4 KiB per connection
  }),
});
server.on('earlyData', (d, peer) => console.log(`server: 0-RTT datagram "${text(d)}" (handshake complete: ${peer.secure})`));
server.on('secureConnection', (peer) => {
  const i = peer.handshakeInfo;
  console.log(`server: handshake complete, resumed ${i.resumed}, 0-RTT accepted ${i.earlyDataAccepted}, hello retry ${i.helloRetry}`);
  peer.on('message', (d) => peer.send(`echo: ${text(d)}`));
});
await new Promise((r) => server.listen(0, '127.0.0.1', r));
const { port } = server.address();
const config = dtlsClientConfig({ provider, now, verifier: pinned, serverName: 'localhost' });
const fail = (e) => {
  console.error('client error:', e);
  process.exit(1);
};

// 1. A full handshake; keep the ticket from the `session` event.
const first = connect({ host: '127.0.0.1', port, config });
first.on('error', fail);
const session = await new Promise((r) => first.once('session', r));
console.log(`client: ticket received, allows ${session.maxEarlyDataSize} bytes of 0-RTT`);
first.close();

// 2. Resume with it and send 0-RTT right after the ClientHello.
const second = connect({ host: '127.0.0.1', port, config, session, earlyData: [new TextEncoder().encode('GET /status'), new TextEncoder().encode('GET /time')] });
second.on('error', fail);
second.on('earlyDataRejected', () => console.log('client: 0-RTT refused; it is sent again after the handshake'));
await new Promise((r) => second.once('secureConnect', r));
console.log(`client: resumed ${second.handshakeInfo.resumed}, 0-RTT accepted ${second.earlyDataAccepted}`);
const reply = await new Promise((r) => {
  second.once('message', (d) => r(text(d)));
  second.send('and now 1-RTT');
});
console.log(`client: ${reply}`);
second.close();
await new Promise((r) => setTimeout(r, 50));
server.close();
