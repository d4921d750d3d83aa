/**
 * Option values by name, accepting both ours (the engine's RFC names) and OpenSSL's spellings, so
 * that `groups: 'X25519:P-256'` or `cipherSuites: 'TLS_AES_128_CCM_SHA256'` read as in openssl/node.
 */
import type { NamedGroupName, SignatureSchemeName } from '@puretls/crypto';
import { ALL_CIPHER_SUITES, DEFAULT_GROUPS, DEFAULT_SIGNATURE_SCHEMES, type CipherSuiteName } from '@puretls/tls';

const GROUP_ALIASES: ReadonlyMap<string, NamedGroupName> = new Map([
  ['x25519', 'x25519'], ['x448', 'x448'],
  ['p-256', 'secp256r1'], ['secp256r1', 'secp256r1'], ['prime256v1', 'secp256r1'],
  ['p-384', 'secp384r1'], ['secp384r1', 'secp384r1'],
  ['p-521', 'secp521r1'], ['secp521r1', 'secp521r1'],
]);

/** OpenSSL's short name for a group, as `-brief` prints it. */
export const OPENSSL_GROUP_NAME: { readonly [K in NamedGroupName]: string } = {
  x25519: 'X25519', x448: 'X448', secp256r1: 'P-256', secp384r1: 'P-384', secp521r1: 'P-521',
} as { readonly [K in NamedGroupName]: string };

function split(v: string | readonly string[]): string[] {
  return (typeof v === 'string' ? v.split(/[:,]/) : [...v]).map((s) => s.trim()).filter((s) => s.length > 0);
}

export function groupsFrom(v: string | readonly string[], name = 'groups'): NamedGroupName[] {
  return split(v).map((g) => {
    const n = GROUP_ALIASES.get(g.toLowerCase());
    if (n === undefined || !DEFAULT_GROUPS.includes(n)) throw new TypeError(`options.${name}: unknown group ${g}`);
    return n;
  });
}

export function cipherSuitesFrom(v: string | readonly string[], name = 'cipherSuites'): CipherSuiteName[] {
  return split(v).map((s) => {
    const n = ALL_CIPHER_SUITES.find((x) => x === s.toUpperCase());
    if (n === undefined) throw new TypeError(`options.${name}: unknown TLS 1.3 cipher suite ${s}`);
    return n;
  });
}

const SCHEME_ALIASES: ReadonlyMap<string, SignatureSchemeName> = new Map([
  ['ecdsa+sha256', 'ecdsa_secp256r1_sha256'], ['ecdsa+sha384', 'ecdsa_secp384r1_sha384'], ['ecdsa+sha512', 'ecdsa_secp521r1_sha512'],
  ['rsa-pss+sha256', 'rsa_pss_rsae_sha256'], ['rsa-pss+sha384', 'rsa_pss_rsae_sha384'], ['rsa-pss+sha512', 'rsa_pss_rsae_sha512'],
]);

export function signatureSchemesFrom(v: string | readonly string[], name = 'signatureSchemes'): SignatureSchemeName[] {
  return split(v).map((s) => {
    const lower = s.toLowerCase();
    const n = SCHEME_ALIASES.get(lower) ?? DEFAULT_SIGNATURE_SCHEMES.find((x) => x === lower);
    if (n === undefined) throw new TypeError(`options.${name}: unknown signature scheme ${s}`);
    return n;
  });
}

/** node:tls accepts ALPN as strings or Buffers (each one protocol name). */
export function alpnFrom(v: readonly (string | Uint8Array)[] | undefined): string[] {
  if (v === undefined) return [];
  if (!Array.isArray(v)) throw new TypeError('options.ALPNProtocols must be an array of strings or Buffers');
  return v.map((p) => (typeof p === 'string' ? p : new TextDecoder().decode(p)));
}
