/**
 * Named peer misbehaviours: each one fails the victim with the exact alert and code, the alert
 * reaches the misbehaving peer on the wire (it reports PEER_ALERT with that alert), and the victim
 * stays failed.
 */
import { describe, expect, it } from 'vitest';
import { ClientConnection, ServerConnection, createTicketSealer, type ClientTicket, type Extension } from '../src/index.js';
import { ExtensionType as E, HELLO_RETRY_REQUEST_RANDOM } from '../src/constants.js';
import { encodeHandshake, type HandshakeMessage } from '../src/messages/handshake.js';
import { encode } from '../src/messages/extensions.js';
import { evilClient, evilServer, type Mutator } from './helpers/evil.js';
import { doHandshake, exchange, makeConfigs, makePair, provider, stubVerifier, testKey, type PairOptions } from './helpers/pair.js';

const ext = (type: number, data: number[] | Uint8Array = []): Extension => ({ type, data: data instanceof Uint8Array ? data : Uint8Array.from(data) });
const withExts = <M extends { extensions: readonly Extension[] }>(b: M, f: (e: Extension[]) => Extension[]): M => ({ ...b, extensions: f([...b.extensions]) });
const drop = (type: number) => (e: Extension[]) => e.filter((x) => x.type !== type);
const replace = (type: number, data: number[] | Uint8Array) => (e: Extension[]) => e.map((x) => (x.type === type ? ext(type, data) : x));
const add = (x: Extension, atEnd = false) => (e: Extension[]) => (atEnd ? [...e, x] : [x, ...e]);
const u16 = (v: number): number[] => [v >> 8, v & 255];

/** Rewrites the message of one type (the `nth` of it) with `f`; other messages pass. */
type Body<T extends HandshakeMessage['type']> = Extract<HandshakeMessage, { type: T }>['body'];
function on<T extends HandshakeMessage['type']>(type: T, f: (body: Body<T>) => HandshakeMessage | Uint8Array | Uint8Array[] | null, nth = 0): Mutator {
  return (m, i) => (m.type === type && i === nth ? f(m.body as unknown as Body<T>) : undefined);
}
const sh = (body: Extract<HandshakeMessage, { type: 'server_hello' }>['body']): HandshakeMessage => ({ type: 'server_hello', body });
const ch = (body: Extract<HandshakeMessage, { type: 'client_hello' }>['body']): HandshakeMessage => ({ type: 'client_hello', body });

interface Case {
  readonly name: string;
  readonly victim: 'client' | 'server';
  readonly code: string;
  readonly alert: string;
  readonly opts?: PairOptions;
  readonly mutate?: Mutator;
  /** Raw bytes fed to a fresh victim instead of a handshake with an evil peer. */
  readonly raw?: (victim: ClientConnection | ServerConnection) => Uint8Array;
  /** Runs after a complete handshake (post-handshake misbehaviour). */
  readonly after?: (evil: ClientConnection | ServerConnection, victim: ClientConnection | ServerConnection) => void;
  readonly session?: boolean;
  readonly earlyData?: number;
  /** The client believes its ticket allows this much 0-RTT. */
  readonly forgedEarlyLimit?: number;
  /** The alert is sent but the misbehaving peer cannot read it (see the case). */
  readonly alertUnreadable?: boolean;
}

const PHA_OPTS: PairOptions = {
  client: { postHandshakeAuth: true, clientCertificate: { chain: testKey('P-256').chain, key: testKey('P-256').pkcs8 } },
  server: { clientVerifier: stubVerifier(testKey('P-256')) },
};
const askForCertificate = (_evil: ClientConnection | ServerConnection, victim: ClientConnection | ServerConnection): void => (victim as ServerConnection).requestClientCertificate();
const HRR_OPTS: PairOptions = { client: { groups: ['x25519', 'secp256r1'], keyShareGroups: ['x25519'] }, server: { groups: ['secp256r1'] } };
const sealerKey = new Uint8Array(32).fill(9);

