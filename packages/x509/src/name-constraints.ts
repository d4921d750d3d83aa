/**
 * Name constraints (RFC 5280 §4.2.1.10, §6.1.3(b)): every name of a certificate below a constrained CA
 * must lie in a permitted subtree of its type (when the CA lists any for that type) and in no
 * excluded subtree. Handled types: dNSName, iPAddress, rfc822Name, directoryName, URI (by host).
 * Comparisons are counted against a budget so a crafted certificate cannot make this quadratic
 * blow-up expensive.
 */
import type { Certificate } from './certificate.js';
import { X509Error } from './errors.js';
import type { GeneralName, NameConstraints } from './extensions.js';
import { normalizeDnsName, parseIpLiteral } from './identity.js';
import { type DistinguishedName, nameWithinSubtree } from './name.js';
import { OID } from './oids.js';

export interface ComparisonBudget {
  remaining: number;
}

const lower = (s: string): string => s.replace(/[A-Z]/g, (c) => c.toLowerCase());

/** Lower case, without one trailing dot: the absolute form names the same host (RFC 1034 §3.1). */
const dnsForm = (s: string): string => lower(s.endsWith('.') ? s.slice(0, -1) : s);

/** dNSName subtree: the name itself or any name formed by adding labels on the left; ".x" means subdomains only. */
function dnsWithin(name: string, constraint: string): boolean {
  const n = dnsForm(name);
  const c = dnsForm(constraint);
  if (c === '') return true;
  if (c.startsWith('.')) return n.endsWith(c);
  return n === c || n.endsWith(`.${c}`);
}

/**
 * For exclusions a wildcard name also collides with a subtree inside the names it covers. Both sides
 * in the same form as the identity check compares them, or `*.example.com.` would slip past.
 */
function dnsExcludedHit(name: string, constraint: string): boolean {
  if (dnsWithin(name, constraint)) return true;
  const n = dnsForm(name);
  if (!n.startsWith('*.')) return false;
  const full = dnsForm(constraint);
  const c = full.startsWith('.') ? full.slice(1) : full;
  const dot = c.indexOf('.');
  return dot > 0 && c.slice(dot + 1) === n.slice(2);
}

/** The IPv4 address inside an IPv4-mapped IPv6 address (::ffff:a.b.c.d, RFC 4291 §2.5.5.2), else null. */
function mappedV4(addr: Uint8Array): Uint8Array | null {
  if (addr.length !== 16 || addr[10] !== 0xff || addr[11] !== 0xff) return null;
  for (let i = 0; i < 10; i++) if (addr[i] !== 0) return null;
  return addr.subarray(12);
}

function ipWithin(address: Uint8Array, constraint: Uint8Array): boolean {
  const len = constraint.length / 2;
  // An IPv4-mapped IPv6 address reaches the IPv4 host: IPv4 subtrees apply to it too.
  const addr = len === 4 ? (mappedV4(address) ?? address) : address;
  if (addr.length !== len) return false;
  for (let i = 0; i < len; i++) {
    const mask = constraint[len + i] ?? 0;
    if (((addr[i] ?? 0) & mask) !== ((constraint[i] ?? 0) & mask)) return false;
  }
  return true;
}

/** rfc822Name subtree: a mailbox, a host (all its mailboxes) or ".domain" (mailboxes of subdomains). */
function emailWithin(email: string, constraint: string): boolean {
  const at = email.lastIndexOf('@');
  if (at <= 0) return false;
  const host = lower(email.slice(at + 1));
  if (constraint.includes('@')) {
    const cat = constraint.lastIndexOf('@');
    return email.slice(0, at) === constraint.slice(0, cat) && host === lower(constraint.slice(cat + 1));
  }
  const c = lower(constraint);
  if (c.startsWith('.')) return host.endsWith(c);
  return host === c;
}

