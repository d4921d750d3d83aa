/**
 * Lazy loading in a browser (issue 9): bundled with code splitting (test/runtimes/run.mjs), this page
 * module makes one in-memory X25519 + ECDSA P-256 + AES-128-GCM handshake with the noble provider of
 * `@puretls/web` and reports which provider families were loaded before and after; the runner checks
 * which chunks the page fetched. Nothing from the outside but the test PKI.
 */
import { loadedFamilies } from '@puretls/crypto/noble-lazy';
import { acceptTls, memoryPipe, selectWebProvider, startTls, webClientConfig, webServerConfig } from '@puretls/web';

export interface LazyCheckPki {
  readonly caPem: string;
  readonly intermediatePem: string;
  readonly ecdsa: { readonly certPem: string; readonly keyPem: string };
}

export interface LazyCheckResult {
  readonly before: string[];
  readonly after: string[];
  readonly cipherSuite: string;
  readonly group: string | null;
  readonly signatureScheme: string | null;
}

export async function lazyHandshake(pki: LazyCheckPki): Promise<LazyCheckResult> {
  const before = loadedFamilies();
  const provider = selectWebProvider('noble');
  const suites = { cipherSuites: ['TLS_AES_128_GCM_SHA256' as const], groups: ['x25519' as const] };
  const server = webServerConfig({ certificates: [{ chain: pki.ecdsa.certPem + pki.intermediatePem, key: pki.ecdsa.keyPem }], provider, ...suites });
  const client = webClientConfig({ trustAnchors: pki.caPem, serverName: 'localhost', provider, ...suites });
  const [a, b] = memoryPipe();
  const s = acceptTls(b, { config: server });
  const c = startTls(a, { config: client });
  const [info] = await Promise.all([c.handshake, s.handshake]);
  await Promise.all([c.close(), s.close()]);
  return { before, after: loadedFamilies(), cipherSuite: info.cipherSuite, group: info.group, signatureScheme: info.signatureScheme };
}