const CASES: Case[] = [
  // ---- the client facing a misbehaving server ----
  { name: 'server selects a cipher suite not offered', victim: 'client', code: 'SUITE_NOT_OFFERED', alert: 'illegal_parameter',
    opts: { client: { cipherSuites: ['TLS_AES_128_GCM_SHA256'] } }, mutate: on('server_hello', (b) => sh({ ...b, cipherSuite: 0x1302 })) },
  { name: 'server hello with a duplicate extension', victim: 'client', code: 'DUPLICATE_EXTENSION', alert: 'illegal_parameter',
    mutate: on('server_hello', (b) => sh(withExts(b, (e) => [...e, e[e.length - 1] as Extension]))) },
  { name: 'server key share for a group not offered', victim: 'client', code: 'KEY_SHARE_GROUP_NOT_OFFERED', alert: 'illegal_parameter',
    mutate: on('server_hello', (b) => sh(withExts(b, replace(E.key_share, [...u16(0x17), 0, 65, 4, ...new Array<number>(64).fill(1)])))) },
  { name: 'server hello without supported_versions', victim: 'client', code: 'VERSION_NOT_TLS13', alert: 'protocol_version',
    mutate: on('server_hello', (b) => sh(withExts(b, drop(E.supported_versions)))) },
  { name: 'server selects TLS 1.2 in supported_versions', victim: 'client', code: 'BAD_SELECTED_VERSION', alert: 'illegal_parameter',
    mutate: on('server_hello', (b) => sh(withExts(b, replace(E.supported_versions, [3, 3])))) },
  { name: 'server echoes another session id', victim: 'client', code: 'SESSION_ID_MISMATCH', alert: 'illegal_parameter',
    mutate: on('server_hello', (b) => sh({ ...b, legacySessionIdEcho: Uint8Array.of(1) })) },
  { name: 'server hello with a compression method', victim: 'client', code: 'BAD_COMPRESSION', alert: 'illegal_parameter',
    mutate: on('server_hello', (b) => sh({ ...b, legacyCompressionMethod: 1 })) },
  { name: 'server hello with an unsolicited extension', victim: 'client', code: 'UNSOLICITED_EXTENSION', alert: 'unsupported_extension',
    mutate: on('server_hello', (b) => sh(withExts(b, add(ext(0x7777))))) },
  { name: 'server hello with supported_groups (not allowed in SH)', victim: 'client', code: 'EXTENSION_NOT_ALLOWED', alert: 'illegal_parameter',
    mutate: on('server_hello', (b) => sh(withExts(b, add(ext(E.supported_groups, [0, 2, 0, 0x1d]))))) },
  { name: 'server hello without key_share', victim: 'client', code: 'MISSING_KEY_SHARE', alert: 'missing_extension',
    mutate: on('server_hello', (b) => sh(withExts(b, drop(E.key_share)))) },
  { name: 'server selects a PSK that was not offered', victim: 'client', code: 'UNSOLICITED_EXTENSION', alert: 'unsupported_extension',
    mutate: on('server_hello', (b) => sh(withExts(b, add(ext(E.pre_shared_key, [0, 0]))))) },
  { name: 'hello retry request that changes nothing', victim: 'client', code: 'HRR_NO_CHANGE', alert: 'illegal_parameter', opts: HRR_OPTS,
    mutate: on('server_hello', (b) => sh(withExts(b, drop(E.key_share)))) },
  { name: 'hello retry request for a group the client already sent', victim: 'client', code: 'HRR_GROUP_ALREADY_SHARED', alert: 'illegal_parameter', opts: HRR_OPTS,
    mutate: on('server_hello', (b) => sh(withExts(b, replace(E.key_share, u16(0x1d))))) },
  { name: 'hello retry request for a group not offered', victim: 'client', code: 'HRR_GROUP_NOT_OFFERED', alert: 'illegal_parameter', opts: HRR_OPTS,
    mutate: on('server_hello', (b) => sh(withExts(b, replace(E.key_share, u16(0x1e))))) },
  { name: 'a second hello retry request', victim: 'client', code: 'SECOND_HELLO_RETRY', alert: 'unexpected_message', opts: HRR_OPTS,
    mutate: on('server_hello', (b) => sh({ ...b, random: HELLO_RETRY_REQUEST_RANDOM, extensions: [ext(E.key_share, u16(0x17)), ext(E.supported_versions, [3, 4])] }), 1) },
  { name: 'server hello changes the suite of the hello retry request', victim: 'client', code: 'SUITE_CHANGED_AFTER_HRR', alert: 'illegal_parameter', opts: HRR_OPTS,
    mutate: on('server_hello', (b) => sh({ ...b, cipherSuite: 0x1303 }), 1) },
  { name: 'server hello after HRR with a key share for the other group', victim: 'client', code: 'KEY_SHARE_GROUP_NOT_OFFERED', alert: 'illegal_parameter', opts: HRR_OPTS,
    mutate: on('server_hello', (b) => sh(withExts(b, replace(E.key_share, [0, 0x1d, 0, 32, ...new Array<number>(32).fill(9)]))), 1) },
  { name: 'encrypted extensions with unsolicited ALPN', victim: 'client', code: 'UNSOLICITED_EXTENSION', alert: 'unsupported_extension',
    mutate: on('encrypted_extensions', (b) => ({ type: 'encrypted_extensions', body: withExts(b, add(ext(E.application_layer_protocol_negotiation, [0, 3, 2, 104, 50]))) })) },
  { name: 'encrypted extensions selecting an ALPN not offered', victim: 'client', code: 'ALPN_NOT_OFFERED', alert: 'illegal_parameter',
    opts: { client: { alpnProtocols: ['h2'] }, server: { alpnProtocols: ['h2'] } },
    mutate: on('encrypted_extensions', (b) => ({ type: 'encrypted_extensions', body: withExts(b, replace(E.application_layer_protocol_negotiation, [0, 3, 2, 104, 51])) })) },
  { name: 'encrypted extensions with key_share (not allowed in EE)', victim: 'client', code: 'EXTENSION_NOT_ALLOWED', alert: 'illegal_parameter',
    mutate: on('encrypted_extensions', (b) => ({ type: 'encrypted_extensions', body: withExts(b, add(ext(E.key_share, [0, 0x1d, 0, 1, 1]))) })) },
  { name: 'encrypted extensions accepting early data that was not sent', victim: 'client', code: 'UNSOLICITED_EXTENSION', alert: 'unsupported_extension',
    mutate: on('encrypted_extensions', (b) => ({ type: 'encrypted_extensions', body: withExts(b, add(ext(E.early_data))) })) },
  // The client still writes under its early traffic key here; a server that rejected 0-RTT skips
  // such records, so this alert cannot reach it (it is checked on the client only).
  { name: 'encrypted extensions accepting 0-RTT under another suite than the ticket', victim: 'client', code: 'EARLY_DATA_SUITE_MISMATCH', alert: 'illegal_parameter', session: true, earlyData: 10, alertUnreadable: true,
    opts: { server: { cipherSuites: ['TLS_CHACHA20_POLY1305_SHA256', 'TLS_AES_128_GCM_SHA256'] } },
    mutate: on('encrypted_extensions', (b) => ({ type: 'encrypted_extensions', body: withExts(b, add(ext(E.early_data))) })) },
  { name: 'empty server certificate', victim: 'client', code: 'EMPTY_CERTIFICATE', alert: 'decode_error',
    mutate: on('certificate', (b) => ({ type: 'certificate', body: { ...b, certificateList: [] } })) },
  { name: 'server certificate with a request context', victim: 'client', code: 'CERT_CONTEXT', alert: 'illegal_parameter',
    mutate: on('certificate', (b) => ({ type: 'certificate', body: { ...b, certificateRequestContext: Uint8Array.of(1) } })) },
  { name: 'certificate verify with a scheme not offered', victim: 'client', code: 'SIGNATURE_SCHEME_NOT_OFFERED', alert: 'illegal_parameter',
    opts: { client: { signatureSchemes: ['ed25519'] } }, mutate: on('certificate_verify', (b) => ({ type: 'certificate_verify', body: { ...b, algorithm: 0x0403 } })) },
  { name: 'certificate verify with a PKCS#1 scheme', victim: 'client', code: 'SIGNATURE_SCHEME_NOT_OFFERED', alert: 'illegal_parameter',
    mutate: on('certificate_verify', (b) => ({ type: 'certificate_verify', body: { ...b, algorithm: 0x0401 } })) },
  // RFC 8446 §4.2.3: the same PSS signature under the other family's code point is refused.
  { name: 'rsa_pss_rsae_sha256 made with an id-RSASSA-PSS key', victim: 'client', code: 'SIGNATURE_SCHEME_KEY_MISMATCH', alert: 'illegal_parameter',
    opts: { serverKey: testKey('rsa-pss') }, mutate: on('certificate_verify', (b) => ({ type: 'certificate_verify', body: { ...b, algorithm: 0x0804 } })) },
  { name: 'rsa_pss_pss_sha256 made with an rsaEncryption key', victim: 'client', code: 'SIGNATURE_SCHEME_KEY_MISMATCH', alert: 'illegal_parameter',
    opts: { serverKey: testKey('rsa') }, mutate: on('certificate_verify', (b) => ({ type: 'certificate_verify', body: { ...b, algorithm: 0x0809 } })) },
  { name: 'rsa_pss_pss_sha512 with a PSS key bound to SHA-384', victim: 'client', code: 'SIGNATURE_SCHEME_KEY_MISMATCH', alert: 'illegal_parameter',
    opts: { serverKey: testKey('rsa-pss-sha384') }, mutate: on('certificate_verify', (b) => ({ type: 'certificate_verify', body: { ...b, algorithm: 0x080b } })) },
  { name: 'certificate verify with a bad signature', victim: 'client', code: 'BAD_SIGNATURE', alert: 'decrypt_error',
    mutate: on('certificate_verify', (b) => ({ type: 'certificate_verify', body: { ...b, signature: b.signature.map((x, i) => (i === 5 ? x ^ 1 : x)) } })) },
  { name: 'wrong server Finished', victim: 'client', code: 'BAD_FINISHED', alert: 'decrypt_error',
    mutate: on('finished', (b) => ({ type: 'finished', body: { verifyData: b.verifyData.map((x, i) => (i === 0 ? x ^ 1 : x)) } })) },
  { name: 'server Finished of the wrong length', victim: 'client', code: 'BAD_FINISHED', alert: 'decrypt_error',
    mutate: on('finished', (b) => ({ type: 'finished', body: { verifyData: b.verifyData.subarray(1) } })) },
  { name: 'server skips CertificateVerify', victim: 'client', code: 'UNEXPECTED_MESSAGE', alert: 'unexpected_message', mutate: on('certificate_verify', () => null) },
  { name: 'server skips EncryptedExtensions', victim: 'client', code: 'UNEXPECTED_MESSAGE', alert: 'unexpected_message', mutate: on('encrypted_extensions', () => null) },
  { name: 'server sends a ticket inside its flight', victim: 'client', code: 'UNEXPECTED_MESSAGE', alert: 'unexpected_message',
    mutate: on('encrypted_extensions', (b) => [encodeHandshake({ type: 'encrypted_extensions', body: b }), encodeHandshake({ type: 'new_session_ticket', body: { ticketLifetime: 1, ticketAgeAdd: 0, ticketNonce: new Uint8Array(0), ticket: Uint8Array.of(1), extensions: [] } })]) },
  { name: 'certificate request with a context in the handshake', victim: 'client', code: 'CERT_REQUEST_CONTEXT', alert: 'illegal_parameter',
    opts: { server: { clientAuth: 'optional', clientVerifier: stubVerifier() } },
    mutate: on('certificate_request', (b) => ({ type: 'certificate_request', body: { ...b, certificateRequestContext: Uint8Array.of(7) } })) },
  { name: 'certificate chain larger than the handshake message limit', victim: 'client', code: 'HANDSHAKE_MESSAGE_TOO_LARGE', alert: 'illegal_parameter',
    opts: { client: { maxHandshakeMessageSize: 1024 } },
    mutate: on('certificate', (b) => ({ type: 'certificate', body: { ...b, certificateList: [...b.certificateList, { certData: new Uint8Array(2000), extensions: [] }] } })) },
  { name: 'server hello and encrypted data in one cleartext record (spans a key change)', victim: 'client', code: 'HANDSHAKE_SPANS_KEY_CHANGE', alert: 'unexpected_message',
    mutate: on('server_hello', (b) => [encodeHandshake(sh(b)), encodeHandshake({ type: 'encrypted_extensions', body: { extensions: [] } })]) },
  { name: 'certificate rejected by the verifier', victim: 'client', code: 'UNKNOWN_CERTIFICATE', alert: 'bad_certificate',
    opts: { client: { verifier: stubVerifier(testKey('P-256')) } } },
  { name: 'post-handshake KeyUpdate with an invalid request value', victim: 'client', code: 'BAD_KEY_UPDATE', alert: 'illegal_parameter',
    mutate: on('key_update', () => Uint8Array.of(24, 0, 0, 1, 2)), after: (evil) => evil.keyUpdate(false) },
  { name: 'ticket lifetime over seven days', victim: 'client', code: 'TICKET_LIFETIME', alert: 'illegal_parameter',
    opts: { server: { ticketSealer: createTicketSealer(provider, sealerKey) } },
    mutate: on('new_session_ticket', (b) => ({ type: 'new_session_ticket', body: { ...b, ticketLifetime: 604801 } })) },

  // ---- the server facing a misbehaving client ----
  { name: 'client hello without supported_versions', victim: 'server', code: 'NO_SUPPORTED_VERSIONS', alert: 'protocol_version',
    mutate: on('client_hello', (b) => ch(withExts(b, drop(E.supported_versions)))) },
  { name: 'client hello offering only TLS 1.2', victim: 'server', code: 'TLS13_NOT_OFFERED', alert: 'protocol_version',
    mutate: on('client_hello', (b) => ch(withExts(b, replace(E.supported_versions, [2, 3, 3])))) },
  { name: 'client hello with a compression method', victim: 'server', code: 'BAD_COMPRESSION', alert: 'illegal_parameter',
    mutate: on('client_hello', (b) => ch({ ...b, legacyCompressionMethods: Uint8Array.of(1, 0) })) },
  { name: 'client hello with a duplicate extension', victim: 'server', code: 'DUPLICATE_EXTENSION', alert: 'illegal_parameter',
    mutate: on('client_hello', (b) => ch(withExts(b, (e) => [e[0] as Extension, ...e]))) },
  { name: 'client key share for a group not in supported_groups', victim: 'server', code: 'KEY_SHARE_NOT_IN_GROUPS', alert: 'illegal_parameter',
    mutate: on('client_hello', (b) => ch(withExts(b, replace(E.supported_groups, [0, 2, 0, 0x17])))) },
  { name: 'client sends two key shares for one group', victim: 'server', code: 'DUPLICATE_KEY_SHARE', alert: 'illegal_parameter',
    mutate: on('client_hello', (b) => ch(withExts(b, replace(E.key_share, [0, 12, 0, 0x1d, 0, 2, 1, 1, 0, 0x1d, 0, 2, 1, 1])))) },
  { name: 'pre_shared_key not the last extension', victim: 'server', code: 'PSK_NOT_LAST', alert: 'illegal_parameter',
    mutate: on('client_hello', (b) => ch(withExts(b, add(ext(E.pre_shared_key, [0, 7, 0, 1, 1, 0, 0, 0, 0, 0, 33, 32, ...new Array<number>(32).fill(0)]))))) },
  { name: 'no cipher suite in common', victim: 'server', code: 'NO_COMMON_CIPHER_SUITE', alert: 'handshake_failure',
    opts: { client: { cipherSuites: ['TLS_AES_128_CCM_8_SHA256'] }, server: { cipherSuites: ['TLS_AES_128_GCM_SHA256'] } } },
  { name: 'no group in common', victim: 'server', code: 'NO_COMMON_GROUP', alert: 'handshake_failure',
    opts: { client: { groups: ['x448'] }, server: { groups: ['x25519'] } } },
  { name: 'client hello without signature_algorithms', victim: 'server', code: 'MISSING_SIGNATURE_ALGORITHMS', alert: 'missing_extension',
    mutate: on('client_hello', (b) => ch(withExts(b, drop(E.signature_algorithms)))) },
  { name: 'no signature scheme the certificate can make', victim: 'server', code: 'NO_SIGNATURE_SCHEME_IN_COMMON', alert: 'handshake_failure',
    opts: { client: { signatureSchemes: ['ecdsa_secp256r1_sha256'] } } },
  { name: 'no application protocol in common', victim: 'server', code: 'NO_COMMON_ALPN', alert: 'no_application_protocol',
    opts: { client: { alpnProtocols: ['h2'] }, server: { alpnProtocols: ['http/1.1'] } } },
  { name: 'key_share without supported_groups', victim: 'server', code: 'MISSING_GROUPS_OR_SHARES', alert: 'missing_extension',
    mutate: on('client_hello', (b) => ch(withExts(b, drop(E.supported_groups)))) },
  { name: 'client key share that is not a curve point', victim: 'server', code: 'KEY_SHARE_INVALID_PUBLIC_KEY', alert: 'illegal_parameter',
    opts: { client: { groups: ['secp256r1'] }, server: { groups: ['secp256r1'] } },
    mutate: on('client_hello', (b) => ch(withExts(b, replace(E.key_share, [0, 69, 0, 0x17, 0, 65, 4, ...new Array<number>(64).fill(7)])))) },
  { name: 'second client hello without the requested key share', victim: 'server', code: 'HRR_KEY_SHARE_MISMATCH', alert: 'illegal_parameter', opts: HRR_OPTS,
    mutate: on('client_hello', (b) => ch(withExts(b, replace(E.key_share, [0, 36, 0, 0x1d, 0, 32, ...new Array<number>(32).fill(9)]))), 1) },
  { name: 'second client hello with early_data', victim: 'server', code: 'EARLY_DATA_AFTER_HRR', alert: 'illegal_parameter', opts: HRR_OPTS,
    mutate: on('client_hello', (b) => ch(withExts(b, add(ext(E.early_data)))), 1) },
  { name: 'second client hello without the cookie', victim: 'server', code: 'HRR_COOKIE_MISMATCH', alert: 'illegal_parameter',
    opts: { ...HRR_OPTS, server: { groups: ['secp256r1'], helloRetryCookie: () => Uint8Array.of(1, 2, 3) } },
    mutate: on('client_hello', (b) => ch(withExts(b, drop(E.cookie))), 1) },
  { name: 'second client hello with another random', victim: 'server', code: 'HRR_CLIENT_HELLO_CHANGED', alert: 'illegal_parameter', opts: HRR_OPTS,
    mutate: on('client_hello', (b) => ch({ ...b, random: new Uint8Array(32) }), 1) },
  { name: 'PSK binder mismatch', victim: 'server', code: 'BAD_PSK_BINDER', alert: 'decrypt_error', session: true,
    mutate: on('client_hello', (b) => { const raw = encodeHandshake(ch(b)); raw[raw.length - 1] = (raw[raw.length - 1] as number) ^ 1; return raw; }) },
  { name: 'PSK offered without psk_key_exchange_modes', victim: 'server', code: 'MISSING_PSK_MODES', alert: 'missing_extension', session: true,
    mutate: on('client_hello', (b) => ch(withExts(b, drop(E.psk_key_exchange_modes)))) },
  // The limit is the ticket's (1000), not the config's: the client forges a larger one and sends more.
  { name: 'early data past max_early_data_size', victim: 'server', code: 'TOO_MUCH_EARLY_DATA', alert: 'unexpected_message', session: true, earlyData: 1500, forgedEarlyLimit: 100000,
    opts: { server: { ticketSealer: createTicketSealer(provider, sealerKey), maxEarlyDataSize: 100 } } },
  { name: 'wrong client Finished', victim: 'server', code: 'BAD_FINISHED', alert: 'decrypt_error',
    mutate: on('finished', (b) => ({ type: 'finished', body: { verifyData: b.verifyData.map((x, i) => (i === 3 ? x ^ 0x80 : x)) } })) },
  // The server's tickets went out with its first flight, computed over the Finished it expected.
  { name: 'wrong client Finished after tickets with the first flight', victim: 'server', code: 'BAD_FINISHED', alert: 'decrypt_error',
    opts: { server: { ticketSealer: createTicketSealer(provider, sealerKey) } },
    mutate: on('finished', (b) => ({ type: 'finished', body: { verifyData: b.verifyData.map((x, i) => (i === 0 ? x ^ 1 : x)) } })) },
  { name: 'no client certificate when one is required', victim: 'server', code: 'CLIENT_CERTIFICATE_REQUIRED', alert: 'certificate_required',
    opts: { server: { clientAuth: 'required', clientVerifier: stubVerifier(testKey('P-256')) } } },
  { name: 'client CertificateVerify with a scheme not requested', victim: 'server', code: 'SIGNATURE_SCHEME_NOT_OFFERED', alert: 'illegal_parameter',
    opts: { client: { clientCertificate: { chain: testKey('P-256').chain, key: testKey('P-256').pkcs8 } }, server: { clientAuth: 'required', clientVerifier: stubVerifier(testKey('P-256')), signatureSchemes: ['ed25519', 'ecdsa_secp256r1_sha256'] } },
    mutate: on('certificate_verify', (b) => ({ type: 'certificate_verify', body: { ...b, algorithm: 0x0503 } })) },
  { name: 'client CertificateVerify rsa_pss_rsae with an id-RSASSA-PSS key', victim: 'server', code: 'SIGNATURE_SCHEME_KEY_MISMATCH', alert: 'illegal_parameter',
    opts: { client: { clientCertificate: { chain: testKey('rsa-pss').chain, key: testKey('rsa-pss').pkcs8 } }, server: { clientAuth: 'required', clientVerifier: stubVerifier(testKey('rsa-pss')) } },
    mutate: on('certificate_verify', (b) => ({ type: 'certificate_verify', body: { ...b, algorithm: 0x0804 } })) },
  { name: 'client sends EndOfEarlyData without early data', victim: 'server', code: 'UNEXPECTED_MESSAGE', alert: 'unexpected_message',
    mutate: on('finished', (b) => [encodeHandshake({ type: 'end_of_early_data', body: null }), encodeHandshake({ type: 'finished', body: b })]) },
  { name: 'client sends a ServerHello', victim: 'server', code: 'UNEXPECTED_MESSAGE', alert: 'unexpected_message',
    mutate: on('client_hello', (b) => sh({ legacyVersion: 0x0303, random: b.random, legacySessionIdEcho: new Uint8Array(0), cipherSuite: 0x1301, legacyCompressionMethod: 0, extensions: [], isHelloRetryRequest: false })) },
  { name: 'truncated client hello', victim: 'server', code: 'DECODE_ERROR', alert: 'decode_error',
    mutate: on('client_hello', (b) => { const raw = encodeHandshake(ch(b)); const t = raw.slice(0, raw.length - 3); t[3] = (t[3] as number) - 3; t[2] = raw[2] as number; return fixLength(t); }) },
  { name: 'unknown handshake message type', victim: 'server', code: 'UNEXPECTED_MESSAGE', alert: 'unexpected_message',
    mutate: on('client_hello', () => Uint8Array.of(99, 0, 0, 0)) },
  { name: 'client KeyUpdate during the handshake', victim: 'server', code: 'UNEXPECTED_MESSAGE', alert: 'unexpected_message',
    mutate: on('finished', () => Uint8Array.of(24, 0, 0, 1, 0)) },

  // ---- an unexpected message in each state ----
  { name: 'ExpectServerHello gets EncryptedExtensions', victim: 'client', code: 'UNEXPECTED_MESSAGE', alert: 'unexpected_message',
    mutate: on('server_hello', () => encodeHandshake({ type: 'encrypted_extensions', body: { extensions: [] } })) },
  { name: 'ExpectCertificate (after CertificateRequest) gets CertificateVerify', victim: 'client', code: 'UNEXPECTED_MESSAGE', alert: 'unexpected_message',
    opts: { server: { clientAuth: 'optional', clientVerifier: stubVerifier() } }, mutate: on('certificate', () => null) },
  { name: 'client ExpectFinished gets a CertificateRequest', victim: 'client', code: 'UNEXPECTED_MESSAGE', alert: 'unexpected_message',
    mutate: on('certificate_verify', (b) => [encodeHandshake({ type: 'certificate_verify', body: b }), encodeHandshake({ type: 'certificate_request', body: { certificateRequestContext: new Uint8Array(0), extensions: [ext(E.signature_algorithms, [0, 2, 8, 7])] } })]) },
  { name: 'client after the handshake gets EncryptedExtensions', victim: 'client', code: 'UNEXPECTED_MESSAGE', alert: 'unexpected_message',
    opts: { server: { ticketSealer: createTicketSealer(provider, sealerKey) } },
    mutate: on('new_session_ticket', () => encodeHandshake({ type: 'encrypted_extensions', body: { extensions: [] } })) },
  { name: 'server ExpectCertificate gets Finished', victim: 'server', code: 'UNEXPECTED_MESSAGE', alert: 'unexpected_message',
    opts: { server: { clientAuth: 'optional', clientVerifier: stubVerifier() } }, mutate: on('certificate', () => null) },
  { name: 'server ExpectCertificateVerify gets Finished', victim: 'server', code: 'UNEXPECTED_MESSAGE', alert: 'unexpected_message',
    opts: { client: { clientCertificate: { chain: testKey('P-256').chain, key: testKey('P-256').pkcs8 } }, server: { clientAuth: 'required', clientVerifier: stubVerifier(testKey('P-256')) } },
    mutate: on('certificate_verify', () => null) },
  { name: 'server ExpectEndOfEarlyData gets Finished', victim: 'server', code: 'UNEXPECTED_MESSAGE', alert: 'unexpected_message', session: true, earlyData: 10,
    mutate: on('end_of_early_data', () => encodeHandshake({ type: 'finished', body: { verifyData: new Uint8Array(32) } })) },
  { name: 'client skips EndOfEarlyData (its Finished does not open under the early key)', victim: 'server', code: 'BAD_RECORD_MAC', alert: 'bad_record_mac', session: true, earlyData: 10,
    mutate: on('end_of_early_data', () => null) },
  { name: 'server after the handshake gets a NewSessionTicket', victim: 'server', code: 'UNEXPECTED_MESSAGE', alert: 'unexpected_message',
    mutate: on('key_update', () => encodeHandshake({ type: 'new_session_ticket', body: { ticketLifetime: 1, ticketAgeAdd: 0, ticketNonce: new Uint8Array(0), ticket: Uint8Array.of(1), extensions: [] } })),
    after: (evil) => evil.keyUpdate(false) },
  { name: 'tampered stateless retry cookie in the second ClientHello', victim: 'server', code: 'HRR_COOKIE_MISMATCH', alert: 'illegal_parameter',
    opts: { ...HRR_OPTS, server: { groups: ['secp256r1'], statelessRetry: { key: new Uint8Array(32).fill(1) } } },
    mutate: on('client_hello', (b) => ch(withExts(b, (e) => e.map((x) => (x.type === E.cookie ? ext(E.cookie, [...x.data.subarray(0, x.data.length - 1), (x.data[x.data.length - 1] as number) ^ 1]) : x)))), 1) },

  // ---- post-handshake client authentication (RFC 8446 §4.6.2) ----
  { name: 'post-handshake CertificateRequest to a client that did not offer post_handshake_auth', victim: 'client', code: 'UNEXPECTED_MESSAGE', alert: 'unexpected_message',
    mutate: on('key_update', () => encodeHandshake({ type: 'certificate_request', body: { certificateRequestContext: Uint8Array.of(1), extensions: [ext(E.signature_algorithms, [0, 2, 4, 3])] } })),
    after: (evil) => evil.keyUpdate(false) },
  { name: 'post-handshake Certificate nobody asked for', victim: 'server', code: 'UNEXPECTED_MESSAGE', alert: 'unexpected_message',
    mutate: on('key_update', () => encodeHandshake({ type: 'certificate', body: { certificateRequestContext: Uint8Array.of(1), certificateList: [] } })),
    after: (evil) => evil.keyUpdate(false) },
  { name: 'post-handshake Certificate with another request context', victim: 'server', code: 'CERT_CONTEXT', alert: 'illegal_parameter', opts: PHA_OPTS,
    mutate: on('certificate', (b) => ({ type: 'certificate', body: { ...b, certificateRequestContext: Uint8Array.of(9) } })), after: askForCertificate },
  { name: 'post-handshake CertificateVerify with a scheme not requested', victim: 'server', code: 'SIGNATURE_SCHEME_NOT_OFFERED', alert: 'illegal_parameter', opts: PHA_OPTS,
    mutate: on('certificate_verify', (b) => ({ type: 'certificate_verify', body: { ...b, algorithm: 0x0401 } })), after: askForCertificate },
  { name: 'post-handshake CertificateVerify with a bad signature', victim: 'server', code: 'BAD_SIGNATURE', alert: 'decrypt_error', opts: PHA_OPTS,
    mutate: on('certificate_verify', (b) => ({ type: 'certificate_verify', body: { ...b, signature: b.signature.map((x, i) => (i === 9 ? x ^ 1 : x)) } })), after: askForCertificate },
  { name: 'post-handshake Finished that does not verify', victim: 'server', code: 'BAD_FINISHED', alert: 'decrypt_error', opts: PHA_OPTS,
    mutate: on('finished', (b) => ({ type: 'finished', body: { verifyData: b.verifyData.map((x, i) => (i === 0 ? x ^ 1 : x)) } }), 1), after: askForCertificate },
  { name: 'post-handshake CertificateVerify before the Certificate', victim: 'server', code: 'UNEXPECTED_MESSAGE', alert: 'unexpected_message', opts: PHA_OPTS,
    mutate: on('certificate', () => null), after: askForCertificate },

  // ---- record layer ----
  { name: 'record longer than 2^14+256', victim: 'server', code: 'RECORD_OVERFLOW', alert: 'record_overflow', raw: () => Uint8Array.of(22, 3, 3, 0x41, 0x01) },
  { name: 'cleartext record longer than 2^14', victim: 'server', code: 'RECORD_OVERFLOW', alert: 'record_overflow', raw: () => Uint8Array.from([22, 3, 3, 0x40, 0x01, ...new Uint8Array(0x4001)]) },
  { name: 'record of unknown content type', victim: 'server', code: 'UNKNOWN_CONTENT_TYPE', alert: 'unexpected_message', raw: () => Uint8Array.of(99, 3, 3, 0, 1, 0) },
  { name: 'application data before the handshake', victim: 'server', code: 'UNEXPECTED_APPLICATION_DATA', alert: 'unexpected_message', raw: () => Uint8Array.of(23, 3, 3, 0, 1, 0) },
  { name: 'change_cipher_spec before any client hello', victim: 'server', code: 'UNEXPECTED_CHANGE_CIPHER_SPEC', alert: 'unexpected_message', raw: () => Uint8Array.of(20, 3, 3, 0, 1, 1) },
  { name: 'change_cipher_spec with a value other than 1', victim: 'client', code: 'UNEXPECTED_CHANGE_CIPHER_SPEC', alert: 'unexpected_message', raw: () => Uint8Array.of(20, 3, 3, 0, 1, 2) },
  { name: 'alert record of three bytes', victim: 'client', code: 'BAD_ALERT', alert: 'decode_error', raw: () => Uint8Array.of(21, 3, 3, 0, 3, 2, 40, 0) },
  { name: 'zero-length handshake record', victim: 'server', code: 'EMPTY_HANDSHAKE_RECORD', alert: 'unexpected_message', raw: () => Uint8Array.of(22, 3, 3, 0, 0) },
  { name: 'handshake message announcing more than the limit', victim: 'server', code: 'HANDSHAKE_MESSAGE_TOO_LARGE', alert: 'illegal_parameter', raw: () => Uint8Array.of(22, 3, 3, 0, 4, 1, 0x10, 0, 0) },
];

