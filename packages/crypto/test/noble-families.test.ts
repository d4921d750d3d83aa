/**
 * The lazily imported parts of the noble provider (noble-families.ts): a module is imported once,
 * however many callers wait for it; a failed import names what could not be loaded and is tried
 * again by the next caller (a page that lost its network for a moment).
 */
import { describe, expect, it } from 'vitest';
import { Lazy } from '../src/noble-families.js';

describe('Lazy', () => {
  it('imports once for concurrent callers, then answers synchronously', async () => {
    let imports = 0;
    const lazy = new Lazy('Thing', async () => {
      imports++;
      return { answer: 42 };
    });
    expect(lazy.value).toBeUndefined();
    const [a, b] = await Promise.all([lazy.load(), lazy.load()]);
    expect(a).toBe(b);
    expect(lazy.value).toBe(a);
    expect(imports).toBe(1);
  });

  it('a failed import names the module and is retried by the next load()', async () => {
    let attempt = 0;
    const lazy = new Lazy('X448/Ed448', async () => {
      attempt++;
      if (attempt <= 2) throw new Error('Failed to fetch dynamically imported module');
      return { ok: true };
    });
    await expect(lazy.load()).rejects.toThrow(/^X448\/Ed448 could not be loaded: Failed to fetch/);
    await expect(lazy.load()).rejects.toMatchObject({ name: 'CryptoError', code: 'ALGORITHM_LOAD_FAILED' });
    expect(lazy.value).toBeUndefined();
    await expect(lazy.load()).resolves.toEqual({ ok: true });
    expect(attempt).toBe(3);
  });
});
