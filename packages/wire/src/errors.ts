/**
 * `DecodeError`: malformed input in a wire structure. The TLS engine maps it to the `decode_error`
 * alert (RFC 8446 §6.2); its `code` is stable.
 */
export class DecodeError extends Error {
  override readonly name = 'DecodeError';
  readonly code = 'DECODE_ERROR' as const;
}
