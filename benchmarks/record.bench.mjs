// The pure noble record layer against the raw noble AEAD call, seal + open of one record, side by
// side in one run (interleaved samples, medians):
//   record_tls13_<suite>_<size>_noble_record-layer   packages/tls RecordSealer.seal + RecordOpener.open
//                                                     with the noble provider (header, inner content
//                                                     type, nonce = iv XOR seq, in-place AEAD)
//   record_tls13_<suite>_<size>_noble_engine          a whole connection pair in memory: write() ->
//                                                     pull() -> feed() -> poll() of application data
//   record_tls13_<suite>_<size>_raw_<fn>              noble's one-shot call on the same plaintext
//                                                     (`gcm()` / `chacha20poly1305()`), seal + open
//   record_tls13_<suite>_<size>_record-layer_vs_raw_<fn>  issue 9: ChaCha20 >= 0.9x at 16 KiB;
//                                                     AES-GCM >= 2x at 16 KiB and >= 5x at 64 B
import { gcm } from '@noble/ciphers/aes.js';
import { chacha20poly1305 } from '@noble/ciphers/chacha.js';
import { createNobleProvider } from '@puretls/crypto/noble';
// The record layer is internal to @puretls/tls: its built module, as the engine uses it.
import { RecordOpener, RecordSealer } from '../packages/tls/dist/record/protection.js';
import { cipherSuiteByCode } from '../packages/tls/dist/suites.js';
import { compare, report, reportRatio } from './lib.mjs';
import { engineConfigs, engineHandshake, openPair } from './engine.mjs';
import { makePki } from './pki.mjs';

const provider = createNobleProvider();
const SUITES = [
  { tag: 'aes128gcm', code: 0x1301, iana: 'TLS_AES_128_GCM_SHA256', fn: 'gcm', oneShot: gcm, target: { 16384: 2, 64: 5 } },
  { tag: 'chacha20', code: 0x1303, iana: 'TLS_CHACHA20_POLY1305_SHA256', fn: 'chacha20poly1305', oneShot: chacha20poly1305, target: { 16384: 0.9 } },
];
const pki = makePki('ec-p256');

for (const s of SUITES) {
  const suite = cipherSuiteByCode(s.code);
  const keys = { key: provider.randomBytes(s.tag === 'chacha20' ? 32 : 16), iv: provider.randomBytes(12) };
  const sealer = new RecordSealer(provider, suite, keys);
  const opener = new RecordOpener(provider, suite, keys);
  const cfg = engineConfigs(provider, pki, 'x25519', 'ecdsa_secp256r1_sha256', [s.iana]);
  const conns = await openPair(cfg);
  for (const size of [16384, 64]) {
    const content = provider.randomBytes(size);
    // Same bytes first: the record layer's AEAD output is noble's one-shot output for the same nonce.
    const rec = sealer.seal(23, content);
    const nonce = keys.iv.slice();
    const seq = sealer.seq - 1n;
    for (let i = 0; i < 8; i++) nonce[11 - i] ^= Number((seq >> BigInt(8 * i)) & 0xffn);
    const inner = Uint8Array.of(...content, 23);
    const raw = s.oneShot(keys.key, nonce, rec.subarray(0, 5)).encrypt(inner);
    if (Buffer.compare(Buffer.from(raw), Buffer.from(rec.subarray(5))) !== 0) throw new Error(`${s.tag}: record layer and one-shot ${s.fn} disagree`);
    const opened = opener.open(rec.subarray(0, 5), rec.subarray(5));
    if (opened.type !== 23 || Buffer.compare(Buffer.from(opened.content), Buffer.from(content)) !== 0) throw new Error(`${s.tag}: record round trip failed`);
    if (Buffer.compare(Buffer.from(conns.roundTrip(content)), Buffer.from(content)) !== 0) throw new Error(`${s.tag}: engine round trip failed`);

    const header = rec.subarray(0, 5);
    const fns = {
      recordLayer: () => {
        const r = sealer.seal(23, content);
        opener.open(r.subarray(0, 5), r.subarray(5));
      },
      engine: () => conns.roundTrip(content),
      raw: () => s.oneShot(keys.key, nonce, header).decrypt(s.oneShot(keys.key, nonce, header).encrypt(inner)),
    };
    const { medians, spread } = compare(fns, { samples: 7 });
    const label = size >= 1024 ? `${size / 1024}k` : `${size}b`;
    const [unit, scale] = size >= 1024 ? ['MB/s', size / 1e6] : ['ops/s', 1];
    const base = `record_tls13_${s.tag}_${label}`;
    const noise = (n) => ({ spread: Number(spread[n].toFixed(2)) });
    report(`${base}_noble_record-layer`, unit, medians.recordLayer * scale, noise('recordLayer'));
    report(`${base}_noble_engine`, unit, medians.engine * scale, noise('engine'));
    report(`${base}_raw_${s.fn}`, unit, medians.raw * scale, noise('raw'));
    reportRatio(`${base}_record-layer_vs_raw_${s.fn}`, medians.recordLayer / medians.raw, s.target[size]);
    reportRatio(`${base}_engine_vs_raw_${s.fn}`, medians.engine / medians.raw);
  }
}
