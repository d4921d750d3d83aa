// A TLS 1.3 client and server in one process over the sans-IO API of @puretls/tls: no socket, the
// bytes one side pulls are fed to the other. Build first: npm run build
//
// The server's "certificate chain" here is just its public key (SPKI DER) and the client pins that
// key; for real certificates pass createCertificateVerifier() from @puretls/x509 as the verifier.
import { generateKeyPairSync } from 'node:crypto';
import { parseSpki } from '@puretls/crypto';
import { createNobleProvider } from '@puretls/crypto/noble';
import { ClientConnection, ServerConnection, clientConfig, serverConfig } from '@puretls/tls';

const provider = createNobleProvider();
const now = () => Date.now();
const { privateKey, publicKey } = generateKeyPairSync('ed25519');
const spki = new Uint8Array(publicKey.export({ format: 'der', type: 'spki' }));
const pkcs8 = new Uint8Array(privateKey.export({ format: 'der', type: 'pkcs8' }));

const pinned = {
  async verify({ chain }) {
    const same = chain.length === 1 && chain[0].length === spki.length && chain[0].every((b, i) => b === spki[i]);
    return same
      ? { ok: true, publicKey: parseSpki(spki) }
      : { ok: false, code: 'NOT_PINNED', alert: 'bad_certificate', message: 'not the pinned key' };
  },
};

const server = new ServerConnection(serverConfig({ provider, now, certificates: [{ chain: [spki], key: pkcs8 }], alpnProtocols: ['demo/1'] }));
const client = new ClientConnection(clientConfig({ provider, now, serverName: 'demo.test', verifier: pinned, alpnProtocols: ['demo/1'] }));

/** Moves bytes both ways until neither side has anything to say, printing events. */
async function pump() {
  for (let moved = true; moved; ) {
    moved = false;
    for (const [from, to] of [[client, server], [server, client]]) {
      for (let b = from.pull(); b !== null; b = from.pull()) {
        to.feed(b);
        moved = true;
      }
      while (to.pending) await to.pending; // the certificate verifier is asynchronous
    }
    for (const [name, conn] of [['client', client], ['server', server]]) {
      for (let e = conn.poll(); e !== null; e = conn.poll()) {
        if (e.type === 'handshake_complete') {
          const i = e.info;
          console.log(`${name}: handshake complete — ${i.version} ${i.cipherSuite} ${i.group} ${i.signatureScheme ?? ''} alpn=${i.alpn}`);
        } else if (e.type === 'application_data') console.log(`${name}: received ${JSON.stringify(new TextDecoder().decode(e.data))}`);
        else if (e.type === 'error') throw e.error;
        else console.log(`${name}: ${e.type}`);
      }
    }
  }
}

client.write(new TextEncoder().encode('hello from the client')); // queued until the handshake completes
await pump();
server.write(new TextEncoder().encode('hello from the server'));
client.keyUpdate(true);
await pump();
console.log('exporter (client) ', Buffer.from(client.exportKeyingMaterial('EXPERIMENTAL demo', new Uint8Array(0), 16)).toString('hex'));
console.log('exporter (server) ', Buffer.from(server.exportKeyingMaterial('EXPERIMENTAL demo', new Uint8Array(0), 16)).toString('hex'));
client.close();
await pump();
server.close();
await pump();
console.log('states:', client.state, server.state);
