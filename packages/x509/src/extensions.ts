/**
 * The certificate extensions the validator needs (RFC 5280 §4.2), parsed strictly. Unknown extensions
 * are kept raw; an unknown one marked critical is listed so that validation can refuse it (§4.2).
 */
import { type DerNode, Tag, TagClass, expectSequence, isTag, latin1, parseDer, readBitString, readBoolean, readOctetString, readOid, readSmallInteger } from './der.js';
import { malformed } from './errors.js';
import { type DistinguishedName, parseName } from './name.js';
import { OID } from './oids.js';

export type GeneralName =
  | { readonly type: 'dns'; readonly value: string }
  | { readonly type: 'email'; readonly value: string }
  | { readonly type: 'uri'; readonly value: string }
  /** 4 or 16 bytes in a SAN; address and mask (8 or 32 bytes) in a name constraint. */
  | { readonly type: 'ip'; readonly bytes: Uint8Array }
  | { readonly type: 'directory'; readonly name: DistinguishedName }
  | { readonly type: 'other'; readonly tag: number };

export type KeyUsageName =
  | 'digitalSignature'
  | 'nonRepudiation'
  | 'keyEncipherment'
  | 'dataEncipherment'
  | 'keyAgreement'
  | 'keyCertSign'
  | 'cRLSign'
  | 'encipherOnly'
  | 'decipherOnly';

const KEY_USAGE_BITS: readonly KeyUsageName[] = [
  'digitalSignature',
  'nonRepudiation',
  'keyEncipherment',
  'dataEncipherment',
  'keyAgreement',
  'keyCertSign',
  'cRLSign',
  'encipherOnly',
  'decipherOnly',
];

export interface BasicConstraints {
  readonly ca: boolean;
  /** null when absent (no limit). */
  readonly pathLength: number | null;
}

export interface NameConstraints {
  readonly permitted: readonly GeneralName[];
  readonly excluded: readonly GeneralName[];
}

export interface RawExtension {
  readonly oid: string;
  readonly critical: boolean;
  readonly value: Uint8Array;
}

export interface Extensions {
  readonly all: readonly RawExtension[];
  readonly basicConstraints: BasicConstraints | null;
  readonly keyUsage: ReadonlySet<KeyUsageName> | null;
  /** Dotted OIDs. */
  readonly extendedKeyUsage: readonly string[] | null;
  readonly subjectAltNames: readonly GeneralName[] | null;
  readonly nameConstraints: NameConstraints | null;
  readonly subjectKeyIdentifier: Uint8Array | null;
  readonly authorityKeyIdentifier: Uint8Array | null;
  /** OIDs of critical extensions this library does not handle. */
  readonly unhandledCritical: readonly string[];
}

/** Critical extensions we process (or, for certificatePolicies, may safely ignore: no policy is required). */
const HANDLED: ReadonlySet<string> = new Set([
  OID.basicConstraints,
  OID.keyUsage,
  OID.extKeyUsage,
  OID.subjectAltName,
  OID.nameConstraints,
  OID.subjectKeyIdentifier,
  OID.authorityKeyIdentifier,
  OID.certificatePolicies,
]);

export const EMPTY_EXTENSIONS: Extensions = {
  all: [],
  basicConstraints: null,
  keyUsage: null,
  extendedKeyUsage: null,
  subjectAltNames: null,
  nameConstraints: null,
  subjectKeyIdentifier: null,
  authorityKeyIdentifier: null,
  unhandledCritical: [],
};

export function parseExtensions(node: DerNode): Extensions {
  const list = expectSequence(node, 'extensions');
  if (list.length === 0) throw malformed('empty extensions');
  const all: RawExtension[] = [];
  const seen = new Set<string>();
  let basicConstraints: BasicConstraints | null = null;
  let keyUsage: Set<KeyUsageName> | null = null;
  let extendedKeyUsage: string[] | null = null;
  let subjectAltNames: GeneralName[] | null = null;
  let nameConstraints: NameConstraints | null = null;
  let subjectKeyIdentifier: Uint8Array | null = null;
  let authorityKeyIdentifier: Uint8Array | null = null;
  const unhandledCritical: string[] = [];
  for (const ext of list) {
    const parts = expectSequence(ext, 'extension');
    const oid = readOid(parts[0], 'extension id');
    let i = 1;
    let critical = false;
    if (isTag(parts[i], Tag.boolean)) {
      critical = readBoolean(parts[i], 'extension critical');
      // DER: a DEFAULT value is not encoded (X.690 §11.5).
      if (!critical) throw malformed(`extension ${oid} encodes critical=FALSE`);
      i++;
    }
    const value = readOctetString(parts[i], `extension ${oid}`);
    if (parts.length !== i + 1) throw malformed(`extension ${oid} has extra fields`);
    // RFC 5280 §4.2: a certificate must not include more than one instance of an extension.
    if (seen.has(oid)) throw malformed(`duplicate extension ${oid}`);
    seen.add(oid);
    all.push({ oid, critical, value });
    if (critical && !HANDLED.has(oid)) unhandledCritical.push(oid);
    const what = `extension ${oid}`;
    switch (oid) {
      case OID.basicConstraints:
        basicConstraints = parseBasicConstraints(parseDer(value, what));
        break;
      case OID.keyUsage:
        keyUsage = parseKeyUsage(parseDer(value, what));
        break;
      case OID.extKeyUsage: {
        const oids = expectSequence(parseDer(value, what), what).map((n) => readOid(n, what));
        if (oids.length === 0) throw malformed('empty extendedKeyUsage');
        extendedKeyUsage = oids;
        break;
      }
      case OID.subjectAltName: {
        const names = parseGeneralNames(parseDer(value, what), what, false);
        // RFC 5280 §4.2.1.6: at least one entry.
        if (names.length === 0) throw malformed('empty subjectAltName');
        subjectAltNames = names;
        break;
      }
      case OID.nameConstraints:
        nameConstraints = parseNameConstraints(parseDer(value, what));
        break;
      case OID.subjectKeyIdentifier:
        subjectKeyIdentifier = readOctetString(parseDer(value, what), what);
        break;
      case OID.authorityKeyIdentifier: {
        const seq = expectSequence(parseDer(value, what), what);
        const first = seq[0];
        if (first !== undefined && first.tagClass === TagClass.context && first.tagNumber === 0 && !first.constructed) {
          authorityKeyIdentifier = first.content;
        }
        break;
      }
      default:
        break;
    }
  }
  return {
    all,
    basicConstraints,
    keyUsage,
    extendedKeyUsage,
    subjectAltNames,
    nameConstraints,
    subjectKeyIdentifier,
    authorityKeyIdentifier,
    unhandledCritical,
  };
}

