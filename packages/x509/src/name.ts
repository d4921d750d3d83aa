/**
 * Distinguished names (RFC 5280 §4.1.2.4): parsed into attributes, printed per RFC 4514, and given a
 * comparison key. Names are compared as RFC 5280 §7.1 allows: string values case-folded (ASCII) with
 * whitespace trimmed and collapsed, non-string values byte for byte, attributes within an RDN unordered.
 */
import { type DerNode, Tag, TagClass, expect, parseDer, readOid, readString, toHex } from './der.js';
import { malformed } from './errors.js';
import { ATTRIBUTE_NAMES } from './oids.js';

export interface NameAttribute {
  /** Dotted OID. */
  readonly type: string;
  /** The value as text when it is a string type, otherwise null. */
  readonly value: string | null;
  /** The DER of the value. */
  readonly raw: Uint8Array;
}

export interface DistinguishedName {
  /** The DER of the Name. */
  readonly der: Uint8Array;
  /** RDNs in encoding order (most significant first); each RDN holds one or more attributes. */
  readonly rdns: readonly (readonly NameAttribute[])[];
  /** RFC 4514 string (least significant RDN first), e.g. `CN=example.com,O=Example`. */
  readonly text: string;
  /** Equal keys mean equal names under RFC 5280 §7.1 (as implemented here). */
  readonly key: string;
}

const STRING_TAGS: ReadonlySet<number> = new Set([
  Tag.utf8String,
  Tag.printableString,
  Tag.ia5String,
  Tag.t61String,
  Tag.bmpString,
  Tag.universalString,
]);

export function parseName(node: DerNode, what: string): DistinguishedName {
  const seq = expect(node, Tag.sequence, what, true);
  const rdns: NameAttribute[][] = [];
  for (const set of seq.children) {
    const rdn = expect(set, Tag.set, what, true);
    if (rdn.children.length === 0) throw malformed(`${what}: empty RDN`);
    const attrs: NameAttribute[] = [];
    for (const atv of rdn.children) {
      const parts = expect(atv, Tag.sequence, what, true).children;
      if (parts.length !== 2) throw malformed(`${what}: bad attribute`);
      const type = readOid(parts[0], what);
      const v = parts[1] as DerNode;
      const value = v.tagClass === TagClass.universal && STRING_TAGS.has(v.tagNumber) ? readString(v, what) : null;
      attrs.push({ type, value, raw: v.raw });
    }
    rdns.push(attrs);
  }
  return { der: seq.raw, rdns, text: formatName(rdns), key: nameKey(rdns) };
}

/** Parses a standalone DER Name (e.g. a directoryName constraint). */
export function parseNameDer(der: Uint8Array, what: string): DistinguishedName {
  return parseName(parseDer(der, what), what);
}

export function normalizeValue(a: NameAttribute): string {
  if (a.value === null) return `#${toHex(a.raw)}`;
  return a.value.trim().replace(/\s+/g, ' ').replace(/[A-Z]/g, (c) => c.toLowerCase());
}

function nameKey(rdns: readonly (readonly NameAttribute[])[]): string {
  return rdns.map(rdnKey).join(',');
}

function escapeValue(s: string): string {
  let out = s.replace(/[\\,+"<>;=]/g, (c) => `\\${c}`).replace(/[\u0000-\u001f\u007f]/g, (c) => `\\${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
  if (out.startsWith('#') || out.startsWith(' ')) out = `\\${out}`;
  if (out.endsWith(' ')) out = `${out.slice(0, -1)}\\ `;
  return out;
}

function formatName(rdns: readonly (readonly NameAttribute[])[]): string {
  return [...rdns]
    .reverse()
    .map((rdn) =>
      rdn
        .map((a) => `${ATTRIBUTE_NAMES.get(a.type) ?? a.type}=${a.value === null ? `#${toHex(a.raw)}` : escapeValue(a.value)}`)
        .join('+'),
    )
    .join(',');
}

/** True when `inner`'s RDNs start with all of `prefix`'s (RFC 5280 §4.2.1.10 directoryName subtree). */
export function nameWithinSubtree(inner: DistinguishedName, prefix: DistinguishedName): boolean {
  return inner.rdns.length >= prefix.rdns.length && prefix.rdns.every((rdn, i) => rdnKey(rdn) === rdnKey(inner.rdns[i] ?? []));
}

function rdnKey(rdn: readonly NameAttribute[]): string {
  return rdn
    .map((a) => `${a.type}=${JSON.stringify(normalizeValue(a))}`)
    .sort()
    .join('+');
}
