// Encoding and decoding a TLS structure with @puretls/wire: a length-prefixed vector of named groups,
// as in the supported_groups extension (RFC 8446 §4.2.7), then a truncated copy that fails cleanly.
import { DecodeError, Reader, Writer } from '@puretls/wire';

const groups = [0x001d, 0x0017, 0x001e]; // x25519, secp256r1, x448
const w = new Writer();
w.vector16((body) => groups.forEach((g) => body.u16(g)), 2, 0xfffe);
const bytes = w.finish();
console.log('encoded:', Buffer.from(bytes).toString('hex'));

const r = new Reader(bytes);
const decoded = r.nested(2, 2, 0xfffe, (list) => list.list((item) => item.u16()), 'NamedGroupList');
r.end('supported_groups');
console.log('decoded:', decoded.map((g) => `0x${g.toString(16).padStart(4, '0')}`).join(', '));

try {
  new Reader(bytes.subarray(0, 5)).nested(2, 2, 0xfffe, (list) => list.list((item) => item.u16()));
} catch (e) {
  console.log(`truncated input: ${e instanceof DecodeError ? `${e.code}: ${e.message}` : e}`);
}
