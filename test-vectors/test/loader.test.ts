import { describe, expect, it } from 'vitest';
import { hex, loadTrace, loadTraceRsaKey, loadWycheproof, toHex, traceValue, vectorsAvailable, vectorsMissingReason } from '@puretls/test-vectors';

describe('test-vector loader', () => {
  it('parses and prints hex strictly', () => {
    expect(toHex(hex('00ff10'))).toBe('00ff10');
    expect(() => hex('abc')).toThrow(TypeError);
    expect(() => hex('zz')).toThrow(TypeError);
  });

  if (!vectorsAvailable) {
    it('shared vectors', (ctx) => ctx.skip(vectorsMissingReason));
    return;
  }

  it('finds values by step and label, and fails loudly on a missing one', () => {
    const t = loadTrace('simple-1rtt');
    expect(t.section).toBe('3');
    // RFC 8448 §3: the early secret, spot-checked in the vectors README.
    expect(toHex(traceValue(t, 'server', 'extract secret "early"', 'secret'))).toBe(
      '33ad0a1c607ec03b09e6cd9893680ce210adf300aa1f2660e1b22e10f170f92a',
    );
    expect(() => traceValue(t, 'client', 'no such step', 'secret')).toThrow(/no client step/);
  });

  it('loads the RFC 8448 RSA key with consistent CRT values', () => {
    const k = loadTraceRsaKey();
    expect(k.p * k.q).toBe(k.n);
    expect(k.d % (k.p - 1n)).toBe(k.dp);
    expect((k.qi * k.q) % k.p).toBe(1n);
  });

  it('loads Wycheproof files with their declared test counts', () => {
    const f = loadWycheproof('x25519_test.json');
    expect(f.testGroups.reduce((n, g) => n + g.tests.length, 0)).toBe(f.numberOfTests);
  });
});
