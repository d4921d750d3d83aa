/**
 * Extensions: the raw block codec with the per-message allow-list of RFC 9846 §4.2 (Table 1), and the
 * typed codecs of the extensions this engine understands. Duplicates and recognised extensions in the
 * wrong message are refused here, by the parser, before any state sees the message.
 */
import { Reader, Writer } from '@puretls/wire';
import { ExtensionType as E } from '../constants.js';
import { utf8 } from '../bytes.js';
import { fail } from '../errors.js';

export interface Extension {
  readonly type: number;
  readonly data: Uint8Array;
}

export type ExtensionContext = 'CH' | 'SH' | 'HRR' | 'EE' | 'CT' | 'CR' | 'NST';

// RFC 9846 §4.2, Table 1 (and the TLS 1.2-only ones, which never belong in a TLS 1.3 response).
const ALLOWED: ReadonlyMap<number, readonly ExtensionContext[]> = new Map<number, readonly ExtensionContext[]>([
  [E.server_name, ['CH', 'EE', 'CR']],
  [E.max_fragment_length, ['CH', 'EE']],
  [E.status_request, ['CH', 'CR', 'CT']],
  [E.supported_groups, ['CH', 'EE']],
  [E.signature_algorithms, ['CH', 'CR']],
  [E.use_srtp, ['CH', 'EE']],
  [E.heartbeat, ['CH', 'EE']],
  [E.application_layer_protocol_negotiation, ['CH', 'EE']],
  [E.signed_certificate_timestamp, ['CH', 'CR', 'CT']],
  [E.client_certificate_type, ['CH', 'EE']],
  [E.server_certificate_type, ['CH', 'EE']],
  [E.padding, ['CH']],
  [E.compress_certificate, ['CH', 'CR']],
  [E.record_size_limit, ['CH', 'EE']],
  [E.delegated_credential, ['CH', 'CR', 'CT']],
  [E.pre_shared_key, ['CH', 'SH']],
  [E.early_data, ['CH', 'EE', 'NST']],
  [E.supported_versions, ['CH', 'SH', 'HRR']],
  [E.cookie, ['CH', 'HRR']],
  [E.psk_key_exchange_modes, ['CH']],
  [E.certificate_authorities, ['CH', 'CR']],
  [E.oid_filters, ['CR']],
  [E.post_handshake_auth, ['CH']],
  [E.signature_algorithms_cert, ['CH', 'CR']],
  [E.key_share, ['CH', 'SH', 'HRR']],
  // TLS 1.2 only: a client may offer them for a 1.2 fallback, a 1.3 server never answers them.
  [E.ec_point_formats, ['CH']],
  [E.encrypt_then_mac, ['CH']],
  [E.extended_master_secret, ['CH']],
  [E.session_ticket, ['CH']],
  [E.renegotiation_info, ['CH']],
]);

export function isRecognizedExtension(type: number): boolean {
  return ALLOWED.has(type);
}

/** Reads `Extension extensions<min..2^16-1>` for message `ctx`. */
export function readExtensions(r: Reader, ctx: ExtensionContext, min = 0): Extension[] {
  const sub = r.sub16(min, 0xffff);
  const out: Extension[] = [];
  const seen = new Set<number>();
  while (!sub.atEnd) {
    const type = sub.u16();
    const data = sub.vec16();
    // RFC 9846 §4.2: no two extensions of the same type in a block.
    if (seen.has(type)) fail('DUPLICATE_EXTENSION', 'illegal_parameter', `duplicate extension ${type} in ${ctx}`);
    seen.add(type);
    const allowed = ALLOWED.get(type);
    // RFC 9846 §4.2: a recognised extension in a message it is not specified for.
    if (allowed !== undefined && !allowed.includes(ctx)) {
      fail('EXTENSION_NOT_ALLOWED', 'illegal_parameter', `extension ${type} is not allowed in ${ctx}`);
    }
    out.push({ type, data });
  }
  // RFC 9846 §4.2.11: pre_shared_key MUST be the last extension of the ClientHello.
  if (ctx === 'CH' && out.findIndex((e) => e.type === E.pre_shared_key) >= 0 && out[out.length - 1]?.type !== E.pre_shared_key) {
    fail('PSK_NOT_LAST', 'illegal_parameter', 'pre_shared_key is not the last ClientHello extension');
  }
  for (const e of out) validateExtension(e, ctx);
  return out;
}

