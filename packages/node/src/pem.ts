/**
 * Turning node:tls-style key material (`ca`, `cert`, `key`: PEM strings or Buffers, or arrays of them)
 * into what the engine takes: DER certificate chains and PKCS#8 private keys. Keys in any format
 * node:crypto reads (PKCS#8, SEC1 "EC PRIVATE KEY", PKCS#1 "RSA PRIVATE KEY", encrypted with a
 * passphrase) are converted to PKCS#8 by node:crypto.
 */
import { createPrivateKey } from 'node:crypto';
import { decodePemCertificates } from '@puretls/x509';

/** A node:tls key-material value: PEM text, PEM or DER bytes, or a list of them. */
export type PemInput = string | Uint8Array | readonly (string | Uint8Array)[];

function list(v: PemInput): (string | Uint8Array)[] {
  return Array.isArray(v) ? [...(v as readonly (string | Uint8Array)[])] : [v as string | Uint8Array];
}

function looksLikePem(b: Uint8Array): boolean {
  // "-----BEGIN" anywhere in the first bytes; DER starts with a SEQUENCE tag (0x30).
  return b.length > 0 && b[0] !== 0x30;
}

/** Every certificate in `v`, in order, as DER. `name` is the option name for errors. */
export function certificatesFrom(v: PemInput, name: string): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (const item of list(v)) {
    if (typeof item === 'string') out.push(...decodePemCertificates(item));
    else if (item instanceof Uint8Array) {
      if (looksLikePem(item)) out.push(...decodePemCertificates(new TextDecoder().decode(item)));
      else out.push(new Uint8Array(item));
    } else throw new TypeError(`options.${name} must be PEM text, a Buffer or an array of them`);
  }
  if (out.length === 0) throw new TypeError(`options.${name} holds no certificate`);
  return out;
}

/** A private key (first of a list) as PKCS#8 DER. */
export function privateKeyFrom(v: PemInput, passphrase: string | undefined, name = 'key'): Uint8Array {
  const first = list(v)[0];
  if (first === undefined) throw new TypeError(`options.${name} holds no key`);
  if (typeof first !== 'string' && !(first instanceof Uint8Array)) throw new TypeError(`options.${name} must be PEM text or a Buffer`);
  const isDer = first instanceof Uint8Array && !looksLikePem(first);
  const key = isDer
    ? createPrivateKey({ key: Buffer.from(first), format: 'der', type: 'pkcs8' })
    : createPrivateKey({ key: typeof first === 'string' ? first : Buffer.from(first), format: 'pem', ...(passphrase === undefined ? {} : { passphrase }) });
  return new Uint8Array(key.export({ format: 'der', type: 'pkcs8' }));
}
