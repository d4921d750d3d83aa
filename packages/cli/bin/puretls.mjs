#!/usr/bin/env node
// The `puretls` command. A committed launcher (not dist/ itself) so that pnpm can link the bin on a
// fresh clone, before `npm run build` has built dist/; it runs the built JavaScript.
import('../dist/bin.js').catch((e) => {
  if (e?.code === 'ERR_MODULE_NOT_FOUND') {
    console.error('puretls: not built yet; run `npm run build` (or `node scripts/bootstrap.mjs`) first');
    process.exit(70);
  }
  throw e;
});