function fixLength(t: Uint8Array): Uint8Array {
  const n = t.length - 4;
  t[1] = n >> 16;
  t[2] = (n >> 8) & 255;
  t[3] = n & 255;
  return t;
}

async function ticketFor(c: Case): Promise<ClientTicket | undefined> {
  if (!c.session) return undefined;
  const p = makePair({ server: { ticketSealer: createTicketSealer(provider, sealerKey), maxEarlyDataSize: 1000 } });
  const ev = await doHandshake(p.client, p.server);
  const t = ev.client.find((e) => e.type === 'session_ticket');
  return (t as { ticket: ClientTicket }).ticket;
}

describe('peer misbehaviour table', () => {
  it('has at least 40 named cases', () => {
    expect(CASES.length).toBeGreaterThanOrEqual(40);
    expect(new Set(CASES.map((c) => c.name)).size).toBe(CASES.length);
  });
  for (const c of CASES) {
    it(`${c.victim} refuses: ${c.name} → ${c.alert} / ${c.code}`, async () => {
      const issued = await ticketFor(c);
      const session = issued !== undefined && c.forgedEarlyLimit !== undefined ? { ...issued, maxEarlyDataSize: c.forgedEarlyLimit } : issued;
      const serverOpts = { ...(c.session ? { ticketSealer: createTicketSealer(provider, sealerKey), maxEarlyDataSize: 1000 } : {}), ...c.opts?.server };
      const cfgs = makeConfigs({ ...c.opts, server: serverOpts });
      let victim: ClientConnection | ServerConnection;
      const events: string[] = [];
      let evil: ClientConnection | ServerConnection;
      const connOpts = { ...(session ? { session } : {}), ...(c.earlyData ? { earlyData: new Uint8Array(c.earlyData) } : {}) };
      if (c.raw) {
        victim = c.victim === 'client' ? new ClientConnection(cfgs.client) : new ServerConnection(cfgs.server);
        victim.pull();
        victim.feed(c.raw(victim));
      } else {
        const identity: Mutator = () => undefined;
        if (c.victim === 'client') {
          victim = new ClientConnection(cfgs.client, connOpts);
          evil = evilServer(cfgs.server, c.mutate ?? identity);
        } else {
          victim = new ServerConnection(cfgs.server);
          evil = evilClient(cfgs.client, c.mutate ?? identity, connOpts);
        }
        const [cl, sv] = c.victim === 'client' ? [victim, evil] : [evil, victim];
        const side = c.victim;
        const ev1 = await exchange(cl, sv);
        events.push(...ev1[side].map((e) => e.type));
        if (c.after) {
          expect(victim.error).toBeNull();
          c.after(evil, victim);
          const ev2 = await exchange(cl, sv);
          events.push(...ev2[side].map((e) => e.type));
        }
        // The alert reached the misbehaving peer, which reports it.
        if (!c.alertUnreadable) {
          expect(evil.error?.code, `evil side: ${evil.error?.message}`).toBe('PEER_ALERT');
          expect(evil.error?.alert).toBe(c.alert);
        }
      }
      expect(victim.error?.message).toBeTruthy();
      expect([victim.error?.code, victim.error?.alert]).toEqual([c.code, c.alert]);
      // Sticky: the connection stays failed, later input is ignored, writes throw the same error.
      expect(victim.state).toBe('Failed');
      victim.feed(Uint8Array.of(22, 3, 3, 0, 1, 1));
      expect(victim.error?.code).toBe(c.code);
      expect(() => victim.write(Uint8Array.of(1))).toThrow(victim.error as Error);
      for (let e = victim.poll(); e !== null; e = victim.poll()) events.push(e.type);
      expect(events.filter((t) => t === 'error')).toHaveLength(1);
    });
  }
});

it('a zero-length extension list helper encodes', () => expect(encode((w) => w.u8(1)).length).toBe(1));
