/**
 * The installed `puretls` executable (packages/cli/bin/puretls.mjs → dist/bin.js), as a separate
 * process: `s_server -accept 0 -www -naccept 1` answers `openssl s_client`, and the status and exit
 * codes reach the shell. It runs the built JavaScript: `npm test` builds first.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, expect, it } from 'vitest';
import { killAll, openssl } from '../../node/test/helpers/openssl.js';
import { run } from './run-cli.js';

const root = fileURLToPath(new URL('../../..', import.meta.url));
afterAll(() => killAll());

it('puretls s_server -www serves openssl s_client and exits 0 after -naccept 1', async () => {
  expect(existsSync(`${root}packages/cli/dist/bin.js`), 'packages/cli is not built: run `npm run build` (npm test does)').toBe(true);
  const server = spawn(process.execPath, ['packages/cli/bin/puretls.mjs', 's_server', '-accept', '0', '-www', '-naccept', '1'], { cwd: root });
  let out = '';
  let err = '';
  server.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const port = await new Promise<number>((resolve, reject) => {
    server.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /ACCEPT 127\.0\.0\.1:(\d+)/.exec(out);
      if (m !== null) resolve(Number(m[1]));
    });
    server.once('close', () => reject(new Error(`s_server exited: ${err}`)));
  });
  const c = openssl(['s_client', '-connect', `127.0.0.1:${port}`, '-quiet']);
  c.proc.stdin.end('GET / HTTP/1.0\r\n\r\n');
  await c.exited;
  expect(c.stdout()).toContain('HTTP/1.0 200 ok');
  expect(c.stdout()).toContain('Protocol version: TLSv1.3');
  const code = await new Promise<number | null>((resolve) => server.on('close', resolve));
  expect(code).toBe(0);
  expect(err).toContain('throwaway self-signed certificate');
});

it('a usage error exits 64', async () => {
  const p = spawn(process.execPath, ['packages/cli/bin/puretls.mjs', 's_client', '-nonsense'], { cwd: root });
  const code = await new Promise<number | null>((resolve) => p.on('close', resolve));
  expect(code).toBe(64);
});

it('the built puretls s_client -dtls1_3 and s_server -dtls1_3 -listen talk over UDP and both exit 0', async () => {
  expect(existsSync(`${root}packages/cli/dist/dtls-client.js`), 'packages/cli is not built: run `npm run build` (npm test does)').toBe(true);
  const server = spawn(process.execPath, ['packages/cli/bin/puretls.mjs', 's_server', '-dtls1_3', '-accept', '0', '-listen', '-naccept', '1', '-mtu', '512'], { cwd: root });
  let out = '';
  let serr = '';
  server.stderr.on('data', (d: Buffer) => (serr += d.toString()));
  const port = await new Promise<number>((resolve, reject) => {
    server.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /ACCEPT 127\.0\.0\.1:(\d+)/.exec(out);
      if (m !== null) resolve(Number(m[1]));
    });
    server.once('close', () => reject(new Error(`s_server exited: ${serr}`)));
  });
  // The throwaway certificate does not verify: -insecure goes on and says so.
  const client = spawn(process.execPath, ['packages/cli/bin/puretls.mjs', 's_client', '-dtls1_3', '-connect', `127.0.0.1:${port}`, '-insecure', '-brief', '-mtu', '512'], { cwd: root });
  let cerr = '';
  client.stderr.on('data', (d: Buffer) => (cerr += d.toString()));
  await new Promise<void>((resolve) => {
    const check = (): void => {
      if (cerr.includes('CONNECTION ESTABLISHED')) resolve();
    };
    client.stderr.on('data', check);
  });
  client.stdin.end('over udp\n');
  const [cc, sc] = await Promise.all([
    new Promise<number | null>((resolve) => client.on('close', resolve)),
    new Promise<number | null>((resolve) => server.on('close', resolve)),
  ]);
  expect(cc).toBe(0);
  expect(sc).toBe(0);
  expect(out).toContain('over udp\n');
  expect(cerr).toContain('Protocol version: DTLSv1.3');
  expect(cerr).toContain('Session: full handshake, after HelloRetryRequest');
  expect(cerr).toContain('MTU: 512');
  expect(serr).toContain('closed');
});

it('a closed stdout (`puretls s_client ... | head -c 5`) ends s_client quietly with status 0, no stack trace', async () => {
  expect(existsSync(`${root}packages/cli/dist/bin.js`), 'packages/cli is not built: run `npm run build` (npm test does)').toBe(true);
  const srv = run(['s_server', '-accept', '0', '-echo', '-naccept', '1', '-quiet']);
  await srv.until(/ACCEPT 127\.0\.0\.1:\d+\n/);
  const port = Number(/ACCEPT 127\.0\.0\.1:(\d+)/.exec(srv.stdout())![1]);
  const client = spawn(process.execPath, ['packages/cli/bin/puretls.mjs', 's_client', '-connect', `127.0.0.1:${port}`, '-insecure', '-quiet'], { cwd: root });
  let err = '';
  client.stderr.on('data', (d: Buffer) => (err += d.toString()));
  // Like `head -c 5`: read the first bytes, then close the pipe while more keeps coming.
  client.stdout.once('data', () => client.stdout.destroy());
  const chunk = Buffer.alloc(1 << 16, 0x61);
  const pump = setInterval(() => client.stdin.writable && client.stdin.write(chunk), 20);
  client.stdin.on('error', () => {});
  const code = await new Promise<number | null>((resolve) => client.on('close', resolve));
  clearInterval(pump);
  expect(err).toBe('');
  expect(code).toBe(0);
  expect(await srv.status).toBe(0);
});
