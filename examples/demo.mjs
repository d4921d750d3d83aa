// The README's first command (`npm run demo`). For now the demo is the crypto self-check: it runs
// known answers from the RFCs through the default (noble) provider in this runtime and prints them.
// It grows into the HTTPS + redirect demo as the TLS engine and the Node binding land.
import { createNobleProvider } from '@puretls/crypto/noble';
import { runSelfCheck } from '@puretls/crypto/self-check';

const provider = createNobleProvider();
const results = await runSelfCheck(provider, () => performance.now());
const width = Math.max(...results.map((r) => r.name.length));
console.log(`puretls crypto self-check (provider: ${provider.name}, node ${process.versions.node})\n`);
for (const r of results) {
  console.log(`${r.ok ? 'ok  ' : 'FAIL'} ${r.name.padEnd(width)}  ${r.ms.toFixed(1).padStart(7)} ms  ${r.detail}`);
}
const failed = results.filter((r) => !r.ok).length;
console.log(`\n${results.length - failed} of ${results.length} checks passed`);
process.exit(failed === 0 ? 0 : 1);
