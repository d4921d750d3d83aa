// Using the CryptoProvider directly: an X25519 agreement, a TLS 1.3 HKDF-Expand-Label, an AEAD record
// seal/open, and an Ed25519 signature — the primitives the TLS engine is built from.
import { hkdfExpandLabel } from '@puretls/crypto';
import { createNobleProvider } from '@puretls/crypto/noble';

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
