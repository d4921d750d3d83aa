/** Test-vector loaders (shared files, Wycheproof, RFC 8448 traces) and the Wycheproof harnesses run per provider. */
export * from './files.js';
export * from './wycheproof.js';
export * from './rfc8448.js';
export * from './wycheproof-harness/index.js';
