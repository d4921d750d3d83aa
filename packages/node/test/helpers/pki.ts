/**
 * The PKI of the interop tests, generated fresh per run with the binding's `generateCertificate`:
 * one CA, a server certificate per key type (CN/SAN localhost + 127.0.0.1), a second named server
 * certificate for SNI, and a client certificate; written to a temporary directory for openssl.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateCertificate, type GeneratedCertificate, type TestKeyType } from '../../src/index.js';

/** The five key types, plus an id-RSASSA-PSS key (rsa_pss_pss_* schemes). */
export const SERVER_KEY_TYPES: readonly TestKeyType[] = ['ec-p256', 'ec-p384', 'ed25519', 'ed448', 'rsa-2048', 'rsa-pss-2048'];

export interface Pki {
  readonly dir: string;
  readonly ca: GeneratedCertificate;
  readonly caFile: string;
  readonly servers: ReadonlyMap<TestKeyType, GeneratedCertificate & { certFile: string; keyFile: string }>;
  /** A certificate for `other.test` only (SNI cells). */
  readonly other: GeneratedCertificate & { certFile: string; keyFile: string };
  readonly client: GeneratedCertificate & { certFile: string; keyFile: string };
  /** Client certificates, one per key type. */
  readonly clients: ReadonlyMap<TestKeyType, GeneratedCertificate & { certFile: string; keyFile: string }>;
  /** A CA the peers do not trust (negative cells). */
  readonly stranger: GeneratedCertificate & { certFile: string; keyFile: string };
  cleanup(): void;
}

export function makePki(): Pki {
  const dir = mkdtempSync(join(tmpdir(), 'puretls-interop-'));
  const save = (name: string, c: GeneratedCertificate): GeneratedCertificate & { certFile: string; keyFile: string } => {
    const certFile = join(dir, `${name}.crt`);
    const keyFile = join(dir, `${name}.key`);
    writeFileSync(certFile, c.cert);
    writeFileSync(keyFile, c.key, { mode: 0o600 });
    return Object.assign({}, c, { certFile, keyFile });
  };
  const ca = generateCertificate({ commonName: 'puretls interop CA', isCA: true, keyType: 'ec-p256' });
  const caFile = join(dir, 'ca.crt');
  writeFileSync(caFile, ca.cert);
  const servers = new Map<TestKeyType, GeneratedCertificate & { certFile: string; keyFile: string }>();
  for (const t of SERVER_KEY_TYPES) {
    servers.set(t, save(`server-${t}`, generateCertificate({ commonName: 'localhost', keyType: t, issuer: ca, altNames: ['localhost', '127.0.0.1'] })));
  }
  const other = save('other', generateCertificate({ commonName: 'other.test', issuer: ca, altNames: ['other.test'] }));
  const client = save('client', generateCertificate({ commonName: 'puretls client', issuer: ca, altNames: ['client.test'] }));
  const clients = new Map<TestKeyType, GeneratedCertificate & { certFile: string; keyFile: string }>();
  for (const t of SERVER_KEY_TYPES) {
    clients.set(t, save(`client-${t}`, generateCertificate({ commonName: `client ${t}`, keyType: t, issuer: ca, altNames: ['client.test'] })));
  }
  const strangerCa = generateCertificate({ commonName: 'stranger CA', isCA: true });
  const stranger = save('stranger', generateCertificate({ commonName: 'localhost', issuer: strangerCa, altNames: ['localhost'] }));
  return { dir, ca, caFile, servers, other, client, clients, stranger, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}
