/** Errors for bad *data* (peer keys, encodings). Bad *arguments* throw TypeError/RangeError instead. */

export type CryptoErrorCode =
  | 'INVALID_PUBLIC_KEY'
  | 'INVALID_PRIVATE_KEY'
  | 'ZERO_SHARED_SECRET'
  | 'INVALID_KEY_ENCODING'
  | 'UNSUPPORTED_ALGORITHM'
  | 'KEY_ALGORITHM_MISMATCH'
  | 'MESSAGE_TOO_LONG'
  /** A lazy provider was asked synchronously for an algorithm it has not loaded (see `prepare`). */
  | 'ALGORITHM_NOT_LOADED'
  /** A lazy provider's module for an algorithm could not be imported (a chunk a page failed to fetch). */
  | 'ALGORITHM_LOAD_FAILED';

export class CryptoError extends Error {
  override readonly name = 'CryptoError';
  readonly code: CryptoErrorCode;
  constructor(code: CryptoErrorCode, message: string, options?: ErrorOptions) {
    super(message, options);
    this.code = code;
  }
}

/**
 * Whether `e` says an algorithm's module could not be loaded (ALGORITHM_LOAD_FAILED): then nothing was
 * verified, which is no verdict on a signature (a peer must not be told its signature is bad). Matched
 * by name and code, as any provider may raise it.
 */
export function isLoadFailure(e: unknown): boolean {
  return e instanceof Error && e.name === 'CryptoError' && (e as { code?: unknown }).code === 'ALGORITHM_LOAD_FAILED';
}