export function writeExtensions(w: Writer, exts: readonly Extension[]): void {
  w.vector16(() => {
    for (const e of exts) w.u16(e.type).vec16(e.data);
  });
}

export function findExtension(exts: readonly Extension[], type: number): Extension | undefined {
  return exts.find((e) => e.type === type);
}

/** Parses a body that must be consumed exactly. */
export function parseBody<T>(data: Uint8Array, parse: (r: Reader) => T, what: string): T {
  const r = new Reader(data);
  const v = parse(r);
  r.end(what);
  return v;
}

export function encode(body: (w: Writer) => void): Uint8Array {
  const w = new Writer();
  body(w);
  return w.finish();
}

// ---- typed codecs ----------------------------------------------------------------------------------

const u16List = (r: Reader): number[] => r.list((x) => x.u16());

/** RFC 6066 §3: the host_name of a ServerNameList (other name types are skipped). */
export function readServerNameList(r: Reader): string | undefined {
  let host: string | undefined;
  r.nested(2, 1, 0xffff, (l) =>
    l.list((x) => {
      const t = x.u8();
      const name = x.vec16(1);
      if (t === 0) {
        // RFC 6066 §3: at most one name of a given type.
        if (host !== undefined) fail('DUPLICATE_SERVER_NAME', 'illegal_parameter', 'two host_name entries in server_name');
        host = asciiHostName(name);
      }
    }),
  );
  return host;
}

function asciiHostName(b: Uint8Array): string {
  let s = '';
  for (const c of b) {
    // RFC 6066 §3: ASCII, no trailing dot, no NUL; we also refuse control characters.
    if (c <= 0x20 || c >= 0x7f) fail('BAD_SERVER_NAME', 'illegal_parameter', 'server_name is not a printable ASCII host name');
    s += String.fromCharCode(c);
  }
  if (s.endsWith('.')) fail('BAD_SERVER_NAME', 'illegal_parameter', 'server_name ends with a dot');
  return s.toLowerCase();
}

export function writeServerNameList(host: string): Uint8Array {
  const bytes = utf8(host);
  return encode((w) => w.vector16(() => w.u8(0).vec16(bytes, 1), 1));
}

export const readNamedGroupList = (r: Reader): number[] => r.nested(2, 2, 0xffff, u16List);
export const writeU16List = (list: readonly number[], min = 2): Uint8Array =>
  encode((w) => w.vector16(() => list.forEach((c) => w.u16(c)), min));

export const readSignatureSchemeList = (r: Reader): number[] => r.nested(2, 2, 0xfffe, u16List);

export function readAlpnList(r: Reader): Uint8Array[] {
  return r.nested(2, 2, 0xffff, (l) => l.list((x) => x.vec8(1)));
}

export function writeAlpnList(protocols: readonly Uint8Array[]): Uint8Array {
  return encode((w) => w.vector16(() => protocols.forEach((p) => w.vec8(p, 1)), 2));
}

export const readSupportedVersionsCH = (r: Reader): number[] => r.nested(1, 2, 254, u16List);

export interface KeyShareEntry {
  readonly group: number;
  readonly keyExchange: Uint8Array;
}

export const readKeyShareEntry = (r: Reader): KeyShareEntry => ({ group: r.u16(), keyExchange: r.vec16(1) });

export function readKeyShareCH(r: Reader): KeyShareEntry[] {
  const entries = r.nested(2, 0, 0xffff, (l) => l.list(readKeyShareEntry));
  // RFC 8446 §4.2.8: no two KeyShareEntry values for the same group.
  const groups = new Set<number>();
  for (const e of entries) {
    if (groups.has(e.group)) fail('DUPLICATE_KEY_SHARE', 'illegal_parameter', `two key shares for group ${e.group}`);
    groups.add(e.group);
  }
  return entries;
}

