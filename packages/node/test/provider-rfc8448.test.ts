/**
 * RFC 8448 §3–§7 replayed through the tls engine with the node:crypto provider injected (the suite of
 * packages/tls/test/helpers/rfc8448-replay.ts): the trace's randomness, ephemeral keys (X25519 and, for
 * the HelloRetryRequest trace, secp256r1) and recorded signatures go through node:crypto's key
 * exchange, HKDF, AEADs and RSA-PSS/ECDSA verification, and every record our side sends must equal
 * the recorded one, byte for byte, in both roles.
 */
import { expect } from 'vitest';
import { createNodeProvider } from '@puretls/node/provider';
import { describeRfc8448Replay } from '../../tls/test/helpers/rfc8448-replay.js';

describeRfc8448Replay((options) => {
  const p = createNodeProvider(options);
  expect(p.name).toBe('node:crypto');
  return p;
}, ' with the node:crypto provider');
