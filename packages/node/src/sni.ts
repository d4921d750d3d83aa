/**
 * The SNI of a ClientHello read before any TLS state exists (RFC 8446 §4.1.2, RFC 6066 §3), for
 * code that routes raw connections by name (a TLS-passthrough proxy). The binding's own `SNICallback`
 * no longer needs it: the engine's certificate resolver is asked with the parsed hello. Only the
 * server_name extension is read.
 */

/**
 * The SNI host name of a ClientHello at the start of `b` (RFC 8446 §4.1.2, RFC 6066 §3): a string,
 * null when the hello has none (or is not one we can read: the engine then refuses it), undefined
 * when more bytes are needed.
 */
export function peekServerName(b: Uint8Array): string | null | undefined {
  // The ClientHello may span records: join the record fragments first.
  const parts: Uint8Array[] = [];
  let at = 0;
  let have = 0;
  let need = -1;
  while (need < 0 || have < need) {
    if (b.length < at + 5) return undefined;
    if (b[at] !== 22) return null;
    const len = ((b[at + 3] as number) << 8) | (b[at + 4] as number);
    if (b.length < at + 5 + len) return undefined;
    const frag = b.subarray(at + 5, at + 5 + len);
    parts.push(frag);
    have += frag.length;
    at += 5 + len;
    if (need < 0) {
      const first = parts[0] as Uint8Array;
      if (first.length < 4 || first[0] !== 1) return null;
      need = 4 + (((first[1] as number) << 16) | ((first[2] as number) << 8) | (first[3] as number));
      if (need > 1 << 16) return null;
    }
    if (len === 0) return null;
  }
  const hello = Buffer.concat(parts).subarray(0, need);
  try {
    let p = 4 + 2 + 32;
    p += 1 + (hello[p] as number); // legacy_session_id
    p += 2 + hello.readUInt16BE(p); // cipher_suites
    p += 1 + (hello[p] as number); // legacy_compression_methods
    const end = p + 2 + hello.readUInt16BE(p);
    p += 2;
    while (p + 4 <= end) {
      const type = hello.readUInt16BE(p);
      const len = hello.readUInt16BE(p + 2);
      p += 4;
      if (type === 0) {
        // server_name_list: u16 length, then name_type(0) u16 length host_name
        let q = p + 2;
        while (q + 3 <= p + len) {
          const nameType = hello[q] as number;
          const nameLen = hello.readUInt16BE(q + 1);
          if (nameType === 0) return hello.subarray(q + 3, q + 3 + nameLen).toString('ascii');
          q += 3 + nameLen;
        }
        return null;
      }
      p += len;
    }
    return null;
  } catch {
    return null;
  }
}
