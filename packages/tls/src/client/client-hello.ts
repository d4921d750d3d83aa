/**
 * Building the client's ClientHello (RFC 8446 §4.1.2): extensions in a fixed order, the optional
 * RFC 7685 padding, and the PSK binder computed over the truncated message (RFC 8446 §4.2.11.2).
 */
import { SignatureScheme, type KeyPair, type NamedGroupName } from '@puretls/crypto';
import { ExtensionType as E, PskKeyExchangeMode, TLS12, TLS13 } from '../constants.js';
import type { ClientConfig } from '../config.js';
import { utf8 } from '../bytes.js';
import { groupCode } from '../groups.js';
import { encode, writeAlpnList, writeKeyShareCH, writeOfferedPsks, writeServerNameList, writeU16List, type Extension } from '../messages/extensions.js';
import { encodeHandshake } from '../messages/handshake.js';
import { CipherSuite } from '../suites.js';
import { TLS13_VARIANT, type ProtocolVariant } from '../variant.js';

export interface PskOffer {
  readonly identity: Uint8Array;
  readonly obfuscatedTicketAge: number;
  readonly binderLength: number;
}

export interface ClientHelloParams {
  readonly config: ClientConfig;
  readonly random: Uint8Array;
  readonly sessionId: Uint8Array;
  readonly serverName: string | undefined;
  readonly keyShares: readonly { group: NamedGroupName; keyPair: KeyPair }[];
  readonly cookie: Uint8Array | undefined;
  readonly earlyData: boolean;
  readonly psk: PskOffer | undefined;
  /** TLS 1.3 by default; DTLS 1.3 changes the versions and adds legacy_cookie (RFC 9147 §5.3). */
  readonly variant?: ProtocolVariant;
  /** Appended before pre_shared_key (e.g. DTLS connection_id). */
  readonly extraExtensions?: readonly Extension[];
}

export interface BuiltClientHello {
  /** The whole message with zero binders (patch with `withBinder`). */
  readonly raw: Uint8Array;
  readonly extensionTypes: ReadonlySet<number>;
  /** Length of the binders list at the end (0 without PSK). */
  readonly bindersLength: number;
  /** The record_size_limit advertised (after the extension hook), if any. */
  readonly recordSizeLimit: number | undefined;
}

/** A literal IPv4/IPv6 address is not sent as SNI (RFC 6066 §3). */
function isIpLiteral(name: string): boolean {
  return /^[0-9.]+$/.test(name) || name.includes(':');
}

export function buildClientHello(p: ClientHelloParams): BuiltClientHello {
  const c = p.config;
  const v = p.variant ?? TLS13_VARIANT;
  let exts: Extension[] = [];
  if (p.serverName !== undefined && !isIpLiteral(p.serverName)) exts.push({ type: E.server_name, data: writeServerNameList(p.serverName) });
  if (c.alpnProtocols.length > 0) exts.push({ type: E.application_layer_protocol_negotiation, data: writeAlpnList(c.alpnProtocols.map(utf8)) });
  exts.push({ type: E.supported_groups, data: writeU16List(c.groups.map(groupCode)) });
  exts.push({ type: E.key_share, data: writeKeyShareCH(p.keyShares.map((k) => ({ group: groupCode(k.group), keyExchange: k.keyPair.publicKey }))) });
  if (p.earlyData) exts.push({ type: E.early_data, data: new Uint8Array(0) });
  exts.push({ type: E.supported_versions, data: encode((w) => w.vector8(() => w.u16(v === TLS13_VARIANT ? TLS13 : v.version), 2)) });
  exts.push({ type: E.signature_algorithms, data: writeU16List(c.signatureSchemes.map((s) => SignatureScheme[s])) });
  if (c.certificateSignatureSchemes !== undefined) {
    exts.push({ type: E.signature_algorithms_cert, data: writeU16List(c.certificateSignatureSchemes.map((s) => SignatureScheme[s])) });
  }
  if (p.cookie !== undefined) exts.push({ type: E.cookie, data: encode((w) => w.vec16(p.cookie as Uint8Array, 1)) });
  const modes = c.allowPskOnlyResumption ? [PskKeyExchangeMode.psk_dhe_ke, PskKeyExchangeMode.psk_ke] : [PskKeyExchangeMode.psk_dhe_ke];
  exts.push({ type: E.psk_key_exchange_modes, data: encode((w) => w.vector8(() => modes.forEach((m) => w.u8(m)), 1)) });
  if (c.recordSizeLimit !== undefined) exts.push({ type: E.record_size_limit, data: encode((w) => w.u16(c.recordSizeLimit as number)) });
  // RFC 8446 §4.2.6: willing to authenticate after the handshake.
  if (c.postHandshakeAuth === true) exts.push({ type: E.post_handshake_auth, data: new Uint8Array(0) });
  if (p.extraExtensions !== undefined) exts.push(...p.extraExtensions);
  if (c.extensionHook !== undefined) exts = [...c.extensionHook('client_hello', exts)];

  const pskExt: Extension | undefined =
    p.psk === undefined
      ? undefined
      : {
          type: E.pre_shared_key,
          data: writeOfferedPsks({
            identities: [{ identity: p.psk.identity, obfuscatedTicketAge: p.psk.obfuscatedTicketAge }],
            binders: [new Uint8Array(p.psk.binderLength)],
          }),
        };
  const message = (list: Extension[]): Uint8Array =>
    encodeHandshake({
      type: 'client_hello',
      body: {
        legacyVersion: v === TLS13_VARIANT ? TLS12 : v.legacyVersion,
        random: p.random,
        legacySessionId: p.sessionId,
        // RFC 9147 §5.3: a DTLS 1.3 client sends an empty legacy_cookie.
        ...(v.datagram ? { legacyCookie: new Uint8Array(0) } : {}),
        cipherSuites: c.cipherSuites.map((s) => CipherSuite[s].code),
        legacyCompressionMethods: Uint8Array.of(0),
        extensions: list,
      },
    });
  const withPsk = (list: Extension[]): Extension[] => (pskExt === undefined ? list : [...list, pskExt]);
  let raw = message(withPsk(exts));
  if (c.padClientHello && raw.length >= 256 && raw.length < 512) {
    // RFC 7685: pad to 512 bytes (works around servers that hang on 256..511-byte hellos).
    let padLen = 512 - raw.length;
    padLen = padLen >= 5 ? padLen - 4 : 1;
    exts.push({ type: E.padding, data: new Uint8Array(padLen) });
    raw = message(withPsk(exts));
  }
  const all = withPsk(exts);
  const rsl = exts.find((e) => e.type === E.record_size_limit);
  return {
    raw,
    extensionTypes: new Set(all.map((e) => e.type)),
    bindersLength: p.psk === undefined ? 0 : 2 + 1 + p.psk.binderLength,
    recordSizeLimit: rsl !== undefined && rsl.data.length === 2 ? ((rsl.data[0] as number) << 8) | (rsl.data[1] as number) : undefined,
  };
}

/** Writes the binder into the last bytes of the ClientHello (one PSK offered). */
export function withBinder(raw: Uint8Array, binder: Uint8Array): Uint8Array {
  const out = raw.slice();
  out.set(binder, out.length - binder.length);
  return out;
}
