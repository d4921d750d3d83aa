/** What s_client and s_server share: reading key material, session files, key logs, stdin commands. */
import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import type { Readable, Writable } from 'node:stream';
import { decodePem, encodePem } from '@puretls/x509';
import { type TLSSocket } from '@puretls/node';
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

/** TLS options both commands take from openssl-named flags. */
export function tlsOptions(p: Parsed, io: Io) {
  const v = (k: string): string | undefined => p.values.get(k);
  const keylogFile = v('keylogfile');
  return {
    ...(v('CAfile') === undefined ? {} : { ca: readText(v('CAfile') as string, 'CAfile') }),
    ...(v('cert') === undefined ? {} : { cert: readText(v('cert') as string, 'cert') }),
    ...(v('key') === undefined ? (v('cert') === undefined ? {} : { key: readText(v('cert') as string, 'cert') }) : { key: readText(v('key') as string, 'key') }),
    ...(v('pass') === undefined ? {} : { passphrase: (v('pass') as string).replace(/^pass:/, '') }),
    ...(v('alpn') === undefined ? {} : { ALPNProtocols: (v('alpn') as string).split(',').filter((s) => s !== '') }),
    ...(v('groups') === undefined ? {} : { groups: v('groups') as string }),
    ...(v('curves') === undefined ? {} : { groups: v('curves') as string }),
    ...(v('ciphersuites') === undefined ? {} : { cipherSuites: v('ciphersuites') as string }),
    ...(v('sigalgs') === undefined ? {} : { signatureSchemes: v('sigalgs') as string }),
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
