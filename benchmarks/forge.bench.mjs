// node-forge, the one pure-JS TLS stack with a server, against the pure noble engine, in memory
// (client and server in one process, no sockets), side by side:
//   handshake_full_<kx>_rsa2048_forge_tls12           forge: TLS 1.2, TLS_RSA_WITH_AES_128_CBC_SHA
//                                                     (forge has no TLS 1.3, no ECDHE, RSA certificates only)
//   handshake_full_x25519_rsa2048-pss_engine_noble    puretls, the same RSA-2048 certificate chain
//   handshake_full_x25519_ecdsa-p256_engine_noble     puretls with its usual ECDSA P-256 chain
//   ..._engine_noble_vs_forge                         issue 9: >= 10x
//   bulk_<suite>_16k_memory_<forge|engine_noble>      one 16 KiB write through an established pair
// node-forge is a benchmark-only devDependency.
import { createRequire } from 'node:module';
import { createNobleProvider } from '@puretls/crypto/noble';
import { compare, compareAsync, report, reportRatio } from './lib.mjs';
import { engineConfigs, engineHandshake, openPair } from './engine.mjs';
import { makePki, quietly } from './pki.mjs';

const loaded = await quietly(() => createRequire(import.meta.url)('node-forge'));
if (!loaded.ok) {
  console.error(`forge bench: node-forge is not installed (${loaded.error}); skipped`);
} else {
  const forge = loaded.value;
  const rsa = makePki('rsa-2048');
  const caStore = forge.pki.createCaStore([rsa.ca.cert]);
  const suite = forge.tls.CipherSuites.TLS_RSA_WITH_AES_128_CBC_SHA;

  /** An in-memory forge pair; resolves when both ends are connected. `send(bytes)` is one write. */
  function forgePair() {
    let server;
    let client;
    let connected = 0;
    let received = 0;
    const fail = (c, e) => {
      throw new Error(`forge: ${e.message}`);
    };
    server = forge.tls.createConnection({
      server: true,
      sessionCache: {},
      cipherSuites: [suite],
      verifyClient: false,
      getCertificate: () => rsa.server.cert,
      getPrivateKey: () => rsa.server.key,
      connected: () => connected++,
      tlsDataReady: (c) => client.process(c.tlsData.getBytes()),
      dataReady: (c) => (received += c.data.getBytes().length),
      closed: () => {},
      error: fail,
    });
    client = forge.tls.createConnection({
      server: false,
      caStore,
      sessionCache: {},
      cipherSuites: [suite],
      virtualHost: 'localhost',
      verify: (c, verified) => verified,
      connected: () => connected++,
      tlsDataReady: (c) => server.process(c.tlsData.getBytes()),
      dataReady: () => {},
      closed: () => {},
      error: fail,
    });
    client.handshake();
    if (connected !== 2) throw new Error('forge handshake did not complete');
    return {
      send(bytes) {
        const before = received;
        client.prepare(bytes);
        return received - before;
      },
    };
  }

  const noble = createNobleProvider();
  const cfgRsa = engineConfigs(noble, rsa, 'x25519', 'rsa_pss_rsae_sha256');
  const cfgEc = engineConfigs(noble, makePki('ec-p256'), 'x25519', 'ecdsa_secp256r1_sha256');
  forgePair();
  await engineHandshake(cfgRsa);
  await engineHandshake(cfgEc);
  const { medians, spread } = await compareAsync(
    {
      forge: async () => void forgePair(),
      engineRsa: () => engineHandshake(cfgRsa),
      engineEc: () => engineHandshake(cfgEc),
    },
    { samples: 5, sampleMs: 600 },
  );
  const noise = (n) => ({ spread: Number(spread[n].toFixed(2)) });
  report('handshake_full_rsa_rsa2048_forge_tls12', 'ops/s', medians.forge, noise('forge'));
  report('handshake_full_x25519_rsa2048-pss_engine_noble', 'ops/s', medians.engineRsa, noise('engineRsa'));
  report('handshake_full_x25519_ecdsa-p256_engine_noble', 'ops/s', medians.engineEc, noise('engineEc'));
  reportRatio('handshake_full_rsa2048_engine_noble_vs_forge', medians.engineRsa / medians.forge, 10);
  reportRatio('handshake_full_ecdsa-p256_engine_noble_vs_forge', medians.engineEc / medians.forge, 10);

  // Bulk: one 16 KiB application-data write, sealed by the client and opened by the server.
  const fp = forgePair();
  const payload = noble.randomBytes(16384);
  const binary = forge.util.binary.raw.encode(payload);
  if (fp.send(binary) !== 16384) throw new Error('forge bulk round trip failed');
  const ours = await openPair(engineConfigs(noble, rsa, 'x25519', 'rsa_pss_rsae_sha256'));
  const bulk = compare({ forge: () => fp.send(binary), engine: () => ours.roundTrip(payload) }, { samples: 5 });
  report('bulk_tls12_aes128cbc-sha1_16k_memory_forge', 'MB/s', (bulk.medians.forge * 16384) / 1e6);
  report('bulk_tls13_aes128gcm_16k_memory_engine_noble', 'MB/s', (bulk.medians.engine * 16384) / 1e6);
  reportRatio('bulk_16k_memory_engine_noble_vs_forge', bulk.medians.engine / bulk.medians.forge);
}
