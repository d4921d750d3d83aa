/** Byte helpers of the engine. */

const encoder = new TextEncoder();

/** UTF-8 encoding of a string (labels, host names, ALPN ids, ticket fields). */
export function utf8(s: string): Uint8Array {
  return encoder.encode(s);
}

/**
 * One character per byte (ALPN ids and host names from the peer). Deliberately not a UTF-8 decoder:
 * it never fails and never maps two different byte strings to the same string, so comparing the
 * result with a configured (ASCII) name is exact.
 */
export function ascii(b: Uint8Array): string {
  let s = '';
  for (const c of b) s += String.fromCharCode(c);
  return s;
}

/**
 * The configured ALPN name of `names` that the peer's protocol name `wire` is, compared as bytes
 * (RFC 7301 §3.1: opaque byte strings; a configured name goes out as its UTF-8), or undefined.
 */
export function alpnMatch(names: readonly string[], wire: Uint8Array): string | undefined {
  const w = ascii(wire);
  return names.find((n) => ascii(utf8(n)) === w);
}

/**
 * A copy of `b` that owns its bytes. `b.slice()` is not one when `b` is a Node Buffer (its `slice`
 * returns a view), so data a caller may reuse would change under us.
 */
export function copyBytes(b: Uint8Array): Uint8Array {
  return new Uint8Array(b);
}
