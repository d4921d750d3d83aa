/**
 * The AEAD names and parameter sets every provider accepts (RFC 8446 §B.4 suites, RFC 5116), and the
 * checks of an `AeadSpec` naming the field that is not supported (RangeError). No cipher code here:
 * importing it pulls in no implementation.
 */
import type { AeadName, AeadSpec } from './types.js';

// RFC 8446 §B.4 cipher suites and their AEADs (RFC 5116 §5, RFC 8439 §2.8; CCM-8 from RFC 6655).
const TLS_AEADS: Readonly<Record<AeadName, AeadSpec>> = {
  'AES-128-GCM': { cipher: 'AES-GCM', keyLength: 16, nonceLength: 12, tagLength: 16 },
  'AES-256-GCM': { cipher: 'AES-GCM', keyLength: 32, nonceLength: 12, tagLength: 16 },
  'CHACHA20-POLY1305': { cipher: 'CHACHA20-POLY1305', keyLength: 32, nonceLength: 12, tagLength: 16 },
  'AES-128-CCM': { cipher: 'AES-CCM', keyLength: 16, nonceLength: 12, tagLength: 16 },
  'AES-128-CCM-8': { cipher: 'AES-CCM', keyLength: 16, nonceLength: 12, tagLength: 8 },
};

const AES_KEY_LENGTHS: readonly number[] = [16, 24, 32];

/** Checks a spec's fields, naming the first one that is not supported. */
function checkSpec(spec: AeadSpec): void {
  const { cipher, keyLength, nonceLength, tagLength } = spec;
  const refuse = (field: string, value: unknown, allowed: string): never => {
    throw new RangeError(`unsupported ${String(cipher)} ${field}: ${String(value)} (supported: ${allowed})`);
  };
  switch (cipher) {
    case 'AES-GCM':
      if (!AES_KEY_LENGTHS.includes(keyLength)) refuse('keyLength', keyLength, '16, 24, 32');
      // SP 800-38D §5.2.1.1 allows any IV length of at least one byte.
      if (!Number.isSafeInteger(nonceLength) || nonceLength < 1) refuse('nonceLength', nonceLength, '1 or more');
      if (tagLength !== 16) refuse('tagLength', tagLength, '16');
      return;
    case 'CHACHA20-POLY1305':
      if (keyLength !== 32) refuse('keyLength', keyLength, '32');
      if (nonceLength !== 12) refuse('nonceLength', nonceLength, '12');
      if (tagLength !== 16) refuse('tagLength', tagLength, '16');
      return;
    case 'AES-CCM':
      if (!AES_KEY_LENGTHS.includes(keyLength)) refuse('keyLength', keyLength, '16, 24, 32');
      // RFC 3610 §2 / SP 800-38C A.1: nonce 7..13 bytes, tag 4..16 bytes and even.
      if (!Number.isInteger(nonceLength) || nonceLength < 7 || nonceLength > 13) refuse('nonceLength', nonceLength, '7..13');
      if (!Number.isInteger(tagLength) || tagLength < 4 || tagLength > 16 || tagLength % 2 !== 0) refuse('tagLength', tagLength, '4..16, even');
      return;
    default:
      throw new RangeError(`unsupported AEAD cipher: ${String(cipher)}`);
  }
}

export function resolveAeadSpec(spec: AeadName | AeadSpec): { name: string; spec: AeadSpec } {
  if (typeof spec === 'string') {
    const known = Object.hasOwn(TLS_AEADS, spec) ? TLS_AEADS[spec] : undefined;
    if (known === undefined) throw new RangeError(`unsupported AEAD: ${spec}`);
    return { name: spec, spec: known };
  }
  if (typeof spec !== 'object' || spec === null) throw new TypeError('spec must be an AEAD name or an AeadSpec');
  checkSpec(spec);
  const { cipher, keyLength, nonceLength, tagLength } = spec;
  const tls = (Object.keys(TLS_AEADS) as AeadName[]).find((n) => {
    const s = TLS_AEADS[n];
    return s.cipher === cipher && s.keyLength === keyLength && s.nonceLength === nonceLength && s.tagLength === tagLength;
  });
  const copy: AeadSpec = { cipher, keyLength, nonceLength, tagLength };
  return { name: tls ?? `${cipher} (key ${keyLength}, nonce ${nonceLength}, tag ${tagLength})`, spec: copy };
}
