/**
 * Service identity per RFC 9525: a DNS reference identity matches DNS-ID SANs only (no CN fallback,
 * §6.2.1), a wildcard only as the whole left-most label of a name of three or more labels (§6.3),
 * an IP literal matches iPAddress SANs only (§6.2.1, §6.5), comparisons are case-insensitive ASCII
 * with A-labels compared as ASCII (§6.3). A U-label reference is converted to A-labels (RFC 3492).
 */
import { bytesEqual } from '@puretls/wire';
import type { Certificate } from './certificate.js';
import { X509Error } from './errors.js';
import { punycodeEncode } from './punycode.js';

/** Parses an IPv4 dotted quad (no leading zeros) or an IPv6 literal (optionally in brackets). */
export function parseIpLiteral(text: string): Uint8Array | null {
  if (/^\d{1,3}(\.\d{1,3}){3}$/.test(text)) {
    const parts = text.split('.');
    const out = new Uint8Array(4);
    for (let i = 0; i < 4; i++) {
      const p = parts[i] as string;
      if (p.length > 1 && p.startsWith('0')) return null;
      const v = Number(p);
      if (v > 255) return null;
      out[i] = v;
    }
    return out;
  }
  let s = text;
  if (s.startsWith('[') && s.endsWith(']')) s = s.slice(1, -1);
  if (!s.includes(':') || !/^[0-9a-fA-F:.]+$/.test(s)) return null;
  // An embedded IPv4 tail (::ffff:1.2.3.4) becomes two hex groups.
  const lastColon = s.lastIndexOf(':');
  if (s.slice(lastColon + 1).includes('.')) {
    const v4 = parseIpLiteral(s.slice(lastColon + 1));
    if (v4 === null || v4.length !== 4) return null;
    const hi = (((v4[0] ?? 0) << 8) | (v4[1] ?? 0)).toString(16);
    const lo = (((v4[2] ?? 0) << 8) | (v4[3] ?? 0)).toString(16);
    s = `${s.slice(0, lastColon + 1)}${hi}:${lo}`;
  }
  const halves = s.split('::');
  if (halves.length > 2) return null;
  const group = (g: string): number | null => (/^[0-9a-fA-F]{1,4}$/.test(g) ? Number.parseInt(g, 16) : null);
  const parseHalf = (h: string): number[] | null => {
    if (h === '') return [];
    const out: number[] = [];
    for (const g of h.split(':')) {
      const v = group(g);
      if (v === null) return null;
      out.push(v);
    }
    return out;
  };
  const head = parseHalf(halves[0] ?? '');
  const rest = halves.length === 2 ? parseHalf(halves[1] ?? '') : [];
  if (head === null || rest === null) return null;
  const explicit = head.length + rest.length;
  let groups: number[];
  if (halves.length === 2) {
    if (explicit > 7) return null;
    groups = [...head, ...new Array<number>(8 - explicit).fill(0), ...rest];
  } else {
    if (explicit !== 8) return null;
    groups = head;
  }
  const out = new Uint8Array(16);
  groups.forEach((g, i) => {
    out[2 * i] = g >> 8;
    out[2 * i + 1] = g & 0xff;
  });
  return out;
}

/** RFC 1035 §2.3.4 (a name of 255 octets on the wire is 253 as text without the trailing dot). */
const MAX_LABEL_OCTETS = 63;
const MAX_NAME_OCTETS = 253;
/** RFC 5890 §2.3.2.1: an A-label is "xn--" and the Punycode of the U-label. */
const ACE_PREFIX = 'xn--';

function codePoints(s: string): number {
  let n = 0;
  for (const _ of s) n++;
  return n;
}

