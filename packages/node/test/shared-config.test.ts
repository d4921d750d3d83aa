/**
 * A server's connections share one engine config: what differs per connection (the client
 * certificate verdict behind `authorized`) stays with its socket, and
 * `SNICallback` runs as the engine's asynchronous certificate resolver.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { connect, createSecureContext, createServer, type Server, type TLSSocket } from '../src/index.js';
import { makePki } from './helpers/pki.js';
import { closeServer, failure, listen, readAll, secure } from './helpers/sockets.js';

const pki = makePki();
const p256 = pki.servers.get('ec-p256')!;
const servers: Server[] = [];
afterAll(async () => {
  for (const s of servers) await closeServer(s);
  pki.cleanup();
});

async function serve(options: Parameters<typeof createServer>[0], onSocket: (s: TLSSocket) => void): Promise<{ port: number; server: Server }> {
  const server = createServer({ cert: p256.cert, key: p256.key, ...options }, onSocket);
  server.on('tlsClientError', () => {});
  servers.push(server);
  return { port: await listen(server), server };
}

describe('one config per server, state per connection', () => {
  it('concurrent clients, one trusted and one not: each server socket reports its own verdict', async () => {
    const verdicts = new Map<string, { authorized: boolean; error: string | undefined }>();
    const { port } = await serve({ requestCert: true, rejectUnauthorized: false, ca: pki.ca.cert }, (s) => {
      s.once('data', (d: Buffer) => {
        verdicts.set(d.toString(), { authorized: s.authorized, error: s.authorizationError });
        s.end('ok');
      });
    });
    const opts = { host: '127.0.0.1', port, servername: 'localhost', ca: pki.ca.cert };
    const good = connect({ ...opts, cert: pki.client.cert, key: pki.client.key });
    const bad = connect({ ...opts, cert: pki.stranger.cert, key: pki.stranger.key });
    await Promise.all([secure(good), secure(bad)]);
    good.end('good');
    bad.end('bad');
    await Promise.all([readAll(good), readAll(bad)]);
    expect(verdicts.get('good')).toEqual({ authorized: true, error: undefined });
    expect(verdicts.get('bad')?.authorized).toBe(false);
    expect(verdicts.get('bad')?.error).toBe('UNABLE_TO_GET_ISSUER_CERT_LOCALLY');
  });

  it('an SNICallback that fails ends the handshake with an alert; the client sees an error', async () => {
    const { port } = await serve({ SNICallback: (_name, cb) => setTimeout(() => cb(new Error('no such host')), 5) }, (s) => s.end('x'));
    const err = await failure(connect({ host: '127.0.0.1', port, servername: 'nowhere.test', ca: pki.ca.cert }));
    expect(err).toMatchObject({ alert: 'internal_error' });
  });

  it('contexts added with addContext after connections were served are used by later ones', async () => {
    const { port, server } = await serve({}, (s) => s.end(String(s.servername)));
    const before = await secure(connect({ host: '127.0.0.1', port, servername: 'other.test', ca: pki.ca.cert, checkServerIdentity: () => undefined }));
    expect(before.getPeerCertificate()).toMatchObject({ subject: { CN: 'localhost' } });
    await readAll(before);
    server.addContext('other.test', createSecureContext({ cert: pki.other.cert, key: pki.other.key }));
    const after = await secure(connect({ host: '127.0.0.1', port, servername: 'other.test', ca: pki.ca.cert }));
    expect(after.getPeerCertificate()).toMatchObject({ subject: { CN: 'other.test' } });
    await readAll(after);
  });
});
