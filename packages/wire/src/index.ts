/** @puretls/wire — bounds-checked codecs for the TLS presentation language (RFC 8446 §3). */
export { DecodeError } from './errors.js';
export { Reader } from './reader.js';
export { Writer } from './writer.js';
export { concatBytes, bytesEqual } from './bytes.js';