/** Lower-case ASCII, one trailing dot dropped, U-labels to A-labels; null when not a valid host name. */
export function normalizeDnsName(name: string): string | null {
  // UTS #46 maps the ideographic and full-width full stops to '.'.
  const dotted = name.replace(/[\u3002\uff0e\uff61]/g, '.');
  let s = dotted.endsWith('.') ? dotted.slice(0, -1) : dotted;
  if (s.length === 0) return null;
  if (/[^\x00-\x7f]/.test(s)) {
    // Punycode is quadratic in a label's length: bound the work first. Composition merges at most
    // 4 code points into one (the longest canonical decomposition, e.g. U+1F82), it runs twice
    // below, and a code point is 1 or 2 UTF-16 units: over 32 × 253 units cannot map to 253.
    if (s.length > MAX_NAME_OCTETS * 32) return null;
    // Close to the UTS #46 mapping (NFKC case fold) for the names people type.
    const mapped = s.normalize('NFKC').toLowerCase().normalize('NFC');
    // Each code point encodes to at least one octet (RFC 3492 §6.3: basic ones are copied, every
    // other one emits at least one digit), so these bounds only refuse what would fail below.
    if (codePoints(mapped) > MAX_NAME_OCTETS) return null;
    const labels: string[] = [];
    let octets = -1;
    for (const label of mapped.split('.')) {
      if (/^[\x00-\x7f]*$/.test(label)) labels.push(label);
      else {
        if (codePoints(label) > MAX_LABEL_OCTETS - ACE_PREFIX.length) return null;
        const encoded = punycodeEncode(label);
        if (encoded === null) return null;
        labels.push(`${ACE_PREFIX}${encoded}`);
      }
      octets += 1 + (labels[labels.length - 1] as string).length;
      if (octets > MAX_NAME_OCTETS) return null;
    }
    s = labels.join('.');
  }
  s = s.replace(/[A-Z]/g, (c) => c.toLowerCase());
  if (s.length > MAX_NAME_OCTETS) return null;
  for (const label of s.split('.')) {
    if (!/^[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?$/.test(label)) return null;
  }
  return s;
}

/** RFC 9525 §6.3 matching of one presented DNS-ID against a normalized reference identity. */
export function dnsIdMatches(presented: string, reference: string): boolean {
  let p = presented.endsWith('.') ? presented.slice(0, -1) : presented;
  p = p.replace(/[A-Z]/g, (c) => c.toLowerCase());
  if (p.startsWith('*.')) {
    const base = p.slice(2);
    // The wildcard must be the whole left-most label, over at least two further labels, and not
    // appear elsewhere ("*.com" would cover a public suffix).
    if (base.includes('*') || base.split('.').length < 2 || normalizeDnsName(base) !== base) return false;
    const dot = reference.indexOf('.');
    return dot > 0 && reference.slice(dot + 1) === base;
  }
  if (p.includes('*')) return false;
  return p === reference;
}

/** Null when `cert` is valid for `serverName` (a DNS name or an IP literal), else the error. */
export function checkServerIdentity(cert: Certificate, serverName: string): X509Error | null {
  const sans = cert.subjectAltNames;
  const altnames = [...sans.dns.map((d) => `DNS:${d}`), ...sans.ip.map((i) => `IP Address:${i.text}`)].join(', ');
  const fail = (why: string): X509Error =>
    new X509Error('ERR_TLS_CERT_ALTNAME_INVALID', `Hostname/IP does not match certificate's altnames: ${why}${altnames === '' ? ' (the certificate has no DNS or IP altnames)' : ''}`);
  const ip = parseIpLiteral(serverName);
  if (ip !== null) {
    if (sans.ip.some((san) => bytesEqual(san.bytes, ip))) return null;
    return fail(`IP: ${serverName} is not in the cert's list: ${altnames}`);
  }
  const reference = normalizeDnsName(serverName);
  if (reference === null) return fail(`Host: ${serverName} is not a valid host name`);
  if (sans.dns.some((d) => dnsIdMatches(d, reference))) return null;
  return fail(`Host: ${serverName}. is not in the cert's altnames: ${altnames}`);
}
