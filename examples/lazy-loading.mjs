// Lazy loading: the pure noble provider imports each curve, RSA and ChaCha20 when a connection first
// needs it. One X25519 + ECDSA P-256 + AES-128-GCM connection through @puretls/node loads X25519 and
// the NIST curves and leaves Ed448/X448, RSA and ChaCha20 unloaded; a direct, synchronous use of an
// algorithm not loaded yet is a typed error until `prepare()` has loaded it.
import { once } from 'node:events';
import { connect, createServer, generateCertificate } from '@puretls/node';
import { createNobleProvider, loadedFamilies } from '@puretls/crypto/noble-lazy';

const ca = generateCertificate({ commonName: 'example CA', isCA: true, keyType: 'ec-p256' });
const leaf = generateCertificate({ commonName: 'localhost', keyType: 'ec-p256', issuer: ca, altNames: ['localhost'] });
const provider = createNobleProvider();
console.log('loaded before any connection:', loadedFamilies());

const server = createServer({ cert: leaf.cert, key: leaf.key, provider }, (s) => s.end('hello from a lazily loaded stack\n'));
server.listen(0, '127.0.0.1');
await once(server, 'listening');
const socket = connect({ host: '127.0.0.1', port: server.address().port, servername: 'localhost', ca: ca.cert, provider, ciphers: 'TLS_AES_128_GCM_SHA256' });
await once(socket, 'secureConnect');
const info = socket.getHandshakeInfo();
console.log('negotiated:', info.cipherSuite, info.group, info.signatureScheme);
socket.setEncoding('utf8');
for await (const chunk of socket) process.stdout.write(`received: ${chunk}`);
server.close();
console.log('loaded after it:', loadedFamilies());

try {
  provider.group('x448');
} catch (e) {
  console.log(`provider.group('x448') before prepare: ${e.code}`);
}
await provider.prepare({ groups: ['x448'], aeads: ['CHACHA20-POLY1305'] });
console.log('after prepare():', loadedFamilies(), '→ x448 public key bytes:', provider.group('x448').generateKeyPair().publicKey.length);
