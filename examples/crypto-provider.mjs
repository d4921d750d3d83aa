// Using the CryptoProvider directly: an X25519 agreement, a TLS 1.3 HKDF-Expand-Label, an AEAD record
// seal/open, an Ed25519 signature — the primitives the TLS engine is built from — and an ECDSA
// signature through the Web Crypto provider (crypto.subtle underneath, so it answers with a Promise).
import { hkdfExpandLabel } from '@puretls/crypto';
import { createNobleProvider } from '@puretls/crypto/noble';
import { createWebCryptoProvider, platformSubtle } from '@puretls/crypto/webcrypto';

const p = createNobleProvider();
const hex = (b) => Buffer.from(b).toString('hex');

const x25519 = p.group('x25519');
const alice = x25519.generateKeyPair();
const bob = x25519.generateKeyPair();
const shared = x25519.sharedSecret(alice.privateKey, bob.publicKey);
console.log('x25519 shared secret agrees:', hex(shared) === hex(x25519.sharedSecret(bob.privateKey, alice.publicKey)));

const secret = p.hkdfExtract('SHA-256', new Uint8Array(0), shared);
const key = hkdfExpandLabel(p, 'SHA-256', secret, 'key', new Uint8Array(0), 16);
const iv = hkdfExpandLabel(p, 'SHA-256', secret, 'iv', new Uint8Array(0), 12);
const aead = p.aead('AES-128-GCM').create(key);
const record = aead.seal(iv, new TextEncoder().encode('hello, TLS'), new Uint8Array([23, 3, 3, 0, 26]));
console.log('sealed record body:', hex(record));
console.log('opened:', new TextDecoder().decode(aead.open(iv, record, new Uint8Array([23, 3, 3, 0, 26]))));

const seed = p.randomBytes(32);
const edPrivate = { kind: 'ed25519', seed };
const sig = p.sign('ed25519', edPrivate, new TextEncoder().encode('message'));
console.log('ed25519 signature:', hex(sig).slice(0, 32) + '…');

// The Web Crypto provider: same interface, ECDSA/RSA on crypto.subtle (asynchronous), the rest on noble.
if (platformSubtle() !== undefined) {
  const web = createWebCryptoProvider();
  const ec = { kind: 'ec', curve: 'P-256', d: p.randomBytes(32) };
  const message = new TextEncoder().encode('signed by crypto.subtle');
  const der = await web.sign('ecdsa_secp256r1_sha256', ec, message);
  // The P-256 key share of a private key is its uncompressed public point.
  const point = p.group('secp256r1').keyPairFromPrivateKey(ec.d).publicKey;
  console.log('webcrypto ECDSA signature (DER):', hex(der).slice(0, 32) + '…');
  console.log('verified by noble:', await p.verify('ecdsa_secp256r1_sha256', { kind: 'ec', curve: 'P-256', point }, message, der));
  // AES-GCM: seal/open are noble's (synchronous); sealAsync/openAsync go to crypto.subtle, same bytes.
  const gcm = web.aead('AES-128-GCM').create(key);
  const viaSubtle = await gcm.sealAsync(iv, new TextEncoder().encode('hello, TLS'), new Uint8Array([23, 3, 3, 0, 26]));
  console.log('AES-GCM on crypto.subtle gives the same record:', hex(viaSubtle) === hex(record));
}
