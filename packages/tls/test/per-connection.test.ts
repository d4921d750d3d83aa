/**
 * What one shared config leaves to each connection: its own certificate verifier and key log
 * (connection options), and the server's certificates chosen per connection by an asynchronous
 * resolver from the ClientHello's SNI (RFC 6066 §3), before any other negotiation.
 */
import { describe, expect, it } from 'vitest';
import { ClientConnection, ServerConnection, clientConfig, serverConfig, type CertificateResolverRequest, type ServerCertificate } from '../src/index.js';
import { doHandshake, exchange, infoOf, now, provider, stubVerifier, testKey } from './helpers/pair.js';

const serverKey = testKey('ed25519');
const otherKey = testKey('P-256');
const clientKey = testKey('P-384');

describe('a verifier and a key log per connection', () => {
  it('the connection verifier replaces the config one; the config stays shared', async () => {
    const refusing = stubVerifier();
    const accepting = stubVerifier(serverKey);
    const cc = clientConfig({ provider, now, verifier: refusing, serverName: 'example.test' });
    const sc = serverConfig({ provider, now, certificates: [{ chain: serverKey.chain, key: serverKey.pkcs8 }] });
    const ok = new ClientConnection(cc, { verifier: accepting });
    await doHandshake(ok, new ServerConnection(sc));
    expect(accepting.requests).toEqual([{ serverName: 'example.test', usage: 'serverAuth' }]);
    expect(refusing.requests).toEqual([]);
    // The same config without the option uses its own verifier, which refuses this chain.
    const refused = new ClientConnection(cc);
    await exchange(refused, new ServerConnection(sc));
    expect(refused.error?.code).toBe('UNKNOWN_CERTIFICATE');
    expect(refusing.requests).toHaveLength(1);
  });

  it('the server connection verifier checks client certificates instead of the config one', async () => {
    const configVerifier = stubVerifier();
    const connectionVerifier = stubVerifier(clientKey);
    const sc = serverConfig({
      provider, now, certificates: [{ chain: serverKey.chain, key: serverKey.pkcs8 }], clientAuth: 'required', clientVerifier: configVerifier,
    });
    const cc = clientConfig({
      provider, now, verifier: stubVerifier(serverKey), serverName: 'example.test', clientCertificate: { chain: clientKey.chain, key: clientKey.pkcs8 },
    });
    const server = new ServerConnection(sc, { clientVerifier: connectionVerifier });
    const ev = await doHandshake(new ClientConnection(cc), server);
    expect(infoOf(ev.server).peerCertificates).toHaveLength(clientKey.chain.length);
    expect(connectionVerifier.requests).toEqual([{ usage: 'clientAuth' }]);
    expect(configVerifier.requests).toEqual([]);
  });

  it('each connection logs its secrets to its own key log', async () => {
    const configLog: string[] = [];
    const clientLog: string[] = [];
    const serverLog: string[] = [];
    const cc = clientConfig({ provider, now, verifier: stubVerifier(serverKey), serverName: 'example.test', keyLog: (l) => configLog.push(l) });
    const sc = serverConfig({ provider, now, certificates: [{ chain: serverKey.chain, key: serverKey.pkcs8 }], keyLog: (l) => configLog.push(l) });
    await doHandshake(new ClientConnection(cc, { keyLog: (l) => clientLog.push(l) }), new ServerConnection(sc, { keyLog: (l) => serverLog.push(l) }));
    const labels = ['CLIENT_HANDSHAKE_TRAFFIC_SECRET', 'CLIENT_TRAFFIC_SECRET_0', 'EXPORTER_SECRET', 'SERVER_HANDSHAKE_TRAFFIC_SECRET', 'SERVER_TRAFFIC_SECRET_0'];
    expect([...clientLog].sort()).toEqual(labels);
    expect([...serverLog].sort()).toEqual(labels);
    expect(configLog).toEqual([]);
  });

  it('refuses options that are not a verifier or a function', () => {
    const cc = clientConfig({ provider, now, verifier: stubVerifier(serverKey) });
    const sc = serverConfig({ provider, now, certificates: [{ chain: serverKey.chain, key: serverKey.pkcs8 }] });
    expect(() => new ClientConnection(cc, { verifier: {} as never })).toThrow(TypeError);
    expect(() => new ClientConnection(cc, { keyLog: 'x' as never })).toThrow(/keyLog/);
    expect(() => new ServerConnection(sc, { clientVerifier: { verify: 1 } as never })).toThrow(/clientVerifier/);
    expect(() => new ServerConnection(sc, { keyLog: 1 as never })).toThrow(/keyLog/);
  });
});

