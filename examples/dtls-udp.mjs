// DTLS 1.3 over UDP on 127.0.0.1 with @puretls/node/dtls: a server on one UDP socket (stateless
// cookies and connection IDs on) and a client; they echo a few datagrams, update keys both ways,
// the client moves to a spare connection ID, and both close. Build first: npm run build
//
// The server's "certificate chain" here is just its public key (SPKI DER) and the client pins that
// key; for real certificates pass createCertificateVerifier() from @puretls/x509 as the verifier.
//
//   node examples/dtls-udp.mjs [--mtu 1200]
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { parseSpki } from '@puretls/crypto';
import { createNobleProvider } from '@puretls/crypto/noble';
import { connect, createServer, dtlsClientConfig, dtlsServerConfig } from '@puretls/node/dtls';

const args = process.argv.slice(2);
const mtu = args.includes('--mtu') ? Number(args[args.indexOf('--mtu') + 1]) : 1200;
const provider = createNobleProvider();
const now = () => Date.now();
const { privateKey, publicKey } = generateKeyPairSync('ed25519');
const spki = new Uint8Array(publicKey.export({ format: 'der', type: 'spki' }));
const pkcs8 = new Uint8Array(privateKey.export({ format: 'der', type: 'pkcs8' }));
const pinned = {
  async verify({ chain }) {
    const same = chain.length === 1 && chain[0].length === spki.length && chain[0].every((b, i) => b === spki[i]);
    return same ? { ok: true, publicKey: parseSpki(spki) } : { ok: false, code: 'NOT_PINNED', alert: 'bad_certificate', message: 'not the pinned key' };
  },
};

const serverConfig = dtlsServerConfig({
  provider, now, mtu,
  certificates: [{ chain: [spki], key: pkcs8 }],
  cookies: { secret: randomBytes(32) }, // stateless HelloRetryRequest before any state (RFC 9147 §5.1)
  connectionIdLength: 8, // records to the server carry an 8-byte CID (RFC 9146)
});
const server = createServer({ config: serverConfig }, (peer) => {
  const i = peer.handshakeInfo;
  console.log(`server: ${i.version} ${i.cipherSuite} ${i.group} from ${peer.remoteAddress}:${peer.remotePort}, hello retry ${i.helloRetry}`);
  peer.on('message', (d) => peer.send(`echo: ${new TextDecoder().decode(d)}`));
  peer.on('keyUpdate', (dir) => console.log(`server: key update (${dir}), epoch ${peer.connection.epoch}`));
  peer.on('end', () => console.log('server: client closed'));
});
await new Promise((r) => server.listen(0, '127.0.0.1', r));
const { port } = server.address();
console.log(`server: listening on udp 127.0.0.1:${port}`);

const client = connect({ host: '127.0.0.1', port, config: dtlsClientConfig({ provider, now, mtu, verifier: pinned, serverName: 'localhost', connectionIdLength: 4 }) });
client.on('error', (e) => {
  console.error('client error:', e);
  process.exit(1);
});
await new Promise((r) => client.once('secureConnect', r));
const cid = client.handshakeInfo.connectionId;
console.log(`client: connected, CID to server ${Buffer.from(cid.send).toString('hex')}, CID from server ${Buffer.from(cid.receive).toString('hex')}`);

const echo = (text) =>
  new Promise((resolve) => {
    client.once('message', (d) => resolve(new TextDecoder().decode(d)));
    client.send(text);
  });
console.log('client:', await echo('hello over DTLS 1.3'));
client.keyUpdate(true);
await new Promise((r) => setTimeout(r, 100));
console.log(`client: epoch ${client.connection.epoch} after KeyUpdate;`, await echo('after the key update'));
client.requestConnectionIds(2);
await new Promise((r) => client.once('newConnectionIds', (cids) => r(cids)));
client.rotateConnectionId();
console.log('client: moved to a spare CID;', await echo('on a new connection ID'));
client.close();
await new Promise((r) => setTimeout(r, 50));
server.close();
