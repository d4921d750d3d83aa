/**
 * Key logging in the NSS key log format (RFC 9850): one line per secret,
 * `<label> <client_random hex> <secret hex>`, for Wireshark and friends. The socket emits each line as
 * node:tls does (`'keylog'` with a Buffer); `SSLKEYLOGFILE`, when set, gets every line appended.
 */
import { appendFileSync } from 'node:fs';

/** The engine hook (not yet in @puretls/tls; see the report): called once per derived secret. */
export type KeyLogCallback = (label: string, clientRandom: Uint8Array, secret: Uint8Array) => void;

export function keyLogLine(label: string, clientRandom: Uint8Array, secret: Uint8Array): string {
  return `${label} ${Buffer.from(clientRandom).toString('hex')} ${Buffer.from(secret).toString('hex')}\n`;
}

/** Appends to `SSLKEYLOGFILE` when the variable names a file; a write failure is not the connection's. */
export function appendToKeyLogFile(line: string, file: string | undefined = process.env['SSLKEYLOGFILE']): void {
  if (file === undefined || file === '') return;
  try {
    appendFileSync(file, line, { mode: 0o600 });
  } catch {
    // Key logging is a debugging aid; it must never break the connection.
  }
}
