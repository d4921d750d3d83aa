/**
 * @puretls/cli — the `puretls` command for people who test TLS stacks: `s_client` and `s_server` with
 * openssl's flag names where the meaning is the same. `main` is the whole command, for tests.
 */
import { UsageError } from './args.js';
import type { Io } from './common.js';
import { describeError } from './report.js';
import { sClient, S_CLIENT_USAGE } from './s-client.js';
import { sServer, S_SERVER_USAGE } from './s-server.js';

export type { Io } from './common.js';
export { sClient, sServer };

const USAGE = `usage: puretls <command> [options]
commands:
  s_client   connect to a TLS server (stdin to the peer, the peer's data to stdout)
  s_server   accept TLS connections
run \`puretls <command> -help\` for its options`;

/** Runs the command line; resolves with the exit status. */
export async function main(argv: readonly string[], io: Io): Promise<number> {
  const [cmd, ...rest] = argv;
  const usage = cmd === 's_client' ? S_CLIENT_USAGE : cmd === 's_server' ? S_SERVER_USAGE : USAGE;
  if (cmd === undefined || cmd === '-help' || cmd === '--help' || rest.includes('-help') || rest.includes('--help')) {
    io.stdout.write(`${usage}\n`);
    return cmd === undefined ? 1 : 0;
  }
  try {
    if (cmd === 's_client') return await sClient(rest, io);
    if (cmd === 's_server') return await sServer(rest, io);
    throw new UsageError(`unknown command ${cmd}`);
  } catch (e) {
    if (e instanceof UsageError) {
      io.stderr.write(`puretls: ${e.message}\n${usage}\n`);
      return 64; // EX_USAGE
    }
    io.stderr.write(`puretls ${cmd}: ${describeError(e)}\n`);
    return 1;
  }
}
