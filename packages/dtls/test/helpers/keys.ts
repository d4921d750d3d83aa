/** Test keys and a stub verifier (the "certificate" is a stand-in the verifier knows). */
import { generateKeyPairSync } from 'node:crypto';
import { createNobleProvider } from '@puretls/crypto/noble';
import { parseSpki, type CryptoProvider, type PublicKey } from '@puretls/crypto';
import type { CertificateVerifier } from '@puretls/tls';
import { dtlsClientConfig, dtlsServerConfig, type DtlsClientConfigOptions, type DtlsServerConfigOptions } from '../../src/index.js';

export const provider: CryptoProvider = createNobleProvider();

export interface TestKey {
  readonly pkcs8: Uint8Array;
  readonly publicKey: PublicKey;
  readonly chain: Uint8Array[];
}

let cached: TestKey | undefined;

export function testKey(): TestKey {
  if (cached) return cached;
  const kp = generateKeyPairSync('ed25519');
  const pkcs8 = new Uint8Array(kp.privateKey.export({ format: 'der', type: 'pkcs8' }));
  const spki = new Uint8Array(kp.publicKey.export({ format: 'der', type: 'spki' }));
  cached = { pkcs8, publicKey: parseSpki(spki), chain: [Uint8Array.from([0x30, 0x03, 0x02, 0x01, 0x01]), spki] };
  return cached;
}

export function stubVerifier(key: TestKey): CertificateVerifier {
  const check = (req: { chain: readonly Uint8Array[] }) => {
    const ok = req.chain.length === key.chain.length && req.chain.every((c, i) => Buffer.from(c).equals(Buffer.from(key.chain[i] as Uint8Array)));
    return ok ? { ok: true as const, publicKey: key.publicKey } : { ok: false as const, code: 'UNKNOWN', alert: 'bad_certificate' as const, message: 'unknown chain' };
  };
  return { verify: async (req) => check(req) } as CertificateVerifier;
}

export class Clock {
  constructor(public t = 1_700_000_000_000) {}
  readonly now = (): number => this.t;
}

export function configs(clock: Clock, o: { client?: Partial<DtlsClientConfigOptions>; server?: Partial<DtlsServerConfigOptions> } = {}) {
  const key = testKey();
  const client = dtlsClientConfig({ provider, now: clock.now, verifier: stubVerifier(key), serverName: 'example.test', ...o.client });
  const server = dtlsServerConfig({ provider, now: clock.now, certificates: [{ chain: key.chain, key: key.pkcs8 }], cookies: false, ...o.server });
  return { client, server };
}
