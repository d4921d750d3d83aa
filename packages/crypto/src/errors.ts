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
  | 'ALGORITHM_NOT_LOADED';

export class CryptoError extends Error {
  override readonly name = 'CryptoError';
  readonly code: CryptoErrorCode;
  constructor(code: CryptoErrorCode, message: string) {
    super(message);
    this.code = code;
  }
}
