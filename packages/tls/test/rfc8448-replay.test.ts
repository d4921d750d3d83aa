/**
 * RFC 8448 §3–§7 replayed through the engine in both roles with the noble provider (the suite is in
 * ./helpers/rfc8448-replay.ts; packages/node runs it again with node:crypto).
 */
import { createNobleProvider } from '@puretls/crypto/noble';
import { describeRfc8448Replay } from './helpers/rfc8448-replay.js';

describeRfc8448Replay(createNobleProvider);
