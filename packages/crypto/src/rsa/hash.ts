/** The hash functions RSA signatures use here (SHA-2 of RFC 8017 §B.1), from @noble/hashes. */
import { sha256, sha384, sha512 } from '@noble/hashes/sha2.js';
import type { HashName } from '../types.js';

export interface RsaHash {
  readonly name: HashName;
  readonly outputLength: number;
  /** Hash of the concatenation of `parts`. */
  digest(...parts: Uint8Array[]): Uint8Array;
}

interface NobleHash {
  (message: Uint8Array): Uint8Array;
  readonly outputLen: number;
  create(): { update(data: Uint8Array): unknown; digest(): Uint8Array };
}

function wrap(name: HashName, fn: NobleHash): RsaHash {
  return Object.freeze({
    name,
    outputLength: fn.outputLen,
    digest(...parts: Uint8Array[]): Uint8Array {
      if (parts.length === 1) return fn(parts[0] as Uint8Array);
      const h = fn.create();
      for (const p of parts) h.update(p);
      return h.digest();
    },
  });
}

const HASHES: Readonly<Record<HashName, RsaHash>> = {
  'SHA-256': wrap('SHA-256', sha256),
  'SHA-384': wrap('SHA-384', sha384),
  'SHA-512': wrap('SHA-512', sha512),
};

/** The hash named `name`; TypeError naming the argument `argument` for anything else. */
export function rsaHash(name: unknown, argument: string): RsaHash {
  if (name === 'SHA-256' || name === 'SHA-384' || name === 'SHA-512') return HASHES[name];
  throw new TypeError(`${argument} must be 'SHA-256', 'SHA-384' or 'SHA-512', got ${String(name)}`);
}
