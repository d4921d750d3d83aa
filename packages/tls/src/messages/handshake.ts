/**
 * Handshake framing (RFC 8446 §4): `struct { HandshakeType msg_type; uint24 length; body }` and the
 * tagged union of decoded messages. Each decoded message keeps its raw bytes for the transcript.
 */
import { DecodeError, Reader, Writer } from '@puretls/wire';
import { HandshakeType as H, handshakeTypeName } from '../constants.js';
import { fail } from '../errors.js';
import { type Certificate, readCertificate, writeCertificate } from './certificate.js';
import { type CertificateRequest, readCertificateRequest, writeCertificateRequest } from './certificate-request.js';
import { type CertificateVerify, readCertificateVerify, writeCertificateVerify } from './certificate-verify.js';
import { type ClientHello, readClientHello, writeClientHello } from './client-hello.js';
import { type EncryptedExtensions, readEncryptedExtensions, writeEncryptedExtensions } from './encrypted-extensions.js';
import { type Finished, readFinished, writeFinished } from './finished.js';
import { type KeyUpdate, readKeyUpdate, writeKeyUpdate } from './key-update.js';
import { type NewSessionTicket, readNewSessionTicket, writeNewSessionTicket } from './new-session-ticket.js';
import { readServerHello, type ServerHello, writeServerHello } from './server-hello.js';

export type HandshakeMessage =
  | { readonly type: 'client_hello'; readonly body: ClientHello }
  | { readonly type: 'server_hello'; readonly body: ServerHello }
  | { readonly type: 'new_session_ticket'; readonly body: NewSessionTicket }
  | { readonly type: 'end_of_early_data'; readonly body: null }
  | { readonly type: 'encrypted_extensions'; readonly body: EncryptedExtensions }
  | { readonly type: 'certificate'; readonly body: Certificate }
  | { readonly type: 'certificate_request'; readonly body: CertificateRequest }
  | { readonly type: 'certificate_verify'; readonly body: CertificateVerify }
  | { readonly type: 'finished'; readonly body: Finished }
  | { readonly type: 'key_update'; readonly body: KeyUpdate };

export type HandshakeTypeName = HandshakeMessage['type'];

/** A decoded message with the exact bytes it came from (header included). */
export type RawHandshake = HandshakeMessage & { readonly raw: Uint8Array };

/** Decodes one complete handshake message (header + body, as reassembled by the record layer). */
export function parseHandshake(raw: Uint8Array, datagram = false): RawHandshake {
  const r = new Reader(raw);
  const t = r.u8();
  const body = r.sub24();
  r.end('handshake message');
  let m: HandshakeMessage;
  switch (t) {
    case H.client_hello:
      m = { type: 'client_hello', body: readClientHello(body, datagram) };
      break;
    case H.server_hello:
      m = { type: 'server_hello', body: readServerHello(body) };
      break;
    case H.new_session_ticket:
      m = { type: 'new_session_ticket', body: readNewSessionTicket(body) };
      break;
    case H.end_of_early_data:
      m = { type: 'end_of_early_data', body: null };
      break;
    case H.encrypted_extensions:
      m = { type: 'encrypted_extensions', body: readEncryptedExtensions(body) };
      break;
    case H.certificate:
      m = { type: 'certificate', body: readCertificate(body) };
      break;
    case H.certificate_request:
      m = { type: 'certificate_request', body: readCertificateRequest(body) };
      break;
    case H.certificate_verify:
      m = { type: 'certificate_verify', body: readCertificateVerify(body) };
      break;
    case H.finished:
      m = { type: 'finished', body: readFinished(body) };
      break;
    case H.key_update:
      m = { type: 'key_update', body: readKeyUpdate(body) };
      break;
    default:
      // RFC 8446 §4: an unknown or out-of-protocol handshake type is an unexpected_message.
      fail('UNEXPECTED_MESSAGE', 'unexpected_message', `unexpected handshake message ${handshakeTypeName(t)}`);
  }
  if (!body.atEnd) throw new DecodeError(`${body.remaining} trailing byte(s) in ${m.type}`);
  return { ...m, raw } as RawHandshake;
}

/** Encodes a message with its 4-byte header. */
export function encodeHandshake(m: HandshakeMessage): Uint8Array {
  const w = new Writer(512);
  w.u8(H[m.type]);
  w.vector24(() => {
    switch (m.type) {
      case 'client_hello':
        return writeClientHello(w, m.body);
      case 'server_hello':
        return writeServerHello(w, m.body);
      case 'new_session_ticket':
        return writeNewSessionTicket(w, m.body);
      case 'end_of_early_data':
        return;
      case 'encrypted_extensions':
        return writeEncryptedExtensions(w, m.body);
      case 'certificate':
        return writeCertificate(w, m.body);
      case 'certificate_request':
        return writeCertificateRequest(w, m.body);
      case 'certificate_verify':
        return writeCertificateVerify(w, m.body);
      case 'finished':
        return writeFinished(w, m.body);
      case 'key_update':
        return writeKeyUpdate(w, m.body);
    }
  });
  return w.finish();
}

/** message_hash synthetic message replacing ClientHello1 after a HelloRetryRequest (RFC 8446 §4.4.1). */
export function messageHash(hashOfClientHello1: Uint8Array): Uint8Array {
  const out = new Uint8Array(4 + hashOfClientHello1.length);
  out[0] = H.message_hash;
  out[3] = hashOfClientHello1.length;
  out.set(hashOfClientHello1, 4);
  return out;
}
