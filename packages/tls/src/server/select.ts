/** Server-side negotiation choices (RFC 8446 §4.1.1): suite, group, certificate, ALPN. */
import { SignatureScheme, type HashName, type NamedGroupName, type SignatureSchemeName } from '@puretls/crypto';
import type { ResolvedServerCertificate, ServerConfig } from '../config.js';
import { fail } from '../errors.js';
import { groupCode } from '../groups.js';
import type { KeyShareEntry } from '../messages/extensions.js';
import { CipherSuite, type CipherSuite as Suite } from '../suites.js';

/** Our most preferred suite the client offers; with `pskHash`, preferably one of that hash (so the PSK is usable). */
export function selectSuite(config: ServerConfig, offered: readonly number[], pskHash?: HashName): Suite {
  if (pskHash !== undefined) {
    for (const name of config.cipherSuites) {
      const s = CipherSuite[name];
      if (s.hash === pskHash && offered.includes(s.code)) return s;
    }
  }
  for (const name of config.cipherSuites) {
    const s = CipherSuite[name];
    if (offered.includes(s.code)) return s;
  }
  fail('NO_COMMON_CIPHER_SUITE', 'handshake_failure', 'no cipher suite in common with the client');
}

export type GroupChoice =
  | { readonly kind: 'share'; readonly group: NamedGroupName; readonly share: KeyShareEntry }
  | { readonly kind: 'retry'; readonly group: NamedGroupName };

/** Our most preferred group the client has a share for, else our most preferred it supports (HRR). */
export function selectGroup(config: ServerConfig, supported: readonly number[], shares: readonly KeyShareEntry[]): GroupChoice {
  for (const g of config.groups) {
    const share = shares.find((e) => e.group === groupCode(g));
    if (share !== undefined) return { kind: 'share', group: g, share };
  }
  for (const g of config.groups) if (supported.includes(groupCode(g))) return { kind: 'retry', group: g };
  fail('NO_COMMON_GROUP', 'handshake_failure', 'no key exchange group in common with the client');
}

/**
 * A certificate for the server name whose key can sign with a scheme the client offered. Among those,
 * one whose chain is signed only with schemes the client accepts for certificates
 * (signature_algorithms_cert, else signature_algorithms) is preferred; failing that, RFC 8446 §4.4.2.2
 * says to send a chain of our choice.
 */
export function selectCertificate(
  config: ServerConfig,
  certificates: readonly ResolvedServerCertificate[],
  serverName: string | null,
  clientSchemes: readonly number[],
  clientCertSchemes: readonly number[] | undefined,
): { cert: ResolvedServerCertificate; scheme: SignatureSchemeName } {
  const byName = certificates.filter((c) => c.serverNames.length === 0 || (serverName !== null && c.serverNames.includes(serverName)));
  // Prefer a certificate named for this host over a catch-all one.
  byName.sort((a, b) => (b.serverNames.length > 0 ? 1 : 0) - (a.serverNames.length > 0 ? 1 : 0));
  const forCerts = clientCertSchemes ?? clientSchemes;
  const chainFits = (c: ResolvedServerCertificate): boolean => c.chainSchemes.every((s) => forCerts.includes(SignatureScheme[s]));
  for (const pass of [true, false]) {
    for (const cert of byName) {
      if (pass && !chainFits(cert)) continue;
      for (const scheme of cert.signer.schemes) {
        if (config.signatureSchemes.includes(scheme) && clientSchemes.includes(SignatureScheme[scheme])) return { cert, scheme };
      }
    }
  }
  if (byName.length === 0) fail('NO_CERTIFICATE_FOR_NAME', 'unrecognized_name', `no certificate for server name ${serverName ?? '(none)'}`);
  fail('NO_SIGNATURE_SCHEME_IN_COMMON', 'handshake_failure', 'no certificate can sign with a scheme the client offered');
}
