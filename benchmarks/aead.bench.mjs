// The record-protection primitive: the provider's AEAD (keyed once per traffic key) against noble's
// one-shot API (a new cipher instance per record, as a naive record layer would do), seal+open of one
// record, at 16 KiB and 64 B. Both sides are first checked to compute the same bytes.
import { gcm } from '@noble/ciphers/aes.js';
import { chacha20poly1305 } from '@noble/ciphers/chacha.js';
import { createNobleProvider } from '@puretls/crypto/noble';
import { measure, report } from './lib.mjs';

const provider = createNobleProvider();
const cases = [
  ['aes128gcm', 'AES-128-GCM', (k, n) => gcm(k, n)],
  ['chacha20poly1305', 'CHACHA20-POLY1305', (k, n) => chacha20poly1305(k, n)],
];

for (const [tag, name, oneShot] of cases) {
  const alg = provider.aead(name);
  const key = provider.randomBytes(alg.keyLength);
  const nonce = provider.randomBytes(12);
  const aead = alg.create(key);
  for (const size of [16384, 64]) {
    const pt = provider.randomBytes(size);
    const out = new Uint8Array(size + alg.tagLength);
    const a = aead.seal(nonce, pt, new Uint8Array(5), out);
    const b = oneShot(key, nonce).encrypt(pt);
    if (Buffer.compare(Buffer.from(a), Buffer.from(b)) !== 0) throw new Error(`${tag}: provider and noble disagree`);
    const opened = new Uint8Array(size);
    const ours = measure(() => aead.open(nonce, aead.seal(nonce, pt, new Uint8Array(5), out), new Uint8Array(5), opened));
    const base = measure(() => oneShot(key, nonce).decrypt(oneShot(key, nonce).encrypt(pt)));
    const label = size >= 1024 ? `${size / 1024}k` : `${size}b`;
    const unit = size >= 1024 ? 'MB/s' : 'ops/s';
    const scale = size >= 1024 ? size / 1e6 : 1;
    report(`aead_${tag}_${label}_provider_noble`, unit, ours * scale);
    report(`aead_${tag}_${label}_baseline_noble_oneshot`, unit, base * scale);
    report(`aead_${tag}_${label}_ratio`, 'x', ours / base);
  }
}
