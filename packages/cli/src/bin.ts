#!/usr/bin/env node
/** The `puretls` executable: `main` over the process's streams. */
import { main } from './index.js';

main(process.argv.slice(2), { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr }).then(
  (code) => {
    // Let stdout drain before leaving (a pipe may still hold the peer's last bytes).
    process.stdout.write('', () => process.exit(code));
  },
  (e: unknown) => {
    process.stderr.write(`puretls: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exit(70);
  },
);
