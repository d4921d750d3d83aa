/** Real OpenSSL peers for interop tests (test-only: node:child_process, node:net). */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, connect, type AddressInfo, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseSpki, type PublicKey } from '@puretls/crypto';
import { afterAll } from 'vitest';
import type { CertificateVerifier, Connection, TlsEvent } from '../../src/index.js';

export const opensslAvailable: boolean = (() => {
  try {
    return /^OpenSSL 3\./.test(execFileSync('openssl', ['version']).toString());
  } catch {
    return false;
  }
})();

/** Why interop tests cannot run here; under CI=true a missing openssl fails instead (.ci/run installs it). */
export const opensslMissingReason = 'openssl 3 not found on PATH';
if (!opensslAvailable && process.env['CI'] === 'true') throw new Error(`${opensslMissingReason} — required when CI=true`);

const dir = opensslAvailable ? mkdtempSync(join(tmpdir(), 'puretls-interop-')) : '';

/** Removes the temporary keys, certificates and session files. */
export function removeInteropFiles(): void {
  if (dir !== '') rmSync(dir, { recursive: true, force: true });
}

export interface OpensslCert {
  readonly certPath: string;
  readonly keyPath: string;
  readonly der: Uint8Array;
  readonly pkcs8: Uint8Array;
  readonly publicKey: PublicKey;
}

const certs = new Map<string, OpensslCert>();

/** A self-signed certificate for CN=localhost made by `openssl req`. */
export function opensslCert(kind: 'P-256' | 'P-384' | 'P-521' | 'ed25519' | 'ed448' | 'rsa' | 'rsa-pss', name = 'localhost'): OpensslCert {
  const id = `${kind}-${name}`;
  const hit = certs.get(id);
  if (hit) return hit;
  const keyPath = join(dir, `${id}.key`);
  const certPath = join(dir, `${id}.crt`);
  const newkey =
    kind === 'rsa'
      ? ['-newkey', 'rsa:2048']
      : kind === 'rsa-pss'
        ? // An id-RSASSA-PSS key (`genpkey -algorithm RSA-PSS`), self-signed with salt = hash length.
          ['-newkey', 'rsa-pss', '-pkeyopt', 'rsa_keygen_bits:2048', '-sigopt', 'rsa_pss_saltlen:digest']
        : kind.startsWith('P-') ? ['-newkey', 'ec', '-pkeyopt', `ec_paramgen_curve:${kind}`] : ['-newkey', kind];
  execFileSync('openssl', ['req', '-x509', ...newkey, '-keyout', keyPath, '-out', certPath, '-days', '2', '-nodes', '-subj', `/CN=${name}`, '-addext', `subjectAltName=DNS:${name}`], { stdio: 'ignore' });
  const x = new X509Certificate(readFileSync(certPath));
  const c = {
    certPath,
    keyPath,
    der: new Uint8Array(x.raw),
    pkcs8: new Uint8Array(createPrivateKey(readFileSync(keyPath)).export({ format: 'der', type: 'pkcs8' })),
    publicKey: parseSpki(new Uint8Array(x.publicKey.export({ format: 'der', type: 'spki' }))),
  };
  certs.set(id, c);
  return c;
}

/** Accepts exactly the given certificates (end-entity match) and returns their key. */
export function pinnedVerifier(...allowed: OpensslCert[]): CertificateVerifier {
  return {
    async verify(req) {
      const first = req.chain[0];
      const hit = allowed.find((c) => first !== undefined && Buffer.from(c.der).equals(Buffer.from(first)));
      if (hit === undefined) return { ok: false, code: 'UNPINNED_CERTIFICATE', alert: 'bad_certificate', message: 'not the pinned certificate' };
      return { ok: true, publicKey: hit.publicKey };
    },
  };
}

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

export interface Running {
  readonly port: number;
  readonly output: () => string;
  /** Writes to s_server's stdin (interactive mode: lines are sent to the client, `c` asks for a certificate). */
  input(text: string): void;
  stop(): Promise<void>;
}

/**
 * `openssl s_server -rev` (echoes lines reversed; not with -early_data) on 127.0.0.1; with
 * `interactive`, no -rev: stdin lines go to the client and its commands (`c`) work.
 */
export async function startOpensslServer(cert: OpensslCert, args: string[] = [], opts: { interactive?: boolean } = {}): Promise<Running> {
  const port = await freePort();
  const rev = args.includes('-early_data') || opts.interactive === true ? [] : ['-rev'];
  const proc = spawn('openssl', ['s_server', '-accept', `${port}`, '-tls1_3', '-cert', cert.certPath, '-key', cert.keyPath, ...rev, ...args], {
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let out = '';
  proc.stdout.on('data', (d: Buffer) => (out += d.toString()));
  proc.stderr.on('data', (d: Buffer) => (out += d.toString()));
  await new Promise<void>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`s_server did not start: ${out}`)), 10000);
    const check = (): void => {
      if (out.includes('ACCEPT')) {
        clearTimeout(t);
        resolve();
      }
    };
    proc.stdout.on('data', check);
    proc.on('exit', () => reject(new Error(`s_server exited: ${out}`)));
  });
  return { port, output: () => out, input: (text) => proc.stdin.write(text), stop: () => stopProcess(proc) };
}

function stopProcess(proc: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (proc.exitCode !== null || proc.signalCode !== null) return resolve();
    proc.once('exit', () => resolve());
    proc.kill('SIGTERM');
  });
}

