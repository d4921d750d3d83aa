/**
 * External pre-shared keys (RFC 8446 §4.2.11, RFC 9846 §4.3.11): a key agreed out of band, named by
 * an identity and bound to one hash. The client offers one; the server finds keys by identity through
 * a callback. PSKs can be imported (RFC 9258) so one external key yields a distinct key per protocol
 * and hash; an imported PSK carries its ImportedIdentity as identity and uses the "imp binder" label.
 *
 * Not done: 0-RTT with external PSKs (the server never accepts early data under one).
 */
import { hkdfExpandLabel, type CryptoProvider } from '@puretls/crypto';
import { Writer } from '@puretls/wire';

export type PskHash = 'SHA-256' | 'SHA-384';

export interface ExternalPsk {
  readonly identity: Uint8Array;
  readonly secret: Uint8Array;
  /** The hash the key is used with (RFC 8446 §4.2.11); default SHA-256 where an option accepts it. */
  readonly hash: PskHash;
  /** Set by `importExternalPsk`: the binder label is "imp binder" (RFC 9258 §5.2). */
  readonly imported?: boolean;
}

/** Server side: the key for an offered identity, or undefined to ignore it. */
export type ExternalPskSelector = (identity: Uint8Array) => ExternalPsk | undefined;

export function checkExternalPsk(p: ExternalPsk, what: string): ExternalPsk {
  if (p === null || typeof p !== 'object') throw new TypeError(`${what} must be an external PSK`);
  if (!(p.identity instanceof Uint8Array) || p.identity.length === 0 || p.identity.length > 0xffff) throw new TypeError(`${what}.identity must be 1..65535 bytes`);
  if (!(p.secret instanceof Uint8Array) || p.secret.length === 0) throw new TypeError(`${what}.secret must be a non-empty Uint8Array`);
  if (p.hash !== 'SHA-256' && p.hash !== 'SHA-384') throw new TypeError(`${what}.hash must be 'SHA-256' or 'SHA-384'`);
  return Object.freeze({ identity: p.identity.slice(), secret: p.secret.slice(), hash: p.hash, imported: p.imported === true });
}

// RFC 9258 §9: target_kdf values.
const TARGET_KDF: Readonly<Record<PskHash, number>> = { 'SHA-256': 0x0001, 'SHA-384': 0x0002 };
const HASH_LEN: Readonly<Record<PskHash, number>> = { 'SHA-256': 32, 'SHA-384': 48 };

export interface PskImportInput {
  /** The external PSK and its identity (EPSK, external_identity). */
  readonly identity: Uint8Array;
  readonly secret: Uint8Array;
  /** Hash of the EPSK itself (default SHA-256, RFC 9258 §5.1). */
  readonly epskHash?: PskHash;
  /** ImportedIdentity.context (default empty). */
  readonly context?: Uint8Array;
  /** The hash of the imported key (target_kdf). */
  readonly targetHash: PskHash;
  /** target_protocol (default 0x0304, TLS 1.3). */
  readonly targetProtocol?: number;
}

/**
 * RFC 9258 §5.1: ImportedIdentity = { external_identity, context, target_protocol, target_kdf },
 * epskx = HKDF-Extract(0, epsk), ipskx = HKDF-Expand-Label(epskx, "derived psk",
 * Hash(ImportedIdentity), L) with L the target hash length.
 */
export function importExternalPsk(provider: CryptoProvider, input: PskImportInput): ExternalPsk {
  if (input === null || typeof input !== 'object') throw new TypeError('input must be an object');
  const epskHash = input.epskHash ?? 'SHA-256';
  const context = input.context ?? new Uint8Array(0);
  const protocol = input.targetProtocol ?? 0x0304;
  if (!(input.identity instanceof Uint8Array) || input.identity.length === 0) throw new TypeError('input.identity must be a non-empty Uint8Array');
  if (!(input.secret instanceof Uint8Array) || input.secret.length === 0) throw new TypeError('input.secret must be a non-empty Uint8Array');
  if (!(context instanceof Uint8Array)) throw new TypeError('input.context must be a Uint8Array');
  if (!(input.targetHash in TARGET_KDF) || !(epskHash in TARGET_KDF)) throw new TypeError("input.targetHash and input.epskHash must be 'SHA-256' or 'SHA-384'");
  if (!Number.isInteger(protocol) || protocol < 0 || protocol > 0xffff) throw new RangeError('input.targetProtocol must be a uint16');
  const identity = new Writer().vec16(input.identity, 1).vec16(context).u16(protocol).u16(TARGET_KDF[input.targetHash]).finish();
  const epskx = provider.hkdfExtract(epskHash, new Uint8Array(HASH_LEN[epskHash]), input.secret);
  const secret = hkdfExpandLabel(provider, epskHash, epskx, 'derived psk', provider.hash(epskHash).digest(identity), HASH_LEN[input.targetHash]);
  return Object.freeze({ identity, secret, hash: input.targetHash, imported: true });
}
