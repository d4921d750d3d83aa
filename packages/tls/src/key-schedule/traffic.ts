/** Traffic keys from a traffic secret (RFC 8446 §7.3). */
import { hkdfExpandLabel } from '@puretls/crypto';
import type { CipherSuite } from '../suites.js';
import type { KeyScheduleContext } from './secrets.js';

export interface TrafficKeys {
  readonly key: Uint8Array;
  readonly iv: Uint8Array;
}

export function trafficKeys(ctx: KeyScheduleContext, suite: CipherSuite, secret: Uint8Array): TrafficKeys {
  const empty = new Uint8Array(0);
  return {
    key: hkdfExpandLabel(ctx.provider, ctx.hash, secret, 'key', empty, suite.keyLength, ctx.labelPrefix),
    iv: hkdfExpandLabel(ctx.provider, ctx.hash, secret, 'iv', empty, suite.ivLength, ctx.labelPrefix),
  };
}
