/** Splits outgoing content into record-sized fragments (RFC 8446 §5.1; RFC 8449 record_size_limit). */

/** The fragments of `data`, each at most `max` bytes; `data` of length 0 gives one empty fragment. */
export function fragment(data: Uint8Array, max: number): Uint8Array[] {
  if (!Number.isInteger(max) || max < 1) throw new RangeError(`max must be a positive integer, got ${max}`);
  if (data.length <= max) return [data];
  const out: Uint8Array[] = [];
  for (let at = 0; at < data.length; at += max) out.push(data.subarray(at, Math.min(data.length, at + max)));
  return out;
}

/** Decides how many zero bytes pad a protected record (RFC 8446 §5.4); 0 by default. */
export type PaddingPolicy = (contentType: number, contentLength: number) => number;