export function writeKeyShareCH(entries: readonly KeyShareEntry[]): Uint8Array {
  return encode((w) => w.vector16(() => entries.forEach((e) => w.u16(e.group).vec16(e.keyExchange, 1))));
}

export const writeKeyShareEntry = (e: KeyShareEntry): Uint8Array => encode((w) => w.u16(e.group).vec16(e.keyExchange, 1));

export const readPskModes = (r: Reader): number[] => Array.from(r.vec8(1));

export interface PskIdentity {
  readonly identity: Uint8Array;
  readonly obfuscatedTicketAge: number;
}

export interface OfferedPsks {
  readonly identities: readonly PskIdentity[];
  readonly binders: readonly Uint8Array[];
}

// RFC 8446 §4.2.11
export function readOfferedPsks(r: Reader): OfferedPsks {
  const identities = r.nested(2, 7, 0xffff, (l) => l.list((x) => ({ identity: x.vec16(1), obfuscatedTicketAge: x.u32() })));
  const binders = r.nested(2, 33, 0xffff, (l) => l.list((x) => x.vec8(32, 255)));
  if (identities.length !== binders.length) {
    fail('PSK_BINDER_COUNT', 'illegal_parameter', `${identities.length} PSK identities but ${binders.length} binders`);
  }
  return { identities, binders };
}

export function writeOfferedPsks(p: OfferedPsks): Uint8Array {
  return encode((w) => {
    w.vector16(() => p.identities.forEach((i) => w.vec16(i.identity, 1).u32(i.obfuscatedTicketAge)), 7);
    w.vector16(() => p.binders.forEach((b) => w.vec8(b, 32)), 33);
  });
}

/** Length of the binders list at the end of a ClientHello that carries `p` (RFC 8446 §4.2.11.2). */
export function bindersLength(binderLengths: readonly number[]): number {
  return 2 + binderLengths.reduce((n, l) => n + 1 + l, 0);
}

export function readRecordSizeLimit(r: Reader): number {
  const v = r.u16();
  // RFC 8449 §4: a value below 64 is a fatal illegal_parameter.
  if (v < 64) fail('RECORD_SIZE_LIMIT_TOO_SMALL', 'illegal_parameter', `record_size_limit ${v} is below 64`);
  return v;
}

function empty(_r: Reader): null {
  return null;
}

/** Checks the body of every extension this engine interprets, in the shape its message gives it. */
function validateExtension(e: Extension, ctx: ExtensionContext): void {
  const what = `extension ${e.type} in ${ctx}`;
  const p = <T>(f: (r: Reader) => T): T => parseBody(e.data, f, what);
  switch (e.type) {
    case E.server_name:
      if (ctx === 'CH') p(readServerNameList);
      else p(empty);
      return;
    case E.supported_groups:
      p(readNamedGroupList);
      return;
    case E.signature_algorithms:
    case E.signature_algorithms_cert:
      p(readSignatureSchemeList);
      return;
    case E.application_layer_protocol_negotiation:
      p(readAlpnList);
      return;
    case E.supported_versions:
      if (ctx === 'CH') p(readSupportedVersionsCH);
      else p((r) => r.u16());
      return;
    case E.key_share:
      if (ctx === 'CH') p(readKeyShareCH);
      else if (ctx === 'HRR') p((r) => r.u16());
      else p(readKeyShareEntry);
      return;
    case E.psk_key_exchange_modes:
      p(readPskModes);
      return;
    case E.pre_shared_key:
      if (ctx === 'CH') p(readOfferedPsks);
      else p((r) => r.u16());
      return;
    case E.early_data:
      if (ctx === 'NST') p((r) => r.u32());
      else p(empty);
      return;
    case E.cookie:
      p((r) => r.vec16(1));
      return;
    case E.record_size_limit:
      p(readRecordSizeLimit);
      return;
    case E.post_handshake_auth:
      p(empty);
      return;
    case E.certificate_authorities:
      p((r) => r.nested(2, 3, 0xffff, (l) => l.list((x) => x.vec16(1))));
      return;
    default:
      return;
  }
}
