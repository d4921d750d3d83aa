// TLS 1.3 handshakes per second, client and server in one process, one handshake at a time, with an
// ECDSA P-256 certificate (issued by a P-256 CA, verified through the x509 package) and X25519:
//   handshake_<full|resumed>_x25519_ecdsa-p256_engine_<noble|accel|webcrypto>
//                                                                     the sans-IO engines fed each other
//                                                                     in memory (no sockets); webcrypto is
//                                                                     @puretls/crypto/webcrypto on Node's
//                                                                     crypto.subtle (signatures only)
//   handshake_<full|resumed>_x25519_ecdsa-p256_node-tls               node:tls (OpenSSL) over loopback
//   handshake_<full|resumed>_x25519_ecdsa-p256_puretls-node_<provider> packages/node over loopback
//   handshake_..._<variant>_vs_node-tls                                ratios; issue 9's target (accel >= 1.0x
//                                                                     over loopback) is on puretls-node_accel
// Every variant is first checked to complete with the expected suite/group (and resumption).
import { once } from 'node:events';
import * as nodeTls from 'node:tls';
import { createNobleProvider } from '@puretls/crypto/noble';
import { createWebCryptoProvider } from '@puretls/crypto/webcrypto';
import { createNodeProvider } from '@puretls/node/provider';
import { compareAsync, report, reportRatio } from './lib.mjs';
import { engineConfigs, engineHandshake } from './engine.mjs';
import { makePki, quietly } from './pki.mjs';

const pki = makePki('ec-p256');
const providers = { noble: createNobleProvider(), accel: createNodeProvider(), webcrypto: createWebCryptoProvider() };

/**
 * A loopback pair from `tlsLib` (node:tls or packages/node): the server only reads; `full()` and
 * `resumed()` connect, resolve at 'secureConnect' (the client has verified the server's Finished)
 * and destroy the socket. The resumption session comes from one connection that waits for a ticket.
 */
async function loopbackPair(tlsLib, serverOptions, clientOptions) {
  const server = tlsLib.createServer(serverOptions, (sock) => {
    sock.on('error', () => {});
    sock.resume();
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address();
  const connect = (extra, waitForSession = false) =>
    new Promise((resolve, reject) => {
      const sock = tlsLib.connect({ host: '127.0.0.1', port, servername: 'localhost', ...clientOptions, ...extra });
      let settled = false;
      const finish = (v, err) => {
        if (settled) return;
        settled = true;
        sock.destroy();
        if (err) reject(err);
        else resolve(v);
      };
      sock.on('secureConnect', () => {
        if (!waitForSession) finish({ reused: sock.isSessionReused() });
      });
      sock.on('session', (session) => finish({ session, reused: sock.isSessionReused() }));
      sock.on('error', (e) => finish(undefined, e));
      sock.resume();
      setTimeout(() => finish(undefined, new Error('timeout')), 5000).unref();
    });
  const { session } = await connect({}, true);
  const again = await connect({ session });
  return {
    resumes: again.reused === true,
    full: () => connect({}),
    resumed: () => connect({ session }),
    close: () => server.close(),
  };
}

const nodeTlsPair = () =>
  loopbackPair(
    nodeTls,
    { key: pki.server.key, cert: pki.server.cert, minVersion: 'TLSv1.3', ecdhCurve: 'X25519', ciphersuites: 'TLS_AES_128_GCM_SHA256' },
    { ca: pki.ca.cert, minVersion: 'TLSv1.3', ecdhCurve: 'X25519', sigalgs: 'ecdsa_secp256r1_sha256' },
  );

async function puretlsNodePair(provider) {
  const binding = await import('@puretls/node');
  return loopbackPair(
    binding,
    { key: pki.server.key, cert: pki.server.cert, provider, groups: ['x25519'], cipherSuites: ['TLS_AES_128_GCM_SHA256'] },
    { ca: pki.ca.cert, provider, groups: ['x25519'], signatureSchemes: ['ecdsa_secp256r1_sha256'] },
  );
}

const cfgs = Object.fromEntries(Object.entries(providers).map(([n, p]) => [n, engineConfigs(p, pki)]));
const tickets = {};
for (const [n, cfg] of Object.entries(cfgs)) {
  tickets[n] = await engineHandshake(cfg);
  if (!tickets[n]) throw new Error(`${n}: no ticket`);
  await engineHandshake(cfg, tickets[n]);
}
const nodePair = await nodeTlsPair();
if (!nodePair.resumes) throw new Error('node:tls did not resume');
const bindings = {};
for (const n of ['noble', 'accel']) {
  const r = await quietly(() => puretlsNodePair(providers[n]));
  if (r.ok) bindings[n] = r.value;
  else console.error(`handshake bench: packages/node over loopback with ${n} does not work yet: ${r.error}`);
}

for (const kind of ['full', 'resumed']) {
  const fns = {
    'engine_noble': () => engineHandshake(cfgs.noble, kind === 'resumed' ? tickets.noble : undefined),
    'engine_accel': () => engineHandshake(cfgs.accel, kind === 'resumed' ? tickets.accel : undefined),
    'engine_webcrypto': () => engineHandshake(cfgs.webcrypto, kind === 'resumed' ? tickets.webcrypto : undefined),
    'node-tls': nodePair[kind],
  };
  for (const [n, b] of Object.entries(bindings)) if (kind === 'full' || b.resumes) fns[`puretls-node_${n}`] = b[kind];
  const { medians, spread } = await compareAsync(fns, { samples: 5, sampleMs: 500 });
  const base = `handshake_${kind}_x25519_ecdsa-p256`;
  for (const [n, v] of Object.entries(medians)) report(`${base}_${n}`, 'ops/s', v, { spread: Number(spread[n].toFixed(2)) });
  // In memory against sockets: a bound on what the binding can reach, not the acceptance figure.
  reportRatio(`${base}_engine_accel_vs_node-tls`, medians.engine_accel / medians['node-tls']);
  reportRatio(`${base}_engine_noble_vs_node-tls`, medians.engine_noble / medians['node-tls']);
  reportRatio(`${base}_engine_webcrypto_vs_engine_noble`, medians.engine_webcrypto / medians.engine_noble);
  if (medians['puretls-node_accel'] !== undefined) reportRatio(`${base}_puretls-node_accel_vs_node-tls`, medians['puretls-node_accel'] / medians['node-tls'], 1.0);
}
nodePair.close();
for (const b of Object.values(bindings)) b.close();
