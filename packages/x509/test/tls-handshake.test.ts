/**
 * The verifier inside the TLS engine: in-memory TLS 1.3 handshakes (@puretls/tls) whose server
 * chain is good, expired, misnamed, untrusted or has a non-CA intermediate, and client certificate
 * authentication with usage 'clientAuth'. The client fails with our code and sends the alert it maps
 * to; the server sees that alert.
 */
import { afterAll, describe, expect, test } from 'vitest';
import { createNobleProvider } from '@puretls/crypto/noble';
import { ClientConnection, ServerConnection, clientConfig, serverConfig, type TlsEvent } from '@puretls/tls';
import { createCertificateVerifier } from '../src/index.js';
import { EXT, type Issued, Pki } from './fixtures/pki.js';

const provider = createNobleProvider();
const now = (): number => Date.UTC(2026, 5, 1);
const pki = new Pki();
afterAll(() => pki.dispose());
pki.key('root', 'p256');
pki.key('int', 'p256');
pki.key('server', 'p256');
pki.key('client', 'ed25519');
pki.key('other', 'p256');
const root = pki.issue({ id: 'root', subject: '/O=Test/CN=TLS Root', key: 'root', ext: EXT.ca() });
const int = pki.issue({ id: 'int', subject: '/O=Test/CN=TLS Intermediate', key: 'int', issuer: root, ext: EXT.ca() });
const good = pki.issue({ id: 'good', subject: '/O=Test/CN=server', key: 'server', issuer: int, ext: EXT.leaf('DNS:server.test', [], 'serverAuth') });
const expired = pki.issue({ id: 'expired', subject: '/O=Test/CN=expired', key: 'server', issuer: int, end: '20260101000000Z', ext: EXT.leaf('DNS:server.test') });
const nonCa = pki.issue({ id: 'non-ca', subject: '/O=Test/CN=Not a CA', key: 'int', issuer: root, ext: EXT.leaf(null, [], '') });
const underNonCa = pki.issue({ id: 'under-non-ca', subject: '/O=Test/CN=victim', key: 'server', issuer: nonCa, ext: EXT.leaf('DNS:server.test') });
const otherRoot = pki.issue({ id: 'other-root', subject: '/O=Other/CN=Other Root', key: 'other', ext: EXT.ca() });
const otherLeaf = pki.issue({ id: 'other-leaf', subject: '/O=Other/CN=server', key: 'server', issuer: otherRoot, ext: EXT.leaf('DNS:server.test') });
const clientCert = pki.issue({ id: 'client', subject: '/O=Test/CN=client', key: 'client', issuer: int, ext: EXT.leaf(null, [], 'clientAuth') });
const serverOnlyClient = pki.issue({ id: 'client-server-eku', subject: '/O=Test/CN=client2', key: 'client', issuer: int, ext: EXT.leaf(null, [], 'serverAuth') });
const serverKey = pki.keyDer('server');
const clientKey = pki.keyDer('client');
const verifier = createCertificateVerifier({ trustAnchors: [root.der], provider });

type Conn = ClientConnection | ServerConnection;

async function run(client: ClientConnection, server: ServerConnection): Promise<{ client: TlsEvent[]; server: TlsEvent[] }> {
  const ev = { client: [] as TlsEvent[], server: [] as TlsEvent[] };
  const settle = async (...cs: Conn[]): Promise<void> => {
    for (;;) {
      const p = cs.map((c) => c.pending).filter((x): x is Promise<void> => x !== null);
      if (p.length === 0) return;
      await Promise.all(p);
    }
  };
  const move = (from: Conn, to: Conn): number => {
    let n = 0;
    for (let b = from.pull(); b !== null; b = from.pull()) {
      n += b.length;
      to.feed(b);
    }
    return n;
  };
  for (let round = 0; round < 50; round++) {
    await settle(client, server);
    const moved = move(client, server) + move(server, client);
    await settle(client, server);
    for (let e = client.poll(); e !== null; e = client.poll()) ev.client.push(e);
    for (let e = server.poll(); e !== null; e = server.poll()) ev.server.push(e);
    if (moved === 0 && client.pending === null && server.pending === null) return ev;
  }
  throw new Error('handshake did not converge');
}

function pair(chain: readonly Issued[], o: { serverName?: string; clientChain?: readonly Issued[] } = {}): { client: ClientConnection; server: ServerConnection } {
  const server = new ServerConnection(
    serverConfig({
      provider,
      now,
      certificates: [{ chain: chain.map((c) => c.der), key: serverKey }],
      ...(o.clientChain !== undefined ? { clientAuth: 'required' as const, clientVerifier: verifier } : {}),
    }),
  );
  const client = new ClientConnection(
    clientConfig({
      provider,
      now,
      serverName: o.serverName ?? 'server.test',
      verifier,
      ...(o.clientChain !== undefined ? { clientCertificate: { chain: o.clientChain.map((c) => c.der), key: clientKey } } : {}),
    }),
  );
  return { client, server };
}

const completed = (events: TlsEvent[]): boolean => events.some((e) => e.type === 'handshake_complete');

describe('server certificates through the TLS engine', () => {
  test('a good chain completes the handshake', async () => {
    const { client, server } = pair([good, int]);
    const ev = await run(client, server);
    expect(client.error).toBeNull();
    expect(server.error).toBeNull();
    expect(completed(ev.client) && completed(ev.server)).toBe(true);
  });

  test.each([
    ['expired', 'CERT_HAS_EXPIRED', 'certificate_expired', [expired, int], 'server.test'],
    ['misnamed', 'ERR_TLS_CERT_ALTNAME_INVALID', 'bad_certificate', [good, int], 'other.test'],
    ['untrusted', 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY', 'unknown_ca', [otherLeaf], 'server.test'],
    ['non-CA intermediate', 'INVALID_CA', 'certificate_unknown', [underNonCa, nonCa], 'server.test'],
  ] as const)('%s: the client fails with %s and sends %s', async (_label, code, alert, chain, serverName) => {
    const { client, server } = pair(chain, { serverName });
    const ev = await run(client, server);
    expect(completed(ev.client)).toBe(false);
    expect([client.error?.code, client.error?.alert]).toEqual([code, alert]);
    expect(server.error?.alert).toBe(alert);
    expect(server.error?.remote).toBe(true);
  });
});

describe("client certificates with usage 'clientAuth'", () => {
  test('a clientAuth certificate is accepted', async () => {
    const { client, server } = pair([good, int], { clientChain: [clientCert, int] });
    const ev = await run(client, server);
    expect(server.error).toBeNull();
    expect(client.error).toBeNull();
    expect(completed(ev.server)).toBe(true);
  });

  test('a serverAuth-only certificate is refused by the server with INVALID_PURPOSE', async () => {
    const { client, server } = pair([good, int], { clientChain: [serverOnlyClient, int] });
    const ev = await run(client, server);
    expect(completed(ev.server)).toBe(false);
    expect([server.error?.code, server.error?.alert]).toEqual(['INVALID_PURPOSE', 'unsupported_certificate']);
  });
});