function parseBasicConstraints(node: DerNode): BasicConstraints {
  const parts = expectSequence(node, 'basicConstraints');
  let i = 0;
  let ca = false;
  if (isTag(parts[i], Tag.boolean)) {
    ca = readBoolean(parts[i], 'basicConstraints cA');
    if (!ca) throw malformed('basicConstraints encodes cA=FALSE');
    i++;
  }
  let pathLength: number | null = null;
  if (parts[i] !== undefined) {
    pathLength = readSmallInteger(parts[i], 'basicConstraints pathLenConstraint');
    i++;
  }
  if (parts.length !== i) throw malformed('basicConstraints has extra fields');
  return { ca, pathLength };
}

function parseKeyUsage(node: DerNode): Set<KeyUsageName> {
  const { bytes, unusedBits } = readBitString(node, 'keyUsage');
  const total = bytes.length * 8 - unusedBits;
  const set = new Set<KeyUsageName>();
  for (let bit = 0; bit < total; bit++) {
    if ((((bytes[bit >> 3] ?? 0) >> (7 - (bit & 7))) & 1) === 1) {
      const name = KEY_USAGE_BITS[bit];
      if (name !== undefined) set.add(name);
    }
  }
  // RFC 5280 §4.2.1.3: at least one bit set.
  if (set.size === 0) throw malformed('keyUsage has no bit set');
  return set;
}

function ia5(n: DerNode, what: string): string {
  if (n.constructed) throw malformed(`${what}: wrong form`);
  for (const b of n.content) if (b > 0x7f) throw malformed(`${what}: non-ASCII IA5String`);
  return latin1(n.content);
}

export function parseGeneralName(n: DerNode, what: string, inConstraint: boolean): GeneralName {
  if (n.tagClass !== TagClass.context) throw malformed(`${what}: bad GeneralName`);
  switch (n.tagNumber) {
    case 1:
      return { type: 'email', value: ia5(n, what) };
    case 2:
      return { type: 'dns', value: ia5(n, what) };
    case 4: {
      // directoryName is EXPLICIT (Name is a CHOICE).
      if (!n.constructed || n.children.length !== 1) throw malformed(`${what}: bad directoryName`);
      return { type: 'directory', name: parseName(n.children[0] as DerNode, what) };
    }
    case 6:
      return { type: 'uri', value: ia5(n, what) };
    case 7: {
      if (n.constructed) throw malformed(`${what}: wrong form`);
      const len = n.content.length;
      const ok = inConstraint ? len === 8 || len === 32 : len === 4 || len === 16;
      if (!ok) throw malformed(`${what}: bad iPAddress length ${len}`);
      return { type: 'ip', bytes: n.content };
    }
    default:
      if (n.tagNumber > 8) throw malformed(`${what}: bad GeneralName tag`);
      return { type: 'other', tag: n.tagNumber };
  }
}

function parseGeneralNames(node: DerNode, what: string, inConstraint: boolean): GeneralName[] {
  return expectSequence(node, what).map((n) => parseGeneralName(n, what, inConstraint));
}

function parseSubtrees(node: DerNode, what: string): GeneralName[] {
  if (!node.constructed) throw malformed(`${what}: wrong form`);
  if (node.children.length === 0) throw malformed(`${what}: empty`);
  return node.children.map((subtree) => {
    const parts = expectSequence(subtree, what);
    const base = parts[0];
    if (base === undefined) throw malformed(`${what}: empty subtree`);
    // RFC 5280 §4.2.1.10: minimum is 0 (so absent in DER) and maximum absent.
    if (parts.length !== 1) throw malformed(`${what}: minimum/maximum must be absent`);
    return parseGeneralName(base, what, true);
  });
}

function parseNameConstraints(node: DerNode): NameConstraints {
  const parts = expectSequence(node, 'nameConstraints');
  let permitted: GeneralName[] = [];
  let excluded: GeneralName[] = [];
  let last = -1;
  for (const p of parts) {
    if (p.tagClass !== TagClass.context || p.tagNumber <= last || p.tagNumber > 1) throw malformed('nameConstraints: bad field');
    last = p.tagNumber;
    if (p.tagNumber === 0) permitted = parseSubtrees(p, 'nameConstraints permittedSubtrees');
    else excluded = parseSubtrees(p, 'nameConstraints excludedSubtrees');
  }
  // RFC 5280 §4.2.1.10: an empty sequence is not allowed.
  if (permitted.length === 0 && excluded.length === 0) throw malformed('nameConstraints is empty');
  return { permitted, excluded };
}
