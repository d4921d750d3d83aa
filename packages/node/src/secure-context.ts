/**
 * `createSecureContext`: key material read once (PEM parsing, key conversion, trust store) and shared
 * by many connections, like node's `tls.createSecureContext`. Used by `Server.addContext` and
 * `SNICallback`, and made implicitly from the `ca` / `cert` / `key` options.
 */
import type { CryptoProvider } from '@puretls/crypto';
import { signerFromPrivateKey, type Signer } from '@puretls/tls';
import type { TrustStore } from '@puretls/x509';
import { certificatesFrom, privateKeyFrom, type PemInput } from './pem.js';
import { trustStoreFrom } from './trust.js';

export interface SecureContextOptions {
  /** Trust anchors (PEM); default: the Mozilla roots Node ships. */
  readonly ca?: PemInput;
  /** Our certificate chain (PEM), leaf first. */
  readonly cert?: PemInput;
  /** Our private key (PEM or DER; PKCS#8, SEC1 or PKCS#1). */
  readonly key?: PemInput;
  readonly passphrase?: string;
}

export class SecureContext {
  #trust: TrustStore | undefined;
  readonly chain: readonly Uint8Array[] | undefined;
  /** PKCS#8 DER. */
  readonly key: Uint8Array | undefined;

  readonly #signers = new WeakMap<CryptoProvider, Signer>();

  constructor(options: SecureContextOptions = {}) {
    if (options === null || typeof options !== 'object') throw new TypeError('options must be an object');
    // A `ca` is parsed now (a bad one is the caller's error, thrown here); the default roots (≈ 140
    // certificates, ≈ 100 ms) only when a peer certificate is first checked — a server that does not
    // ask for client certificates never needs them.
    this.#trust = options.ca === undefined ? undefined : trustStoreFrom(options.ca);
    if ((options.cert === undefined) !== (options.key === undefined)) throw new TypeError('options.cert and options.key go together');
    this.chain = options.cert === undefined ? undefined : Object.freeze(certificatesFrom(options.cert, 'cert'));
    this.key = options.key === undefined ? undefined : privateKeyFrom(options.key, options.passphrase);
  }

  get trust(): TrustStore {
    return (this.#trust ??= trustStoreFrom(undefined));
  }

  /** The key as a signer, parsed once per provider and shared by every connection. */
  signer(provider: CryptoProvider): Signer | undefined {
    if (this.key === undefined) return undefined;
    let s = this.#signers.get(provider);
    if (s === undefined) {
      s = signerFromPrivateKey(provider, this.key);
      this.#signers.set(provider, s);
    }
    return s;
  }
}

export function createSecureContext(options: SecureContextOptions = {}): SecureContext {
  return new SecureContext(options);
}
