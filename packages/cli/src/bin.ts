#!/usr/bin/env node
/** The `puretls` executable: `main` over the process's streams. */
import { main } from './index.js';

// A closed stdout (`puretls s_client ... | head -c 5`) is EPIPE: the commands end their connection
// quietly; this listener keeps a late one (the final flush below) from becoming an uncaught exception.
process.stdout.on('error', () => {});

main(process.argv.slice(2), { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr }).then(
  (code) => {
    // Let stdout drain before leaving (a pipe may still hold the peer's last bytes).
    if (process.stdout.destroyed) process.exit(code);
    process.stdout.write('', () => process.exit(code));
  },
  (e: unknown) => {
    process.stderr.write(`puretls: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exit(70);
  },
);