function uriHost(uri: string): string | null {
  const m = /^[a-zA-Z][a-zA-Z0-9+.-]*:\/\/(?:[^@/?#]*@)?(\[[^\]]*\]|[^:/?#]*)/.exec(uri);
  return m === null || m[1] === undefined || m[1] === '' ? null : lower(m[1]);
}

/** URI subtree (RFC 5280 §4.2.1.10): on the host; ".domain" means hosts within it. */
function uriWithin(uri: string, constraint: string): boolean {
  const host = uriHost(uri);
  if (host === null) return false;
  const c = lower(constraint);
  if (c.startsWith('.')) return host.endsWith(c);
  return host === c;
}

/** A name as constraints see it (a GeneralName). */
export type ConstrainedName =
  | { readonly type: 'dns'; readonly value: string }
  | { readonly type: 'ip'; readonly bytes: Uint8Array }
  | { readonly type: 'email'; readonly value: string }
  | { readonly type: 'uri'; readonly value: string }
  | { readonly type: 'directory'; readonly name: DistinguishedName }
  | { readonly type: 'other'; readonly tag: number };

/** Whether `s` lies in the subtree `c`; `excluded` widens wildcard DNS names to what they could match. */
export function nameMatchesConstraint(s: ConstrainedName, c: GeneralName, excluded: boolean): boolean {
  switch (s.type) {
    case 'dns':
      return c.type === 'dns' && (excluded ? dnsExcludedHit(s.value, c.value) : dnsWithin(s.value, c.value));
    case 'ip':
      return c.type === 'ip' && ipWithin(s.bytes, c.bytes);
    case 'email':
      return c.type === 'email' && emailWithin(s.value, c.value);
    case 'uri':
      return c.type === 'uri' && uriWithin(s.value, c.value);
    case 'directory':
      return c.type === 'directory' && nameWithinSubtree(s.name, c.name);
    case 'other':
      return false;
  }
}

/** The names of `cert` that constraints apply to (RFC 5280 §6.1.3(b)). */
function namesOf(cert: Certificate, isLeaf: boolean): ConstrainedName[] {
  const out: ConstrainedName[] = [];
  if (cert.subject.rdns.length > 0) out.push({ type: 'directory', name: cert.subject });
  for (const rdn of cert.subject.rdns) {
    for (const a of rdn) {
      // RFC 5280 §4.2.1.10: emailAddress attributes in the subject are checked as rfc822Names.
      if (a.type === OID.emailAddress && a.value !== null) out.push({ type: 'email', value: a.value });
    }
  }
  const sans = cert.extensions.subjectAltNames;
  if (sans !== null) for (const n of sans) out.push(n);
  // As OpenSSL and browsers do: a leaf without DNS SANs has its host-like CN constrained as a DNS name.
  if (isLeaf && !(sans ?? []).some((n) => n.type === 'dns')) {
    for (const rdn of cert.subject.rdns) {
      for (const a of rdn) {
        if (a.type === OID.commonName && a.value !== null && a.value.includes('.') && parseIpLiteral(a.value) === null && normalizeDnsName(a.value) !== null) {
          out.push({ type: 'dns', value: a.value });
        }
      }
    }
  }
  return out;
}

const TYPE_LABEL: Readonly<Record<ConstrainedName['type'], string>> = {
  dns: 'DNS name',
  ip: 'IP address',
  email: 'email address',
  uri: 'URI',
  directory: 'directory name',
  other: 'name',
};

function describe(s: ConstrainedName): string {
  switch (s.type) {
    case 'dns':
    case 'email':
    case 'uri':
      return `${TYPE_LABEL[s.type]} ${s.value}`;
    case 'ip':
      return `${TYPE_LABEL.ip} ${Array.from(s.bytes).join('.')}`;
    case 'directory':
      return `directory name "${s.name.text}"`;
    case 'other':
      return `name of GeneralName type ${s.tag}`;
  }
}

/** Null when `cert` satisfies `nc` (imposed by `ca`), else the violation. Throws on budget exhaustion. */
export function checkNameConstraints(cert: Certificate, isLeaf: boolean, nc: NameConstraints, ca: Certificate, budget: ComparisonBudget): X509Error | null {
  for (const name of namesOf(cert, isLeaf)) {
    const typeConstrained = (c: GeneralName): boolean => c.type === name.type;
    if (name.type === 'other' && (nc.permitted.some((c) => c.type === 'other') || nc.excluded.some((c) => c.type === 'other'))) {
      return new X509Error('UNSUPPORTED_NAME_CONSTRAINT', `"${ca.subject.text}" constrains a GeneralName type this library does not check`);
    }
    budget.remaining -= nc.permitted.length + nc.excluded.length;
    if (budget.remaining < 0) {
      throw new X509Error('VERIFY_BUDGET_EXCEEDED', 'name constraint checking exceeded its comparison budget');
    }
    for (const c of nc.excluded) {
      if (nameMatchesConstraint(name, c, true)) {
        return new X509Error('EXCLUDED_VIOLATION', `"${cert.subject.text}": ${describe(name)} is in a subtree excluded by "${ca.subject.text}"`);
      }
    }
    const permitted = nc.permitted.filter(typeConstrained);
    if (permitted.length > 0 && !permitted.some((c) => nameMatchesConstraint(name, c, false))) {
      return new X509Error('PERMITTED_VIOLATION', `"${cert.subject.text}": ${describe(name)} is outside the subtrees permitted by "${ca.subject.text}"`);
    }
  }
  return null;
}
