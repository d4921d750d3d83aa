// Certificates for the benchmarks, made fresh per run with the binding's generateCertificate: a CA
// and a localhost server certificate per key type, issued by a CA of the same type.
import { generateCertificate } from '@puretls/node';

const cache = new Map();

/** { ca, server } for a key type ('ec-p256', 'ed25519', 'rsa-2048', ...). */
export function makePki(keyType = 'ec-p256') {
  let pki = cache.get(keyType);
  if (pki === undefined) {
    const ca = generateCertificate({ commonName: `bench CA ${keyType}`, isCA: true, keyType });
    const server = generateCertificate({ commonName: 'localhost', keyType, issuer: ca, altNames: ['localhost', '127.0.0.1'] });
    pki = { ca, server };
    cache.set(keyType, pki);
  }
  return pki;
}

/** Runs `fn`, turning a failure into { ok: false, error } (for parts that depend on unfinished code). */
export async function quietly(fn) {
  try {
    return { ok: true, value: await fn() };
  } catch (e) {
    return { ok: false, error: e instanceof Error ? e.message : String(e) };
  }
}
