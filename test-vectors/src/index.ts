/** Test-vector loaders: shared files, Wycheproof, RFC 8448 traces. */
export * from './files.js';
export * from './wycheproof.js';
export * from './rfc8448.js';