describe('certificateResolver', () => {
  const main: ServerCertificate = { chain: serverKey.chain, key: serverKey.pkcs8 };
  const other: ServerCertificate = { chain: otherKey.chain, key: otherKey.pkcs8 };
  const client = (serverName: string | undefined, o: { keyShareGroups?: ['x25519'] } = {}): ClientConnection =>
    new ClientConnection(clientConfig({ provider, now, verifier: stubVerifier(serverKey, otherKey), ...(serverName === undefined ? {} : { serverName }), ...o }));

  it('chooses the certificate by SNI, asynchronously, waiting in a named state', async () => {
    const asked: (string | null)[] = [];
    const sc = serverConfig({
      provider, now, certificates: [main],
      certificateResolver: async ({ serverName }: CertificateResolverRequest) => {
        asked.push(serverName);
        await new Promise((r) => setTimeout(r, 5));
        return serverName === 'other.test' ? [other] : undefined;
      },
    });
    const c = client('other.test');
    const s = new ServerConnection(sc);
    for (let b = c.pull(); b !== null; b = c.pull()) s.feed(b);
    expect(s.state).toBe('Waiting:CertificateResolver');
    expect(s.pull()).toBeNull();
    const ev = await doHandshake(c, s);
    expect(Buffer.from(infoOf(ev.client).peerCertificates[0] as Uint8Array)).toEqual(Buffer.from(otherKey.chain[0] as Uint8Array));
    // undefined: the config's certificates; no SNI: null.
    const ev2 = await doHandshake(client('example.test'), new ServerConnection(sc));
    expect(Buffer.from(infoOf(ev2.client).peerCertificates[0] as Uint8Array)).toEqual(Buffer.from(serverKey.chain[0] as Uint8Array));
    await doHandshake(client(undefined), new ServerConnection(sc));
    expect(asked).toEqual(['other.test', 'example.test', null]);
  });

  it('may answer synchronously, and is the only source when the config has no certificates', async () => {
    const sc = serverConfig({ provider, now, certificates: [], certificateResolver: () => [other] });
    const ev = await doHandshake(client('x.test'), new ServerConnection(sc));
    expect(infoOf(ev.server).cipherSuite).toBeDefined();
    expect(Buffer.from(infoOf(ev.client).peerCertificates[0] as Uint8Array)).toEqual(Buffer.from(otherKey.chain[0] as Uint8Array));
    const none = serverConfig({ provider, now, certificates: [], certificateResolver: () => undefined });
    const c = client('x.test');
    const s = new ServerConnection(none);
    await exchange(c, s);
    expect(s.error).toMatchObject({ code: 'NO_CERTIFICATE_FOR_NAME', alert: 'unrecognized_name' });
  });

  it('is asked once per connection, also across a HelloRetryRequest', async () => {
    let calls = 0;
    const sc = serverConfig({ provider, now, groups: ['secp256r1'], certificates: [main], certificateResolver: async () => (calls++, [other]) });
    const ev = await doHandshake(client('other.test', { keyShareGroups: ['x25519'] }), new ServerConnection(sc));
    expect(infoOf(ev.client).helloRetry).toBe(true);
    expect(calls).toBe(1);
  });

  it('a resolver that fails fails the connection with an alert', async () => {
    const sc = serverConfig({ provider, now, certificates: [main], certificateResolver: () => Promise.reject(new Error('database down')) });
    const c = client('example.test');
    const s = new ServerConnection(sc);
    await exchange(c, s);
    expect(s.state).toBe('Failed');
    expect(c.error?.remote).toBe(true);
    const bad = serverConfig({ provider, now, certificates: [main], certificateResolver: () => [{ chain: [], key: serverKey.pkcs8 }] });
    const s2 = new ServerConnection(bad);
    await exchange(client('example.test'), s2);
    expect(s2.state).toBe('Failed');
  });

  it('config checks: a resolver must be a function; no certificates needs a resolver', () => {
    expect(() => serverConfig({ provider, now, certificates: [main], certificateResolver: 'x' as never })).toThrow(/certificateResolver/);
    expect(() => serverConfig({ provider, now, certificates: [] })).toThrow(/certificates/);
  });
});
