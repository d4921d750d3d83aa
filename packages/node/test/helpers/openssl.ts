/**
 * Real `openssl s_server` / `s_client` processes on 127.0.0.1 for the interop tests: ports chosen
 * free, readiness awaited from openssl's own output, every process killed at the end (`killAll`).
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createServer } from 'node:net';

const live = new Set<ChildProcessWithoutNullStreams>();

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const addr = s.address();
      s.close(() => (addr !== null && typeof addr === 'object' ? resolve(addr.port) : reject(new Error('no port'))));
    });
  });
}

export interface OpensslProcess {
  readonly proc: ChildProcessWithoutNullStreams;
  stdout(): string;
  stderr(): string;
  /** Resolves with the exit code (null when killed by a signal). */
  readonly exited: Promise<number | null>;
  /** Resolves when stdout+stderr match `re` (rejects on exit first or after `ms`). */
  waitFor(re: RegExp, ms?: number): Promise<string>;
  kill(): void;
}

export function openssl(args: readonly string[], env: NodeJS.ProcessEnv = {}): OpensslProcess {
  const proc = spawn('openssl', args, { stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, ...env } });
  live.add(proc);
  let out = '';
  let err = '';
  const waiters: (() => void)[] = [];
  const poke = (): void => {
    for (const w of waiters.splice(0)) w();
  };
  proc.stdout.on('data', (d: Buffer) => {
    out += d.toString('latin1');
    poke();
  });
  proc.stderr.on('data', (d: Buffer) => {
    err += d.toString('latin1');
    poke();
  });
  proc.stdin.on('error', () => {});
  let done = false;
  const exited = new Promise<number | null>((resolve) => {
    proc.on('close', (code) => {
      done = true;
      live.delete(proc);
      poke();
      resolve(code);
    });
  });
  return {
    proc,
    stdout: () => out,
    stderr: () => err,
    exited,
    waitFor(re: RegExp, ms = 20_000): Promise<string> {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`openssl ${args[0]}: timed out waiting for ${re}\nstdout: ${out}\nstderr: ${err}`)), ms);
        const check = (): void => {
          const m = re.exec(out + err);
          if (m !== null) {
            clearTimeout(timer);
            resolve(m[0]);
          } else if (done) {
            clearTimeout(timer);
            reject(new Error(`openssl ${args[0]} exited before ${re}\nstdout: ${out}\nstderr: ${err}`));
          } else waiters.push(check);
        };
        check();
      });
    },
    kill(): void {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL');
    },
  };
}

/** `openssl s_server` on a free port, resolved once it accepts. */
export async function sServer(args: readonly string[], env?: NodeJS.ProcessEnv): Promise<OpensslProcess & { port: number }> {
  for (let attempt = 0; ; attempt++) {
    const port = await freePort();
    const p = openssl(['s_server', '-accept', `127.0.0.1:${port}`, ...args], env);
    try {
      await p.waitFor(/ACCEPT/);
      return Object.assign(p, { port });
    } catch (e) {
      p.kill();
      // Another process may have taken the port between the probe and the bind.
      if (attempt >= 2 || !/Address already in use|bind/i.test(p.stderr())) throw e;
    }
  }
}

export function killAll(): void {
  for (const p of live) if (p.exitCode === null && p.signalCode === null) p.kill('SIGKILL');
  live.clear();
}

/** Runs `tasks` with at most `width` in flight. */
export async function pool<T>(width: number, tasks: readonly (() => Promise<T>)[]): Promise<T[]> {
  const results: T[] = new Array(tasks.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < tasks.length) {
      const i = next++;
      results[i] = await (tasks[i] as () => Promise<T>)();
    }
  };
  await Promise.all(Array.from({ length: Math.min(width, tasks.length) }, worker));
  return results;
}
