/**
 * The TLS 1.3 key derivation functions of RFC 8446 §7.1 on top of a provider's HKDF:
 * HKDF-Expand-Label and Derive-Secret. The key schedule itself lives in packages/tls.
 */
import type { CryptoProvider, HashName } from './types.js';

const encoder = new TextEncoder();
const LABEL_PREFIX = encoder.encode('tls13 ');

/**
 * struct { uint16 length; opaque label<7..255> = "tls13 " + Label; opaque context<0..255>; } HkdfLabel
 * (RFC 8446 §7.1). DTLS 1.3 uses the prefix "dtls13" (RFC 9147 §5.9), hence `prefix`.
 */
export function encodeHkdfLabel(length: number, label: string | Uint8Array, context: Uint8Array, prefix: Uint8Array = LABEL_PREFIX): Uint8Array {
  const labelBytes = typeof label === 'string' ? encoder.encode(label) : label;
  const fullLength = prefix.length + labelBytes.length;
  if (!Number.isInteger(length) || length < 0 || length > 0xffff) throw new RangeError(`length must fit in uint16, got ${length}`);
  if (fullLength < 7 || fullLength > 255) throw new RangeError(`label must give 7..255 bytes with its prefix, got ${fullLength}`);
  if (context.length > 255) throw new RangeError(`context must be at most 255 bytes, got ${context.length}`);
  const out = new Uint8Array(2 + 1 + fullLength + 1 + context.length);
  out[0] = length >>> 8;
  out[1] = length & 0xff;
  out[2] = fullLength;
  out.set(prefix, 3);
  out.set(labelBytes, 3 + prefix.length);
  out[3 + fullLength] = context.length;
  out.set(context, 4 + fullLength);
  return out;
}

export function hkdfExpandLabel(
  provider: Pick<CryptoProvider, 'hkdfExpand'>,
  hash: HashName,
  secret: Uint8Array,
  label: string | Uint8Array,
  context: Uint8Array,
  length: number,
  prefix?: Uint8Array,
): Uint8Array {
  return provider.hkdfExpand(hash, secret, encodeHkdfLabel(length, label, context, prefix), length);
}

/** Derive-Secret(Secret, Label, Messages), given Transcript-Hash(Messages) already computed. */
export function deriveSecret(
  provider: Pick<CryptoProvider, 'hkdfExpand'>,
  hash: HashName,
  secret: Uint8Array,
  label: string,
  transcriptHash: Uint8Array,
  prefix?: Uint8Array,
): Uint8Array {
  return hkdfExpandLabel(provider, hash, secret, label, transcriptHash, transcriptHash.length, prefix);
}
