/**
 * In-memory client↔server pairs (rustls-style `makePair`, `doHandshake`, `transfer`) for any provider.
 * pair.ts binds them to the eager noble provider; this file imports no provider, so a test of the
 * lazy one (lazy-provider.test.ts) starts with nothing loaded.
 */
import { generateKeyPairSync, type KeyPairKeyObjectResult } from 'node:crypto';
import { parseSpki, type CryptoProvider, type PublicKey, type SignatureSchemeName } from '@puretls/crypto';
import {
  ClientConnection, ServerConnection, clientConfig, serverConfig, type ClientConfigOptions, type ClientConnectionOptions,
  type ServerConfigOptions, type TlsEvent, type CertificateVerifier,
} from '../../src/index.js';

export let clock = 1_700_000_000_000;
export const now = (): number => clock;
export function advanceClock(ms: number): void {
  clock += ms;
}

export interface TestKey {
  readonly pkcs8: Uint8Array;
  readonly spki: Uint8Array;
  readonly publicKey: PublicKey;
  /** A stand-in "certificate": the stub verifier accepts it and returns `publicKey`. */
  readonly chain: Uint8Array[];
}

const keyCache = new Map<string, TestKey>();

export type TestKeyKind = 'P-256' | 'P-384' | 'P-521' | 'ed25519' | 'ed448' | 'rsa' | 'rsa-pss' | 'rsa-pss-sha384';

export function testKey(kind: TestKeyKind): TestKey {
  const hit = keyCache.get(kind);
  if (hit) return hit;
  const kp: KeyPairKeyObjectResult =
    kind === 'ed25519'
      ? generateKeyPairSync('ed25519')
      : kind === 'ed448'
        ? generateKeyPairSync('ed448')
        : kind === 'rsa'
          ? generateKeyPairSync('rsa', { modulusLength: 2048 })
          : kind === 'rsa-pss'
            ? generateKeyPairSync('rsa-pss', { modulusLength: 2048 })
            : kind === 'rsa-pss-sha384'
              ? generateKeyPairSync('rsa-pss', { modulusLength: 2048, hashAlgorithm: 'sha384', mgf1HashAlgorithm: 'sha384', saltLength: 48 as unknown as string }) // @types/node types saltLength as string; node wants a number
              : generateKeyPairSync('ec', { namedCurve: kind as string });
  const pkcs8 = new Uint8Array(kp.privateKey.export({ format: 'der', type: 'pkcs8' }));
  const spki = new Uint8Array(kp.publicKey.export({ format: 'der', type: 'spki' }));
  const k = { pkcs8, spki, publicKey: parseSpki(spki), chain: [Uint8Array.from([0x30, 0x03, 0x02, 0x01, keyCache.size + 1]), spki] };
  keyCache.set(kind, k);
  return k;
}

export const keyForScheme = (s: SignatureSchemeName): TestKey =>
  testKey(
    s.startsWith('ecdsa_secp256') ? 'P-256' : s.startsWith('ecdsa_secp384') ? 'P-384' : s.startsWith('ecdsa_secp521') ? 'P-521' : s === 'ed25519' ? 'ed25519' : s === 'ed448' ? 'ed448' : s.startsWith('rsa_pss_pss') ? 'rsa-pss' : 'rsa',
  );

/** Accepts exactly the test chains it knows and returns their key. */
export function stubVerifier(...keys: TestKey[]): CertificateVerifier & { requests: { serverName?: string; usage: string }[] } {
  const v = {
    requests: [] as { serverName?: string; usage: string }[],
    async verify(req: { chain: readonly Uint8Array[]; serverName?: string; usage: 'serverAuth' | 'clientAuth' }) {
      v.requests.push({ ...(req.serverName === undefined ? {} : { serverName: req.serverName }), usage: req.usage });
      const k = keys.find((x) => x.chain.length === req.chain.length && x.chain.every((c, i) => Buffer.from(c).equals(Buffer.from(req.chain[i] as Uint8Array))));
      if (k === undefined) return { ok: false as const, code: 'UNKNOWN_CERTIFICATE', alert: 'bad_certificate' as const, message: 'unknown test chain' };
      return { ok: true as const, publicKey: k.publicKey };
    },
  };
  return v;
}

