// Child of coldstart.bench.mjs: a fresh process that imports what a variant needs and completes one
// full handshake (client and server in this process), then prints the milliseconds since the
// process started (performance.now() counts from the time origin of the process).
import { readFileSync } from 'node:fs';

const [variant, file] = process.argv.slice(2);
const pki = JSON.parse(readFileSync(file, 'utf8'));
const der = (b64) => new Uint8Array(Buffer.from(b64, 'base64'));

if (variant === 'node-tls') {
  const tls = await import('node:tls');
  const { once } = await import('node:events');
  const server = tls.createServer({ key: pki.key, cert: pki.cert, minVersion: 'TLSv1.3' }, (s) => s.resume());
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const c = tls.connect({ host: '127.0.0.1', port: server.address().port, servername: 'localhost', ca: pki.caCert, minVersion: 'TLSv1.3', ecdhCurve: 'X25519' });
  await once(c, 'secureConnect');
  console.log(JSON.stringify({ ms: performance.now() }));
  c.destroy();
  server.close();
} else {
  const { clientConfig, serverConfig } = await import('@puretls/tls');
  const { createCertificateVerifier } = await import('@puretls/x509');
  const provider =
    variant === 'accel' ? (await import('@puretls/node/provider')).createNodeProvider() : (await import('@puretls/crypto/noble-lazy')).createNobleProvider();
  const { openPair } = await import('./engine.mjs');
  await openPair({
    client: clientConfig({ provider, now: () => Date.now(), serverName: 'localhost', verifier: createCertificateVerifier({ trustAnchors: [der(pki.caDer)], provider }), groups: ['x25519'] }),
    server: serverConfig({ provider, now: () => Date.now(), certificates: [{ chain: [der(pki.certDer)], key: der(pki.keyDer) }], groups: ['x25519'] }),
  });
  console.log(JSON.stringify({ ms: performance.now() }));
}
