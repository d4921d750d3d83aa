/**
 * X25519 (RFC 7748) and Ed25519 (RFC 8032 §5.1) of the noble provider: the module it imports when a
 * connection first needs either (noble-families.ts), so `@noble/curves/ed25519.js` loads then.
 */
import { ed25519 as nobleEd25519, x25519 as nobleX25519 } from '@noble/curves/ed25519.js';
import { edCurve, edFunctions } from './eddsa.js';
import type { Montgomery } from './kex.js';

export const x25519: Montgomery = nobleX25519;
export const ed25519 = edFunctions(edCurve('Ed25519', nobleEd25519, 32));
