import { describe, expect, it } from 'vitest';
import type { CryptoProvider } from '@puretls/crypto';
import { createNobleProvider } from '@puretls/crypto/noble';
import { runSelfCheck } from '@puretls/crypto/self-check';

describe('runSelfCheck', () => {
  it('passes every check on the noble provider', async () => {
    const results = await runSelfCheck(createNobleProvider());
    expect(results.length).toBeGreaterThanOrEqual(17);
    expect(results.filter((r) => !r.ok)).toEqual([]);
  });

  it('reports a broken primitive as a failed check instead of throwing', async () => {
    const good = createNobleProvider();
    const broken: CryptoProvider = {
      ...good,
      hkdfExpand: (hash, prk, info, length) => {
        const out = good.hkdfExpand(hash, prk, info, length);
        out[0] = (out[0] as number) ^ 1;
        return out;
      },
    };
    const results = await runSelfCheck(broken);
    const hkdf = results.find((r) => r.name.startsWith('HKDF'));
    expect(hkdf?.ok).toBe(false);
    expect(hkdf?.detail).toMatch(/differs from the known answer/);
    expect(results.filter((r) => !r.ok)).toHaveLength(1);
  });
});
