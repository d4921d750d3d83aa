/** The five TLS 1.3 cipher suites (RFC 8446 §B.4) with their hash and AEAD. */
import type { AeadName, HashName } from '@puretls/crypto';

export type CipherSuiteName =
  | 'TLS_AES_128_GCM_SHA256'
  | 'TLS_AES_256_GCM_SHA384'
  | 'TLS_CHACHA20_POLY1305_SHA256'
  | 'TLS_AES_128_CCM_SHA256'
  | 'TLS_AES_128_CCM_8_SHA256';

export interface CipherSuite {
  readonly name: CipherSuiteName;
  readonly code: number;
  readonly hash: HashName;
  readonly hashLength: number;
  readonly aead: AeadName;
  readonly keyLength: number;
  readonly ivLength: number;
  readonly tagLength: number;
  /** Records one key may protect before a KeyUpdate is due (RFC 9846 §5.5; RFC 9147 §4.5.3 for CCM-8). */
  readonly recordLimit: number;
}

export const CipherSuite: { readonly [K in CipherSuiteName]: CipherSuite } = {
  TLS_AES_128_GCM_SHA256: {
    name: 'TLS_AES_128_GCM_SHA256', code: 0x1301, hash: 'SHA-256', hashLength: 32, aead: 'AES-128-GCM',
    keyLength: 16, ivLength: 12, tagLength: 16, recordLimit: 2 ** 24.5,
  },
  TLS_AES_256_GCM_SHA384: {
    name: 'TLS_AES_256_GCM_SHA384', code: 0x1302, hash: 'SHA-384', hashLength: 48, aead: 'AES-256-GCM',
    keyLength: 32, ivLength: 12, tagLength: 16, recordLimit: 2 ** 24.5,
  },
  TLS_CHACHA20_POLY1305_SHA256: {
    name: 'TLS_CHACHA20_POLY1305_SHA256', code: 0x1303, hash: 'SHA-256', hashLength: 32, aead: 'CHACHA20-POLY1305',
    keyLength: 32, ivLength: 12, tagLength: 16, recordLimit: Number.MAX_SAFE_INTEGER,
  },
  TLS_AES_128_CCM_SHA256: {
    name: 'TLS_AES_128_CCM_SHA256', code: 0x1304, hash: 'SHA-256', hashLength: 32, aead: 'AES-128-CCM',
    keyLength: 16, ivLength: 12, tagLength: 16, recordLimit: 2 ** 23.5,
  },
  TLS_AES_128_CCM_8_SHA256: {
    name: 'TLS_AES_128_CCM_8_SHA256', code: 0x1305, hash: 'SHA-256', hashLength: 32, aead: 'AES-128-CCM-8',
    keyLength: 16, ivLength: 12, tagLength: 8, recordLimit: 2 ** 23.5,
  },
};

export const ALL_CIPHER_SUITES: readonly CipherSuiteName[] = [
  'TLS_AES_128_GCM_SHA256',
  'TLS_AES_256_GCM_SHA384',
  'TLS_CHACHA20_POLY1305_SHA256',
  'TLS_AES_128_CCM_SHA256',
  'TLS_AES_128_CCM_8_SHA256',
];

const byCode = new Map<number, CipherSuite>(Object.values(CipherSuite).map((s) => [s.code, s]));

export function cipherSuiteByCode(code: number): CipherSuite | undefined {
  return byCode.get(code);
}
