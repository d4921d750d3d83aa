/**
 * What s_client and s_server share: reading and checking key material and option lists (a mistake is
 * a usage error before any socket is opened), session files, key logs, stdin commands, back-pressure
 * between the terminal streams and the sockets, and the bounded `-www` request reader.
 */
import { createPrivateKey, createPublicKey, X509Certificate } from 'node:crypto';
import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import type { Readable, Writable } from 'node:stream';
import { decodePem, encodePem } from '@puretls/x509';
import { cipherSuitesFrom, createSecureContext, groupsFrom, signatureSchemesFrom, type SecureContext, type TLSSocket } from '@puretls/node';
import { UsageError, type Parsed } from './args.js';

export interface Io {
  readonly stdin: Readable;
  readonly stdout: Writable;
  readonly stderr: Writable;
}

export function readText(file: string, flag: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (e) {
    throw new UsageError(`-${flag} ${file}: ${e instanceof Error ? e.message : String(e)}`);
  }
}

/**
 * `-pass` as openssl reads it (openssl-passphrase-options(1)): `pass:secret`, `env:VAR`, `file:path`
 * (its first line). Anything else is a usage error, not a passphrase taken literally.
 */
export function passphraseFrom(p: Parsed): string | undefined {
  const spec = p.values.get('pass');
  if (spec === undefined) return undefined;
  const colon = spec.indexOf(':');
  const kind = colon < 0 ? '' : spec.slice(0, colon);
  const rest = spec.slice(colon + 1);
  if (kind === 'pass') return rest;
  if (kind === 'env') {
    const v = process.env[rest];
    if (v === undefined) throw new UsageError(`-pass env:${rest}: no such environment variable`);
    return v;
  }
  if (kind === 'file') return readText(rest, 'pass').split(/\r?\n/)[0] as string;
  throw new UsageError(`-pass ${spec}: use pass:secret, env:VAR or file:path`);
}

/** A list option (`-groups`, `-ciphersuites`, `-sigalgs`) checked now: a bad name is a usage error. */
function listOption<T>(p: Parsed, flags: readonly string[], parse: (v: string, name: string) => T[]): T[] | undefined {
  const flag = flags.find((f) => p.values.has(f));
  if (flag === undefined) return undefined;
  const text = p.values.get(flag) as string;
  let list: T[];
  try {
    list = parse(text, flag);
  } catch (e) {
    throw new UsageError(`-${flag} ${text}: ${(e instanceof Error ? e.message : String(e)).replace(/^options\.\w+: /, '')}`);
  }
  if (list.length === 0) throw new UsageError(`-${flag}: the list is empty`);
  return list;
}

/** `-groups`/`-curves`, `-ciphersuites`, `-sigalgs`, parsed (the engine's names). */
export function algorithmOptions(p: Parsed) {
  const groups = listOption(p, ['groups', 'curves'], groupsFrom);
  const cipherSuites = listOption(p, ['ciphersuites'], cipherSuitesFrom);
  const signatureSchemes = listOption(p, ['sigalgs'], signatureSchemesFrom);
  return {
    ...(groups === undefined ? {} : { groups }),
    ...(cipherSuites === undefined ? {} : { cipherSuites }),
    ...(signatureSchemes === undefined ? {} : { signatureSchemes }),
  };
}

/** The PEM texts of -CAfile / -cert / -key (the key from the -cert file when -key is absent). */
export function pemFiles(p: Parsed): { ca?: string; cert?: string; key?: string; passphrase?: string } {
  const v = (k: string): string | undefined => p.values.get(k);
  const cert = v('cert');
  const key = v('key');
  if (key !== undefined && cert === undefined) throw new UsageError('-key needs -cert');
  const passphrase = passphraseFrom(p);
  return {
    ...(v('CAfile') === undefined ? {} : { ca: readText(v('CAfile') as string, 'CAfile') }),
    ...(cert === undefined ? {} : { cert: readText(cert, 'cert'), key: key === undefined ? readText(cert, 'cert') : readText(key, 'key') }),
    ...(passphrase === undefined ? {} : { passphrase }),
  };
}

/**
 * Parses the key material now, so that a wrong file is a usage error before we listen or connect,
 * not a failure of every connection: the certificates, the key (decrypted with -pass), and whether
 * the key is the certificate's.
 */
export function checkedContext(p: Parsed, pem = pemFiles(p)): SecureContext {
  const keyFlag = p.values.has('key') ? 'key' : 'cert';
  let ctx: SecureContext;
  try {
    ctx = createSecureContext(pem);
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    const code = (e as { code?: unknown }).code;
    if (pem.key !== undefined && /ENCRYPTED/.test(pem.key) && pem.passphrase === undefined) {
      throw new UsageError(`-${keyFlag} ${p.values.get(keyFlag) as string}: the key is encrypted; give -pass pass:..., env:VAR or file:path`);
    }
    if (pem.key !== undefined && !/options\.c(a|ert)\b/.test(msg) && !/-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----/.test(pem.key)) {
      throw new UsageError(`-${keyFlag} ${p.values.get(keyFlag) as string}: holds no private key${keyFlag === 'cert' ? ' (give -key)' : ''}`);
    }
    if (code === 'ERR_OSSL_BAD_DECRYPT') throw new UsageError(`-${keyFlag} ${p.values.get(keyFlag) as string}: cannot decrypt the key (wrong -pass?)`);
    const flag = /options\.ca\b/.test(msg) ? 'CAfile' : /options\.cert\b/.test(msg) ? 'cert' : pem.key === undefined ? 'CAfile' : keyFlag;
    throw new UsageError(`-${flag} ${p.values.get(flag) as string}: ${msg.replace(/^options\.\w+ /, '')}`);
  }
  const leaf = ctx.chain?.[0];
  if (leaf !== undefined && ctx.key !== undefined) {
    // RFC 8446 §4.4.3: a CertificateVerify made with another key fails every handshake; say so now.
    let same = true;
    try {
      const spki = (k: { export(o: { type: 'spki'; format: 'der' }): Buffer }): Buffer => k.export({ type: 'spki', format: 'der' });
      same = spki(new X509Certificate(leaf).publicKey).equals(spki(createPublicKey(createPrivateKey({ key: Buffer.from(ctx.key), format: 'der', type: 'pkcs8' }))));
    } catch {
      // a key or certificate node:crypto does not read: the handshake will tell
    }
    if (!same) throw new UsageError(`-${keyFlag} ${p.values.get(keyFlag) as string}: the key does not belong to the -cert certificate`);
  }
  return ctx;
}

