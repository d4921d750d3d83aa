/**
 * PEM (RFC 7468): textual encoding of DER with `-----BEGIN LABEL-----` armour. Strict base64 inside the
 * armour (whitespace allowed between characters, RFC 7468 §3); text outside the armour is ignored.
 */
import { X509Error } from './errors.js';

export interface PemBlock {
  readonly label: string;
  readonly der: Uint8Array;
}

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const B64_INDEX = new Map<string, number>(Array.from(B64, (c, i) => [c, i]));

function base64Decode(text: string, label: string): Uint8Array {
  const s = text.replace(/[\s]/g, '');
  const bad = (): X509Error => new X509Error('MALFORMED_CERTIFICATE', `PEM block ${label} has invalid base64`);
  if (s.length % 4 !== 0) throw bad();
  const pad = s.endsWith('==') ? 2 : s.endsWith('=') ? 1 : 0;
  const out = new Uint8Array((s.length / 4) * 3 - pad);
  let o = 0;
  for (let i = 0; i < s.length; i += 4) {
    let v = 0;
    for (let j = 0; j < 4; j++) {
      const c = s[i + j] as string;
      const last = i + 4 === s.length;
      let d: number;
      if (c === '=' && last && j >= 4 - pad) d = 0;
      else {
        const x = B64_INDEX.get(c);
        if (x === undefined) throw bad();
        d = x;
      }
      v = (v << 6) | d;
    }
    if (o < out.length) out[o++] = (v >> 16) & 0xff;
    if (o < out.length) out[o++] = (v >> 8) & 0xff;
    if (o < out.length) out[o++] = v & 0xff;
  }
  return out;
}

function base64Encode(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i += 3) {
    const a = bytes[i] ?? 0;
    const b = bytes[i + 1];
    const c = bytes[i + 2];
    const v = (a << 16) | ((b ?? 0) << 8) | (c ?? 0);
    s += B64[(v >> 18) & 63];
    s += B64[(v >> 12) & 63];
    s += b === undefined ? '=' : B64[(v >> 6) & 63];
    s += c === undefined ? '=' : B64[v & 63];
  }
  return s;
}

/** Every PEM block in `text`, in order. A block without its END line is an error. */
export function decodePem(text: string): PemBlock[] {
  if (typeof text !== 'string') throw new TypeError('text must be a string');
  const blocks: PemBlock[] = [];
  const re = /-----BEGIN ([A-Z0-9 ]+)-----([\s\S]*?)-----END ([A-Z0-9 ]+)-----/g;
  let m: RegExpExecArray | null;
  let consumed = 0;
  while ((m = re.exec(text)) !== null) {
    const label = m[1] as string;
    if (m[3] !== label) throw new X509Error('MALFORMED_CERTIFICATE', `PEM END label ${m[3]} does not match BEGIN ${label}`);
    const body = m[2] as string;
    if (body.includes(':')) throw new X509Error('MALFORMED_CERTIFICATE', `PEM block ${label} has headers (encrypted PEM is not supported)`);
    blocks.push({ label, der: base64Decode(body, label) });
    consumed = re.lastIndex;
  }
  if (text.indexOf('-----BEGIN ', consumed) !== -1) throw new X509Error('MALFORMED_CERTIFICATE', 'PEM block without END line');
  return blocks;
}

/** The DER of every CERTIFICATE block (other labels are skipped). */
export function decodePemCertificates(text: string): Uint8Array[] {
  return decodePem(text)
    .filter((b) => b.label === 'CERTIFICATE')
    .map((b) => b.der);
}

export function encodePem(label: string, der: Uint8Array): string {
  if (typeof label !== 'string' || !/^[A-Z0-9 ]+$/.test(label)) throw new TypeError('label must be upper-case letters, digits and spaces');
  if (!(der instanceof Uint8Array)) throw new TypeError('der must be a Uint8Array');
  const b64 = base64Encode(der);
  const lines: string[] = [];
  for (let i = 0; i < b64.length; i += 64) lines.push(b64.slice(i, i + 64));
  return `-----BEGIN ${label}-----\n${lines.join('\n')}${lines.length > 0 ? '\n' : ''}-----END ${label}-----\n`;
}
