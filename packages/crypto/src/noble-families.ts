/**
 * The parts of the noble provider that are imported on first need rather than with the provider:
 * each curve module of @noble/curves, RSA and ChaCha20-Poly1305. A connection then loads only what
 * it negotiates (X25519 + P-256 + AES-GCM leaves Ed448, X448, RSA and ChaCha20 unloaded). Hashes,
 * HMAC, HKDF and AES stay eager: every TLS 1.3 connection uses them.
 *
 * State is per module instance, like the module cache: once loaded, a family stays loaded for every
 * provider. `@puretls/crypto/noble` loads them all up front (`provide`); `@puretls/crypto/noble-lazy`
 * does not.
 */
import { CryptoError } from './errors.js';
import type * as Curve25519 from './family-25519.js';
import type * as Curve448 from './family-448.js';
import type * as Chacha from './family-chacha.js';
import type * as Nist from './family-nist.js';
import type * as Rsa from './rsa/index.js';

/** A module imported once, on the first `load()`, then used synchronously through `value`. */
export class Lazy<T> {
  /** What the module implements, for the error when it cannot be loaded. */
  readonly name: string;
  readonly #import: () => Promise<T>;
  #value: T | undefined;
  #loading: Promise<T> | undefined;

  constructor(name: string, load: () => Promise<T>) {
    this.name = name;
    this.#import = load;
  }

  /** The module, once loaded. */
  get value(): T | undefined {
    return this.#value;
  }

  load(): Promise<T> {
    if (this.#value !== undefined) return Promise.resolve(this.#value);
    this.#loading ??= this.#import().then(
      (m) => {
        this.#value = m;
        return m;
      },
      (e: unknown) => {
        // A failed import (a network hiccup in a browser) may be retried by a later connection.
        this.#loading = undefined;
        throw new CryptoError('ALGORITHM_LOAD_FAILED', `${this.name} could not be loaded: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
      },
    );
    return this.#loading;
  }

  /** The module, statically imported by an eager entry point. */
  provide(m: T): void {
    this.#value = m;
  }
}

export const families = {
  nist: new Lazy<typeof Nist>('P-256/P-384/P-521', () => import('./family-nist.js')),
  curve25519: new Lazy<typeof Curve25519>('X25519/Ed25519', () => import('./family-25519.js')),
  curve448: new Lazy<typeof Curve448>('X448/Ed448', () => import('./family-448.js')),
  rsa: new Lazy<typeof Rsa>('RSA', () => import('./rsa/index.js')),
  chacha: new Lazy<typeof Chacha>('ChaCha20-Poly1305', () => import('./family-chacha.js')),
} as const;

export type FamilyName = keyof typeof families;

/** The families loaded so far, by name (`families` keys), for diagnostics and tests. */
export function loadedFamilies(): FamilyName[] {
  return (Object.keys(families) as FamilyName[]).filter((k) => families[k].value !== undefined);
}
