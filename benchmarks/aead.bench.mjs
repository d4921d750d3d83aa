// The record-protection primitive, seal + open of one record with a 5-byte AAD (a TLS 1.3 record
// header), at 16 KiB and 64 B, side by side in one run (interleaved samples, medians):
//   aead_<suite>_<size>_noble            the pure noble provider: keyed once per traffic key, seal and
//                                        open into reused buffers (what the record layer does)
//   aead_<suite>_<size>_noble_<fn>       noble's one-shot API, a new cipher instance per record
//                                        (`gcm()` / `chacha20poly1305()`), what a naive record layer does
//   aead_<suite>_<size>_node             node:crypto (OpenSSL) called directly, a reference figure
//   aead_<suite>_<size>_accel            the accelerated provider (packages/node/provider) over node:crypto,
//                                        keyed once, seal and open into reused buffers
//   aead_<suite>_<size>_vs_noble_<fn>    ratio provider / one-shot, with the issue 9 target
// All three are first checked to compute the same bytes. MB/s count the record once per seal+open.
import { createCipheriv, createDecipheriv } from 'node:crypto';
import { gcm } from '@noble/ciphers/aes.js';
import { chacha20poly1305 } from '@noble/ciphers/chacha.js';
import { createNobleProvider } from '@puretls/crypto/noble';
import { createNodeProvider } from '@puretls/node/provider';
import { compare, report } from './lib.mjs';

const provider = createNobleProvider();
const accelProvider = createNodeProvider();

// Issue 9 acceptance: AES-GCM >= 2x gcm() at 16 KiB and >= 5x at 64 B; ChaCha20-Poly1305 >= 0.9x.
const suites = [
  { tag: 'aes128gcm', name: 'AES-128-GCM', fn: 'gcm', oneShot: gcm, node: 'aes-128-gcm', target: { 16384: 2, 64: 5 } },
  { tag: 'aes256gcm', name: 'AES-256-GCM', fn: 'gcm', oneShot: gcm, node: 'aes-256-gcm', target: { 16384: 2, 64: 5 } },
  { tag: 'chacha20poly1305', name: 'CHACHA20-POLY1305', fn: 'chacha20poly1305', oneShot: chacha20poly1305, node: 'chacha20-poly1305', target: { 16384: 0.9, 64: 0.9 } },
];
const sizes = [16384, 64];

function nodeSeal(alg, key, nonce, aad, pt) {
  const c = createCipheriv(alg, key, nonce, { authTagLength: 16 });
  c.setAAD(aad, { plaintextLength: pt.length });
  const head = c.update(pt);
  const tail = c.final();
  return Buffer.concat([head, tail, c.getAuthTag()]);
}

function nodeOpen(alg, key, nonce, aad, sealed) {
  const d = createDecipheriv(alg, key, nonce, { authTagLength: 16 });
  const n = sealed.length - 16;
  d.setAAD(aad, { plaintextLength: n });
  d.setAuthTag(sealed.subarray(n));
  const head = d.update(sealed.subarray(0, n));
  const tail = d.final();
  return tail.length === 0 ? head : Buffer.concat([head, tail]);
}

const same = (a, b) => Buffer.compare(Buffer.from(a.buffer, a.byteOffset, a.length), Buffer.from(b.buffer, b.byteOffset, b.length)) === 0;

for (const s of suites) {
  const alg = provider.aead(s.name);
  const key = provider.randomBytes(alg.keyLength);
  const nonce = provider.randomBytes(alg.nonceLength);
  const aad = Uint8Array.of(23, 3, 3, 0x40, 0x11);
  const aead = alg.create(key);
  const accel = accelProvider.aead(s.name).create(key);
  for (const size of sizes) {
    const pt = provider.randomBytes(size);
    const sealed = new Uint8Array(size + alg.tagLength);
    const opened = new Uint8Array(size);

    const ours = aead.seal(nonce, pt, aad, sealed);
    const theirs = s.oneShot(key, nonce, aad).encrypt(pt);
    const nodes = nodeSeal(s.node, key, nonce, aad, pt);
    if (!same(ours, theirs) || !same(ours, nodes)) throw new Error(`${s.tag}: provider, noble and node:crypto disagree`);
    if (!same(aead.open(nonce, sealed, aad, opened), pt)) throw new Error(`${s.tag}: provider open failed`);
    const accelSealed = new Uint8Array(size + alg.tagLength);
    const accelOpened = new Uint8Array(size);
    if (!same(accel.seal(nonce, pt, aad, accelSealed), ours) || !same(accel.open(nonce, accelSealed, aad, accelOpened), pt)) throw new Error(`${s.tag}: accelerated provider disagrees`);

    const fns = {
      noble: () => {
        aead.seal(nonce, pt, aad, sealed);
        if (aead.open(nonce, sealed, aad, opened) === null) throw new Error('open failed');
      },
      oneShot: () => s.oneShot(key, nonce, aad).decrypt(s.oneShot(key, nonce, aad).encrypt(pt)),
      node: () => nodeOpen(s.node, key, nonce, aad, nodeSeal(s.node, key, nonce, aad, pt)),
      accel: () => {
        accel.seal(nonce, pt, aad, accelSealed);
        if (accel.open(nonce, accelSealed, aad, accelOpened) === null) throw new Error('open failed');
      },
    };
    const { medians, spread } = compare(fns);
    if (!same(opened, pt)) throw new Error(`${s.tag}: provider round trip changed the data`);

    const label = size >= 1024 ? `${size / 1024}k` : `${size}b`;
    const [unit, scale] = size >= 1024 ? ['MB/s', size / 1e6] : ['ops/s', 1];
    const base = `aead_${s.tag}_${label}`;
    const noise = (n) => ({ spread: Number(spread[n].toFixed(2)) });
    report(`${base}_noble`, unit, medians.noble * scale, noise('noble'));
    report(`${base}_noble_${s.fn}`, unit, medians.oneShot * scale, noise('oneShot'));
    report(`${base}_node`, unit, medians.node * scale, noise('node'));
    report(`${base}_accel`, unit, medians.accel * scale, noise('accel'));
    const ratio = medians.noble / medians.oneShot;
    report(`${base}_vs_noble_${s.fn}`, 'x', ratio, { target: s.target[size], met: ratio >= s.target[size] });
  }
}