/** TLS options both commands take from openssl-named flags, checked (a mistake is a UsageError). */
export function tlsOptions(p: Parsed, io: Io) {
  const v = (k: string): string | undefined => p.values.get(k);
  const keylogFile = v('keylogfile');
  const pem = pemFiles(p);
  checkedContext(p, pem);
  return {
    ...pem,
    ...(v('alpn') === undefined ? {} : { ALPNProtocols: (v('alpn') as string).split(',').filter((s) => s !== '') }),
    ...algorithmOptions(p),
    ...(keylogFile === undefined
      ? {}
      : {
          keyLog: (line: Buffer): void => {
            try {
              appendFileSync(keylogFile, line, { mode: 0o600 });
            } catch (e) {
              io.stderr.write(`puretls: cannot write key log: ${e instanceof Error ? e.message : String(e)}\n`);
            }
          },
        }),
  };
}

const SESSION_LABEL = 'PURETLS SESSION';

export function writeSession(file: string, session: Uint8Array): void {
  writeFileSync(file, encodePem(SESSION_LABEL, session), { mode: 0o600 });
}

export function readSession(file: string): Uint8Array {
  const block = decodePem(readText(file, 'sess_in')).find((b) => b.label === SESSION_LABEL);
  if (block === undefined) throw new UsageError(`-sess_in ${file}: no ${SESSION_LABEL} block`);
  return block.der;
}

/**
 * openssl's interactive letters on a line of their own: `Q` quits (close_notify), `k` sends a
 * KeyUpdate, `K` one that asks the peer to update too. Returns whether the chunk was a command.
 */
export function command(chunk: Buffer, socket: TLSSocket, io: Io, onQuit?: () => void): boolean {
  const line = chunk.toString('latin1').replace(/\r?\n$/, '');
  if (chunk.length > 3 || !/^[QkK]$/.test(line)) return false;
  if (line === 'Q') {
    io.stderr.write('DONE\n');
    socket.end();
    onQuit?.();
  } else {
    io.stderr.write(`KEYUPDATE${line === 'K' ? ' (requesting the peer\'s)' : ''}\n`);
    socket.keyUpdate(line === 'K');
  }
  return true;
}

/**
 * Back-pressure into one writable: a source whose chunk found `dest` full is paused until `dest`
 * drains (or closes), so a slow reader (a peer that does not read, `| sleep`) holds the sender
 * instead of growing our memory. One 'drain' listener however many sources share `dest`.
 */
export class Gate {
  readonly #dest: Writable;
  readonly #paused = new Set<Readable>();

  constructor(dest: Writable) {
    this.#dest = dest;
    const release = (): void => {
      for (const s of this.#paused) s.resume();
      this.#paused.clear();
    };
    dest.on('drain', release);
    dest.once('close', release);
  }

  write(src: Readable, chunk: Uint8Array | string): void {
    if (!this.#dest.write(chunk) && !this.#dest.destroyed && !this.#paused.has(src)) {
      this.#paused.add(src);
      src.pause();
    }
  }

  /** `src` is done: never resume it. */
  forget(src: Readable): void {
    this.#paused.delete(src);
  }
}

/** An EPIPE: whoever read our stdout is gone (`| head -c 5`). */
export function isBrokenPipe(e: unknown): boolean {
  const code = (e as { code?: unknown } | null)?.code;
  return code === 'EPIPE' || code === 'ERR_STREAM_DESTROYED';
}

/** The request head `-www` answers: at most this much is buffered before the client is refused. */
export const MAX_WWW_REQUEST = 16 * 1024;

/**
 * Collects one HTTP request head (up to the blank line) for `-www`: `onRequest` runs once with it;
 * a head longer than MAX_WWW_REQUEST calls `onTooLarge` instead. Anything after is ignored (one
 * answer per connection, like openssl's -www, which then closes).
 */
export function wwwRequest(onRequest: (head: string) => void, onTooLarge: () => void): (chunk: Uint8Array) => void {
  let head = '';
  let done = false;
  return (chunk) => {
    if (done) return;
    // Search only where the end can be: the last 3 bytes already held and the new chunk.
    const from = Math.max(0, head.length - 3);
    head += Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength).toString('latin1');
    const end = head.indexOf('\r\n\r\n', from);
    if (end >= 0 && end <= MAX_WWW_REQUEST) {
      done = true;
      onRequest(head.slice(0, end));
    } else if (head.length > MAX_WWW_REQUEST) {
      done = true;
      head = '';
      onTooLarge();
    }
  };
}

/** The answer to a `-www` request head over MAX_WWW_REQUEST (RFC 6585 §5). */
export const WWW_TOO_LARGE = 'HTTP/1.0 431 Request Header Fields Too Large\r\nContent-Length: 0\r\n\r\n';
