import { codeAndAlertOf } from './helpers/errors.js';
import { describe, expect, it } from 'vitest';
import { loadTrace, hex, toHex, vectorsAvailable, vectorsMissingReason, type TraceName } from '@puretls/test-vectors';
import { Reader } from '@puretls/wire';
import { encodeHandshake, parseHandshake } from '../src/messages/handshake.js';
import { readExtensions, writeExtensions } from '../src/messages/extensions.js';
import { Writer } from '@puretls/wire';

const TRACES: TraceName[] = ['simple-1rtt', 'resumed-0rtt', 'hello-retry-request', 'client-authentication', 'compatibility-mode'];
const MESSAGE_LABELS = new Set([
  'ClientHello', 'ServerHello', 'EncryptedExtensions', 'Certificate', 'CertificateRequest', 'CertificateVerify',
  'Finished', 'NewSessionTicket', 'EndOfEarlyData',
]);

function splitMessages(payload: Uint8Array): Uint8Array[] {
  const out: Uint8Array[] = [];
  let at = 0;
  while (at < payload.length) {
    const len = ((payload[at + 1] as number) << 16) | ((payload[at + 2] as number) << 8) | (payload[at + 3] as number);
    out.push(payload.subarray(at, at + 4 + len));
    at += 4 + len;
  }
  return out;
}

if (!vectorsAvailable) {
  it('RFC 8448 message codecs', (ctx) => ctx.skip(vectorsMissingReason));
} else {
  describe('every RFC 8448 handshake message parses and re-encodes byte for byte', () => {
    for (const name of TRACES) {
      it(name, () => {
        const trace = loadTrace(name);
        const messages: Uint8Array[] = [];
        for (const e of trace.entries) {
          if (e.hex === null) continue;
          const bytes = hex(e.hex);
          if (MESSAGE_LABELS.has(e.label)) {
            const declared = ((bytes[1] as number) << 16) | ((bytes[2] as number) << 8) | (bytes[3] as number);
            // §4's "ClientHello" entry is the prefix hashed for the binder; the full message is in the record.
            if (declared + 4 === bytes.length) messages.push(bytes);
          }
          const step = trace.steps[e.step];
          if (e.label === 'payload' && step?.description === 'send handshake record' && e.length !== null) {
            const rec = trace.entries.find((x) => x.step === e.step && x.label === 'complete record');
            // Only cleartext records (content type 22 in the header) carry messages verbatim.
            if (rec?.hex?.startsWith('16')) messages.push(...splitMessages(bytes));
          }
        }
        expect(messages.length).toBeGreaterThan(4);
        const kinds = new Set<string>();
        for (const m of messages) {
          const parsed = parseHandshake(m);
          kinds.add(parsed.type);
          expect(toHex(encodeHandshake(parsed))).toBe(toHex(m));
        }
        expect(kinds.has('client_hello') && kinds.has('server_hello') && kinds.has('finished')).toBe(true);
      });
    }
  });
}

describe('extension block parser', () => {
  const block = (exts: [number, number[]][]): Reader => {
    const w = new Writer();
    writeExtensions(w, exts.map(([type, d]) => ({ type, data: Uint8Array.from(d) })));
    return new Reader(w.finish());
  };
  it('refuses_duplicate_extensions with illegal_parameter', () => {
    expect(codeAndAlertOf(() => readExtensions(block([[43, [2, 3, 4]], [43, [2, 3, 4]]]), 'CH'))).toEqual(['DUPLICATE_EXTENSION', 'illegal_parameter']);
  });
  it('refuses_extension_in_wrong_message with illegal_parameter', () => {
    // psk_key_exchange_modes is CH-only; in EE it is illegal.
    expect(codeAndAlertOf(() => readExtensions(block([[45, [1, 1]]]), 'EE'))).toEqual(['EXTENSION_NOT_ALLOWED', 'illegal_parameter']);
    expect(codeAndAlertOf(() => readExtensions(block([[10, [0, 2, 0, 29]]]), 'SH'))).toEqual(['EXTENSION_NOT_ALLOWED', 'illegal_parameter']);
  });
  it('refuses_pre_shared_key_not_last', () => {
    const psk = [0, 7, 0, 1, 0xaa, 0, 0, 0, 0, 0, 33, 32, ...new Array<number>(32).fill(0)];
    expect(codeAndAlertOf(() => readExtensions(block([[41, psk], [43, [2, 3, 4]]]), 'CH'))).toEqual(['PSK_NOT_LAST', 'illegal_parameter']);
  });
  it('accepts_unknown_extension', () => {
    expect(readExtensions(block([[0x7777, [1, 2, 3]]]), 'CH')).toHaveLength(1);
  });
  it('refuses_malformed_known_extension_with_decode_error', () => {
    expect(codeAndAlertOf(() => readExtensions(block([[43, [5, 3, 4]]]), 'CH'))).toEqual(['DECODE_ERROR', 'decode_error']);
  });
  it('refuses_duplicate_key_share_groups', () => {
    expect(codeAndAlertOf(() => readExtensions(block([[51, [0, 10, 0, 29, 0, 1, 9, 0, 29, 0, 1, 9]]]), 'CH'))).toEqual(['DUPLICATE_KEY_SHARE', 'illegal_parameter']);
  });
  it('no_strict_prefix_of_a_message_parses', () => {
    if (!vectorsAvailable) return;
    const trace = loadTrace('simple-1rtt');
    for (const label of ['ClientHello', 'ServerHello', 'EncryptedExtensions', 'Certificate', 'CertificateVerify', 'NewSessionTicket']) {
      const e = trace.entries.find((x) => x.label === label);
      const full = hex(e?.hex ?? '');
      for (let n = 0; n < full.length; n++) expect(() => parseHandshake(full.subarray(0, n))).toThrow();
    }
  });
});
