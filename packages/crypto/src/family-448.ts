/**
 * X448 (RFC 7748) and Ed448 (RFC 8032 §5.2) of the noble provider: the module it imports when a
 * connection first needs either (noble-families.ts), so `@noble/curves/ed448.js` loads then.
 */
import { ed448 as nobleEd448, x448 as nobleX448 } from '@noble/curves/ed448.js';
import { edCurve, edFunctions } from './eddsa.js';
import type { Montgomery } from './kex.js';

export const x448: Montgomery = nobleX448;
export const ed448 = edFunctions(edCurve('Ed448', nobleEd448, 57));
