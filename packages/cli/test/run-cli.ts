/** Runs `puretls` in process through `main`, with piped stdin/stdout/stderr, for the CLI tests. */
import { PassThrough } from 'node:stream';
import { main } from '../src/index.js';

export interface Run {
  readonly stdin: PassThrough;
  stdout(): string;
  stderr(): string;
  readonly status: Promise<number>;
  /** Resolves when stdout (or stderr) contains `text`. */
  until(text: string | RegExp, where?: 'stdout' | 'stderr', ms?: number): Promise<void>;
}

export function run(argv: string[]): Run {
  const stdin = new PassThrough();
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  const waiters = new Set<() => void>();
  stdout.on('data', (d: Buffer) => {
    out += d.toString('latin1');
    for (const w of waiters) w();
  });
  stderr.on('data', (d: Buffer) => {
    err += d.toString('latin1');
    for (const w of waiters) w();
  });
  const status = main(argv, { stdin, stdout, stderr });
  return {
    stdin,
    stdout: () => out,
    stderr: () => err,
    status,
    until(text, where = 'stdout', ms = 15_000) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`timed out waiting for ${String(text)} on ${where}\nstdout: ${out}\nstderr: ${err}`));
        }, ms);
        const check = (): void => {
          const hay = where === 'stdout' ? out : err;
          if (typeof text === 'string' ? hay.includes(text) : text.test(hay)) {
            clearTimeout(timer);
            waiters.delete(check);
            resolve();
          }
        };
        waiters.add(check);
        check();
      });
    },
  };
}
