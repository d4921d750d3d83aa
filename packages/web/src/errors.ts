/**
 * Failures of the Web Streams binding itself, as opposed to the protocol failures the engine reports
 * (`TlsError` of @puretls/tls, with the alert sent or received). Each has a stable `code`.
 */

/**
 * - `TRANSPORT_ERROR`: reading or writing the transport failed; the transport's error is the `cause`.
 * - `CLOSED`: `close()` was called (or `writable` aborted): later writes, and a handshake still under way, fail with it.
 * - `UNEXPECTED_EOF`: the transport ended without the peer's close_notify (see `TransportClosedError`).
 */
export type TlsStreamErrorCode = 'TRANSPORT_ERROR' | 'CLOSED' | 'UNEXPECTED_EOF';

export class TlsStreamError extends Error {
  override readonly name: string = 'TlsStreamError';
  readonly code: TlsStreamErrorCode;

  constructor(code: TlsStreamErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
  }
}

/** Raised when the transport ends without the peer's close_notify (a possible truncation attack). */
export class TransportClosedError extends TlsStreamError {
  override readonly name: string = 'TransportClosedError';
  override readonly code = 'UNEXPECTED_EOF' as const;

  constructor(message = 'the transport closed without close_notify', options?: { cause?: unknown }) {
    super('UNEXPECTED_EOF', message, options);
  }
}

/** A transport failure as a typed error; the reason may be anything, `undefined` included. */
export function transportError(action: 'reading' | 'writing', cause: unknown): TlsStreamError {
  let detail: string;
  try {
    detail = cause instanceof Error ? cause.message : cause === undefined ? 'no reason given' : String(cause);
  } catch {
    detail = 'an error that cannot be shown'; // a reason whose toString throws
  }
  return new TlsStreamError('TRANSPORT_ERROR', `${action} the transport failed: ${detail}`, { cause });
}