/** Drives a connection over a socket: pumps bytes both ways, awaiting asynchronous steps. */
/**
 * `start(...)` launches an openssl s_server that is stopped, with the interop files removed, after
 * the calling test file.
 */
export function useOpensslServers(): { start: (...a: Parameters<typeof startOpensslServer>) => Promise<Running> } {
  const servers: Running[] = [];
  afterAll(async () => {
    for (const s of servers) await s.stop();
    removeInteropFiles();
  });
  return {
    start: async (...a) => {
      const s = await startOpensslServer(...a);
      servers.push(s);
      return s;
    },
  };
}

export function pump(conn: Connection, socket: Socket, onEvent: (e: TlsEvent) => void): () => void {
  let chain = Promise.resolve();
  const flush = (): void => {
    for (let b = conn.pull(); b !== null; b = conn.pull()) if (!socket.destroyed) socket.write(b);
    for (let e = conn.poll(); e !== null; e = conn.poll()) onEvent(e);
  };
  socket.on('data', (d: Buffer) => {
    chain = chain.then(async () => {
      conn.feed(new Uint8Array(d));
      while (conn.pending !== null) await conn.pending;
      flush();
    });
  });
  flush();
  return () => {
    chain = chain.then(async () => {
      while (conn.pending !== null) await conn.pending;
      flush();
    });
  };
}

export interface ClientRun {
  readonly events: TlsEvent[];
  readonly received: string;
}

/** Connects `conn` to 127.0.0.1:port, sends `send` after the handshake, waits for `expect` in the data ('' = just the handshake). */
export async function runClient(conn: Connection, port: number, send: string, expect: string, before?: () => void): Promise<ClientRun> {
  const socket = connect(port, '127.0.0.1');
  const events: TlsEvent[] = [];
  let received = '';
  await new Promise<void>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`timeout; events: ${events.map((e) => e.type).join(',')}; data: ${received}; state ${conn.state}`)), 10000);
    let kick: () => void = () => undefined;
    socket.on('connect', () => {
      kick = pump(conn, socket, (e) => {
        events.push(e);
        if (e.type === 'handshake_complete') {
          before?.();
          conn.write(new TextEncoder().encode(send));
          kick();
        }
        if (e.type === 'application_data') received += new TextDecoder().decode(e.data);
        if (e.type === 'error') {
          clearTimeout(t);
          reject(e.error);
        }
        if (expect === '' ? e.type === 'handshake_complete' : received.includes(expect)) {
          clearTimeout(t);
          // With nothing to wait for, give the peer a moment to send its tickets.
          if (expect === '') setTimeout(resolve, 150);
          else resolve();
        }
      });
    });
    socket.on('error', reject);
  });
  // Let tickets sent right after the handshake arrive.
  await new Promise((r) => setTimeout(r, 50));
  conn.close();
  for (let b = conn.pull(); b !== null; b = conn.pull()) socket.write(b);
  for (let e = conn.poll(); e !== null; e = conn.poll()) events.push(e);
  socket.end();
  return { events, received };
}

/** A node:net server driving one ServerConnection per socket, echoing data in upper case. */
export async function startEngineServer(
  make: () => Connection,
  /** Sees each event first (e.g. to call requestClientCertificate on handshake_complete); `kick` flushes. */
  onEvent?: (conn: Connection, e: TlsEvent, kick: () => void) => void,
): Promise<{ port: number; conns: Connection[]; events: TlsEvent[][]; stop(): Promise<void> }> {
  const conns: Connection[] = [];
  const events: TlsEvent[][] = [];
  const server = createServer((socket) => {
    const conn = make();
    const ev: TlsEvent[] = [];
    conns.push(conn);
    events.push(ev);
    let kick: () => void = () => undefined;
    kick = pump(conn, socket, (e) => {
      ev.push(e);
      onEvent?.(conn, e, () => kick());
      if (e.type === 'application_data' || e.type === 'early_data') {
        conn.write(new TextEncoder().encode(new TextDecoder().decode(e.data).toUpperCase()));
        kick();
      }
      if (e.type === 'peer_closed') {
        conn.close();
        kick();
        setTimeout(() => socket.end(), 10);
      }
      if (e.type === 'error') socket.end();
    });
    socket.on('error', () => undefined);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return { port, conns, events, stop: () => new Promise<void>((r) => server.close(() => r())) };
}

/** Runs `openssl s_client` against our server with `input` on stdin; resolves with its output. */
export function runOpensslClient(port: number, args: string[], input: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const proc = spawn('openssl', ['s_client', '-connect', `127.0.0.1:${port}`, '-tls1_3', '-servername', 'localhost', ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    proc.stdout.on('data', (d: Buffer) => (out += d.toString()));
    proc.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const t = setTimeout(() => {
      proc.kill('SIGTERM');
      reject(new Error(`s_client timeout: ${out}`));
    }, 10000);
    proc.on('exit', () => {
      clearTimeout(t);
      resolve(out);
    });
    proc.stdin.write(input);
    // Keep stdin open briefly so the reply can arrive, then end it (s_client then closes).
    setTimeout(() => proc.stdin.end(), 400);
  });
}

export function writeTemp(name: string, data: string | Uint8Array): string {
  const p = join(dir, name);
  writeFileSync(p, data);
  return p;
}
