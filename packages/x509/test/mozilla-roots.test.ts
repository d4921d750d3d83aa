import { rootCertificates } from 'node:tls';
import { describe, expect, it } from 'vitest';
import { MOZILLA_ROOTS_BASE64, MOZILLA_ROOTS_SOURCE, mozillaRoots } from '@puretls/x509/mozilla-roots';

const nodeRoots = new Set(rootCertificates.map((pem) => pem.replace(/-----(BEGIN|END) CERTIFICATE-----|\s+/g, '')));

describe('the generated Mozilla root module', () => {
  it('parses every root into the trust store', () => {
    const store = mozillaRoots();
    expect(store.size).toBe(MOZILLA_ROOTS_BASE64.length);
    expect(store.size).toBeGreaterThan(100);
    expect(mozillaRoots()).toBe(store); // parsed once
  });

  it(`holds exactly the roots of ${MOZILLA_ROOTS_SOURCE} (regenerate with scripts/generate-mozilla-roots.mjs)`, () => {
    if (MOZILLA_ROOTS_SOURCE === `node ${process.versions.node}`) {
      expect(new Set(MOZILLA_ROOTS_BASE64)).toEqual(nodeRoots);
    } else {
      // Another Node ships another snapshot of the same program: most roots are shared.
      const shared = MOZILLA_ROOTS_BASE64.filter((r) => nodeRoots.has(r)).length;
      expect(shared / nodeRoots.size).toBeGreaterThan(0.8);
    }
  });
});
