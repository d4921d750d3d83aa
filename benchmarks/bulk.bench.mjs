// Bulk transfer over loopback, client and server in one process: the client writes 64 MiB in 64 KiB
// chunks, the server counts what it reads; time from the first write to the last byte read (the
// handshake excluded), one transfer per sample, interleaved, medians:
//   bulk_tls13_<aes128gcm|chacha20>_64m_loopback_puretls-node_<accel|noble>   packages/node
//   bulk_tls13_<aes128gcm|chacha20>_64m_loopback_node-tls                      node:tls (OpenSSL)
//   bulk_..._puretls-node_accel_vs_node-tls                                    issue 9: >= 1.0x
//   bulk_plain_64m_loopback_net                                                the same without TLS (node:net):
//     what the sockets and streams alone cost, the floor under both TLS figures
// The noble variant moves 8 MiB (it is ~20x slower) and is scaled to MB/s like the others.
import { once } from 'node:events';
import * as net from 'node:net';
import * as nodeTls from 'node:tls';
import { createNobleProvider } from '@puretls/crypto/noble';
import { createNodeProvider } from '@puretls/node/provider';
import { report, reportRatio } from './lib.mjs';
import { makePki, quietly } from './pki.mjs';

const pki = makePki('ec-p256');
const MiB = 1024 * 1024;
const CHUNK = new Uint8Array(64 * 1024).fill(0x5a);
const SAMPLES = Number(process.env.BENCH_SAMPLES ?? 5);

const SUITES = [
  { tag: 'aes128gcm', iana: 'TLS_AES_128_GCM_SHA256' },
  { tag: 'chacha20', iana: 'TLS_CHACHA20_POLY1305_SHA256' },
];

/** A connected pair from `lib`; returns { send(bytes) -> ms, close() }. */
async function pair(lib, serverOptions, clientOptions) {
  let onData;
  const server = lib.createServer(serverOptions, (sock) => {
    sock.on('error', () => {});
    sock.on('data', (d) => onData(d.length));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const client = lib.connect({ host: '127.0.0.1', port: server.address().port, servername: 'localhost', ...clientOptions });
  client.on('error', (e) => console.error('bulk client error', e.message));
  await once(client, lib === net ? 'connect' : 'secureConnect');
  return {
    send(total) {
      return new Promise((resolve) => {
        let got = 0;
        const t0 = performance.now();
        onData = (n) => {
          got += n;
          if (got >= total) resolve(performance.now() - t0);
        };
        let sent = 0;
        const pump = () => {
          while (sent < total) {
            sent += CHUNK.length;
            if (!client.write(CHUNK)) return void client.once('drain', pump);
          }
        };
        pump();
      });
    },
    close() {
      client.destroy();
      server.close();
    },
  };
}

for (const suite of SUITES) {
  const variants = {
    'node-tls': () =>
      pair(
        nodeTls,
        { key: pki.server.key, cert: pki.server.cert, minVersion: 'TLSv1.3', ciphersuites: suite.iana },
        { ca: pki.ca.cert, minVersion: 'TLSv1.3', ciphersuites: suite.iana },
      ),
  };
  // No TLS at all, measured once (beside the first suite): the floor the sockets and streams set.
  if (suite === SUITES[0]) variants.net = () => pair(net, {}, {});
  const binding = await quietly(() => import('@puretls/node'));
  if (binding.ok) {
    for (const [name, provider] of [
      ['accel', createNodeProvider()],
      ['noble', createNobleProvider()],
    ]) {
      variants[`puretls-node_${name}`] = () =>
        pair(
          binding.value,
          { key: pki.server.key, cert: pki.server.cert, provider, cipherSuites: [suite.iana] },
          { ca: pki.ca.cert, provider, cipherSuites: [suite.iana] },
        );
    }
  }
  const pairs = {};
  for (const [name, make] of Object.entries(variants)) {
    const r = await quietly(make);
    if (r.ok) pairs[name] = r.value;
    else console.error(`bulk bench: ${name} ${suite.tag} does not work: ${r.error}`);
  }
  const size = (name) => (name.endsWith('noble') ? 8 : 64) * MiB;
  const rates = Object.fromEntries(Object.keys(pairs).map((n) => [n, []]));
  for (const [name, p] of Object.entries(pairs)) await p.send(size(name) / 4); // warm-up
  for (let i = 0; i < SAMPLES; i++) {
    for (const [name, p] of Object.entries(pairs)) rates[name].push(size(name) / 1e6 / ((await p.send(size(name))) / 1000));
  }
  const med = {};
  for (const [name, r] of Object.entries(rates)) {
    r.sort((a, b) => a - b);
    med[name] = r[Math.floor(r.length / 2)];
    const bench = name === 'net' ? 'bulk_plain_64m_loopback_net' : `bulk_tls13_${suite.tag}_${name.endsWith('noble') ? '8m' : '64m'}_loopback_${name}`;
    report(bench, 'MB/s', med[name], { spread: Number(((r[r.length - 1] - r[0]) / med[name]).toFixed(2)) });
  }
  if (med['puretls-node_accel'] !== undefined && med['node-tls'] !== undefined) {
    reportRatio(`bulk_tls13_${suite.tag}_64m_loopback_puretls-node_accel_vs_node-tls`, med['puretls-node_accel'] / med['node-tls'], 1.0);
  }
  for (const p of Object.values(pairs)) p.close();
}
