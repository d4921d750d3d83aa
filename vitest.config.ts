import { defineConfig } from 'vitest/config';

// Workspace packages resolve to their TypeScript sources in tests (the `puretls-source` export
// condition), so `vitest` needs no build step; `tsc -b` still builds and type-checks `dist/`.
const conditions = ['puretls-source', 'module', 'node', 'import', 'default'];

export default defineConfig({
  resolve: { conditions },
  ssr: { resolve: { conditions, externalConditions: ['node'] } },
  test: {
    include: ['packages/*/test/**/*.test.ts', 'test-vectors/test/**/*.test.ts', 'test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
  },
});
