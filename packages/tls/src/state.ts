/** Handshake states and asynchronous steps (a remote signer, a certificate verifier, a provider loading). */
import type { CryptoProvider, ProviderNeeds } from '@puretls/crypto';
import { TlsError } from './errors.js';
import type { RawHandshake } from './messages/handshake.js';

/** A handshake state: named for what it expects, it handles one message and yields the next state. */
export interface State {
  readonly name: string;
  handle(m: RawHandshake): Step;
}

/** An asynchronous step (certificate verification, a remote signer): the continuation runs when it settles. */
export class Wait {
  constructor(
    readonly name: string,
    readonly promise: Promise<() => Step>,
  ) {}
}

export type Step = State | Wait;

/** Runs `then` on the value, synchronously when it is not a promise. */
export function after<T>(name: string, value: T | Promise<T>, then: (v: T) => Step): Step {
  if (value instanceof Promise) return new Wait(name, value.then((v) => () => then(v)));
  return then(value);
}

/**
 * Runs `then` once the provider has what `needs` names (`CryptoProvider.prepare`: a lazy provider
 * imports a curve or cipher on first use); synchronously when nothing has to load.
 */
export function prepared(provider: CryptoProvider, needs: ProviderNeeds, then: () => Step): Step {
  const loading = provider.prepare?.(needs);
  if (loading === undefined || loading === null) return then();
  return waitForProvider(loading, then);
}

/** The `Waiting:Provider` step; a load that fails (a chunk a page cannot fetch) is PROVIDER_LOAD_FAILED. */
export function waitForProvider(loading: Promise<void>, then: () => Step): Wait {
  return new Wait(
    'Provider',
    Promise.resolve(loading).then(
      () => then,
      (e: unknown) => {
        throw new TlsError('PROVIDER_LOAD_FAILED', 'internal_error', `the crypto provider could not load an algorithm: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
      },
    ),
  );
}
