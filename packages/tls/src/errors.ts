/**
 * The one error type of the engine and the single mapping from error to alert. A `TlsError` raised
 * while processing peer data fails the connection for good and its alert is queued for the peer.
 */
import { DecodeError } from '@puretls/wire';
import type { AlertDescriptionName } from './constants.js';

export class TlsError extends Error {
  override readonly name = 'TlsError';
  /** Stable machine-readable reason, e.g. `DUPLICATE_EXTENSION`. */
  readonly code: string;
  /** The alert sent to the peer (or received from it when `code` is `PEER_ALERT`). */
  readonly alert: AlertDescriptionName;
  /** True when the alert came from the peer rather than being sent by us. */
  readonly remote: boolean;

  constructor(code: string, alert: AlertDescriptionName, message: string, options?: { remote?: boolean; cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.alert = alert;
    this.remote = options?.remote ?? false;
  }
}

/** Shorthand used by the codecs and state machines. */
export function fail(code: string, alert: AlertDescriptionName, message: string): never {
  throw new TlsError(code, alert, message);
}

/**
 * The single mapping from any error thrown while handling peer data to a `TlsError` (RFC 8446 §6.2):
 * wire decode failures are `decode_error`, bad peer keys `illegal_parameter`, anything else is a local
 * bug reported as `internal_error`.
 */
export function toTlsError(e: unknown): TlsError {
  if (e instanceof TlsError) return e;
  if (e instanceof DecodeError) return new TlsError('DECODE_ERROR', 'decode_error', e.message, { cause: e });
  // Matched by name and code: any provider may raise it, not only the one this package was built with.
  if (e instanceof Error && e.name === 'CryptoError' && typeof (e as { code?: unknown }).code === 'string') {
    const code = (e as Error & { code: string }).code;
    // A lazy provider's module that failed to load mid-handshake (in sign or verify): as in Waiting:Provider.
    if (code === 'ALGORITHM_LOAD_FAILED') return new TlsError('PROVIDER_LOAD_FAILED', 'internal_error', `the crypto provider could not load an algorithm: ${e.message}`, { cause: e });
    if (code === 'INVALID_PUBLIC_KEY' || code === 'ZERO_SHARED_SECRET') {
      return new TlsError(`KEY_SHARE_${code}`, 'illegal_parameter', `peer key share refused: ${e.message}`, { cause: e });
    }
    return new TlsError(`CRYPTO_${code}`, 'internal_error', e.message, { cause: e });
  }
  const message = e instanceof Error ? e.message : String(e);
  return new TlsError('INTERNAL_ERROR', 'internal_error', `internal error: ${message}`, { cause: e });
}
