// CPU cost of one full TLS 1.3 handshake per side, per (group × signature scheme), in memory, for the
// pure noble provider and the accelerated (node:crypto) one: the milliseconds spent inside each side's
// calls (feed/pull/poll and its pending certificate verification or signature), median of samples:
//   handshake_cost_<group>_<scheme>_<client|server>_<noble|accel>   ms per handshake
// The certificate chain is CA -> server of the scheme's key type, verified by the x509 package with
// the same provider; no client certificate.
import { createNobleProvider } from '@puretls/crypto/noble';
import { createNodeProvider } from '@puretls/node/provider';
import { report } from './lib.mjs';
import { engineConfigs, engineHandshake } from './engine.mjs';
import { makePki } from './pki.mjs';

const GROUPS = ['x25519', 'secp256r1', 'secp384r1', 'x448'];
const SCHEMES = [
  ['ecdsa_secp256r1_sha256', 'ec-p256'],
  ['ecdsa_secp384r1_sha384', 'ec-p384'],
  ['ed25519', 'ed25519'],
  ['rsa_pss_rsae_sha256', 'rsa-2048'],
];
const PROVIDERS = { noble: createNobleProvider(), accel: createNodeProvider() };
const SAMPLE_MS = Number(process.env.BENCH_SAMPLE_MS ?? 250);
const SAMPLES = 5;

async function costOf(cfg) {
  await engineHandshake(cfg); // warm-up (and the x509/key caches)
  await engineHandshake(cfg);
  const per = { client: [], server: [] };
  for (let i = 0; i < SAMPLES; i++) {
    const t = { client: 0, server: 0 };
    let n = 0;
    const end = performance.now() + SAMPLE_MS;
    while (n === 0 || performance.now() < end) {
      await engineHandshake(cfg, undefined, t);
      n++;
    }
    per.client.push(t.client / n);
    per.server.push(t.server / n);
  }
  const med = (a) => a.sort((x, y) => x - y)[Math.floor(a.length / 2)];
  return { client: med(per.client), server: med(per.server) };
}

for (const [scheme, keyType] of SCHEMES) {
  const pki = makePki(keyType);
  for (const group of GROUPS) {
    for (const [name, provider] of Object.entries(PROVIDERS)) {
      const cost = await costOf(engineConfigs(provider, pki, group, scheme));
      const g = group === 'secp256r1' ? 'p256' : group === 'secp384r1' ? 'p384' : group;
      const sch = scheme.replace('ecdsa_secp256r1_sha256', 'ecdsa-p256').replace('ecdsa_secp384r1_sha384', 'ecdsa-p384').replace('rsa_pss_rsae_sha256', 'rsa2048-pss');
      report(`handshake_cost_${g}_${sch}_client_${name}`, 'ms', cost.client);
      report(`handshake_cost_${g}_${sch}_server_${name}`, 'ms', cost.server);
    }
  }
}