export interface PairOptions {
  client?: Partial<ClientConfigOptions>;
  server?: Partial<ServerConfigOptions>;
  connection?: ClientConnectionOptions;
  serverKey?: TestKey;
}

export function makeConfigsWith(provider: CryptoProvider, o: PairOptions = {}) {
  const key = o.serverKey ?? testKey('ed25519');
  const client = clientConfig({ provider, now, verifier: stubVerifier(key), serverName: 'example.test', ...o.client });
  const server = serverConfig({ provider, now, certificates: [{ chain: key.chain, key: key.pkcs8 }], ...o.server });
  return { client, server };
}

export function makePairWith(provider: CryptoProvider, o: PairOptions = {}): { client: ClientConnection; server: ServerConnection } {
  const { client, server } = makeConfigsWith(provider, o);
  return { client: new ClientConnection(client, o.connection), server: new ServerConnection(server) };
}

export type Conn = ClientConnection | ServerConnection;

/** Moves everything `from` has to send into `to`; optionally one byte per feed. Returns bytes moved. */
export function transfer(from: Conn, to: Conn, opts: { oneByte?: boolean; alter?: (b: Uint8Array) => Uint8Array } = {}): number {
  let n = 0;
  for (let b = from.pull(); b !== null; b = from.pull()) {
    const bytes = opts.alter ? opts.alter(b) : b;
    n += bytes.length;
    if (opts.oneByte) for (let i = 0; i < bytes.length; i++) to.feed(bytes.subarray(i, i + 1));
    else to.feed(bytes);
  }
  return n;
}

export async function settle(...cs: Conn[]): Promise<void> {
  for (;;) {
    const p = cs.map((c) => c.pending).filter((x): x is Promise<void> => x !== null);
    if (p.length === 0) return;
    await Promise.all(p);
  }
}

/** Runs both sides until neither has anything to say; returns the events seen by each. */
export async function exchange(client: Conn, server: Conn, opts: { oneByte?: boolean } = {}): Promise<{ client: TlsEvent[]; server: TlsEvent[] }> {
  const ev = { client: [] as TlsEvent[], server: [] as TlsEvent[] };
  for (let round = 0; round < 100; round++) {
    await settle(client, server);
    const moved = transfer(client, server, opts) + transfer(server, client, opts);
    await settle(client, server);
    for (let e = client.poll(); e !== null; e = client.poll()) ev.client.push(e);
    for (let e = server.poll(); e !== null; e = server.poll()) ev.server.push(e);
    if (moved === 0 && client.pending === null && server.pending === null) return ev;
  }
  throw new Error('exchange did not converge');
}

export async function doHandshake(client: Conn, server: Conn, opts: { oneByte?: boolean } = {}): Promise<{ client: TlsEvent[]; server: TlsEvent[] }> {
  const ev = await exchange(client, server, opts);
  if (client.error) throw client.error;
  if (server.error) throw server.error;
  if (!ev.client.some((e) => e.type === 'handshake_complete')) throw new Error(`client did not complete: ${client.state}`);
  if (!ev.server.some((e) => e.type === 'handshake_complete')) throw new Error(`server did not complete: ${server.state}`);
  return ev;
}

export function infoOf(events: TlsEvent[]) {
  const e = events.find((x) => x.type === 'handshake_complete');
  if (e === undefined || e.type !== 'handshake_complete') throw new Error('no handshake_complete');
  return e.info;
}

export function dataOf(events: TlsEvent[], type: 'application_data' | 'early_data' = 'application_data'): Uint8Array {
  const parts = events.filter((e) => e.type === type).map((e) => (e as { data: Uint8Array }).data);
  return Uint8Array.from(Buffer.concat(parts));
}
