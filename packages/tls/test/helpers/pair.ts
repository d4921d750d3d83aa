/** In-memory client↔server pairs on the eager noble provider (see pair-core.ts). */
import { createNobleProvider } from '@puretls/crypto/noble';
import type { CryptoProvider } from '@puretls/crypto';
import type { ClientConnection, ServerConnection } from '../../src/index.js';
import { makeConfigsWith, makePairWith, type PairOptions } from './pair-core.js';

export * from './pair-core.js';

export const provider: CryptoProvider = createNobleProvider();

export function makeConfigs(o: PairOptions = {}): ReturnType<typeof makeConfigsWith> {
  return makeConfigsWith(provider, o);
}

export function makePair(o: PairOptions = {}): { client: ClientConnection; server: ServerConnection } {
  return makePairWith(provider, o);
}
