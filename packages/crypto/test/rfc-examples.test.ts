/**
 * Worked examples printed in RFCs, recomputed with the noble provider:
 * - RFC 8439 §2.8.2, the AEAD_CHACHA20_POLY1305 example (values copied from shared/rfc/rfc8439.txt);
 * - RFC 8448 §3 (simple 1-RTT handshake): every HKDF computation of the trace — extract secret,
 *   derive secret, derive traffic keys, calculate finished, generate resumption secret — through
 *   the provider and hkdfExpandLabel / deriveSecret / encodeHkdfLabel, with each printed `info`
 *   compared to encodeHkdfLabel and each `hash` to the transcript hash of the trace's messages;
 *   then every protected record of the trace sealed and opened with the derived AES-128-GCM keys.
 */
import { describe, expect, it } from 'vitest';
import { hex, loadTrace, toHex, vectorsAvailable, vectorsMissingReason, type Trace, type TraceStep } from '@puretls/test-vectors';
import { deriveSecret, encodeHkdfLabel, hkdfExpandLabel } from '@puretls/crypto';
import { createNobleProvider } from '@puretls/crypto/noble';

const provider = createNobleProvider();

describe('RFC 8439 §2.8.2 AEAD_CHACHA20_POLY1305 example', () => {
  // Plaintext: "Ladies and Gentlemen of the class of '99: If I could offer you only one tip for the future, sunscreen would be it."
  const plaintext =
    '4c616469657320616e642047656e746c656d656e206f662074686520636c6173' +
    '73206f66202739393a204966204920636f756c64206f6666657220796f75206f' +
    '6e6c79206f6e652074697020666f7220746865206675747572652c2073756e73' +
    '637265656e20776f756c642062652069742e';
  const aad = '50515253c0c1c2c3c4c5c6c7';
  const key = '808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f';
  // nonce = 32-bit fixed-common part 07000000 || IV 4041424344454647
  const nonce = '070000004041424344454647';
  const ciphertext =
    'd31a8d34648e60db7b86afbc53ef7ec2a4aded51296e08fea9e2b5a736ee62d6' +
    '3dbea45e8ca9671282fafb69da92728b1a71de0a9e060b2905d6a5b67ecd3b36' +
    '92ddbd7f2d778b8c9803aee328091b58fab324e4fad675945585808b4831d7bc' +
    '3ff4def08e4b7a9de576d26586cec64b6116';
  const tag = '1ae10b594f09e26a7e902ecbd0600691';

  it('seals to the printed ciphertext and tag, and opens back', () => {
    const aead = provider.aead('CHACHA20-POLY1305').create(hex(key));
    expect(toHex(aead.seal(hex(nonce), hex(plaintext), hex(aad)))).toBe(ciphertext + tag);
    const opened = aead.open(hex(nonce), hex(ciphertext + tag), hex(aad));
    expect(opened === null ? null : toHex(opened)).toBe(plaintext);
  });
});

// --- RFC 8448 §3 ---

const HASH = 'SHA-256';
const EMPTY = new Uint8Array(0);

function valueOf(trace: Trace, step: TraceStep, label: string): Uint8Array {
  const e = trace.entries.find((x) => x.step === step.index && x.label === label);
  if (e === undefined || e.hex === null) throw new Error(`RFC 8448 §3 step ${step.index} "${step.description}" has no hex "${label}"`);
  return hex(e.hex);
}

function stepOf(trace: Trace, side: 'client' | 'server', description: string): TraceStep {
  const s = trace.steps.find((x) => x.side === side && x.description === description);
  if (s === undefined) throw new Error(`RFC 8448 §3: no ${side} step "${description}"`);
  return s;
}

/** The handshake messages of the trace, in transcript order. */
function messages(trace: Trace): Record<'CH' | 'SH' | 'EE' | 'CT' | 'CV' | 'SF' | 'CF' | 'NST', Uint8Array> {
  const m = (side: 'client' | 'server', what: string, label = what): Uint8Array =>
    valueOf(trace, stepOf(trace, side, `construct a${/^[AEIOU]/.test(what) ? 'n' : ''} ${what} handshake message`), label);
  return {
    CH: m('client', 'ClientHello'),
    SH: m('server', 'ServerHello'),
    EE: m('server', 'EncryptedExtensions'),
    CT: m('server', 'Certificate'),
    CV: m('server', 'CertificateVerify'),
    SF: m('server', 'Finished'),
    CF: m('client', 'Finished'),
    NST: m('server', 'NewSessionTicket'),
  };
}

const transcriptHash = (...msgs: Uint8Array[]): Uint8Array => {
  const ctx = provider.hash(HASH).create();
  for (const msg of msgs) ctx.update(msg);
  return ctx.digest();
};

type Kind = 'extract' | 'derive secret' | 'traffic keys' | 'finished' | 'resumption';

function kindOf(description: string): Kind | undefined {
  if (/^extract secret "/.test(description)) return 'extract';
  if (/^derive secret (for \w+ )?"tls13 /.test(description)) return 'derive secret';
  if (/^derive (read|write) traffic keys /.test(description)) return 'traffic keys';
  if (/^calculate finished "tls13 finished"/.test(description)) return 'finished';
  if (/^generate resumption secret "tls13 resumption"/.test(description)) return 'resumption';
  return undefined;
}

if (!vectorsAvailable) {
  it('RFC 8448 §3 derivations', (ctx) => ctx.skip(vectorsMissingReason));
} else {
  describe('RFC 8448 §3 simple 1-RTT handshake, recomputed', () => {
    const trace = loadTrace('simple-1rtt');
    const msg = messages(trace);
    // Transcript hashes each Derive-Secret of RFC 8446 §7.1 is called with.
    const hashFor: Record<string, Uint8Array> = {
      derived: transcriptHash(),
      'c hs traffic': transcriptHash(msg.CH, msg.SH),
      's hs traffic': transcriptHash(msg.CH, msg.SH),
      'c ap traffic': transcriptHash(msg.CH, msg.SH, msg.EE, msg.CT, msg.CV, msg.SF),
      's ap traffic': transcriptHash(msg.CH, msg.SH, msg.EE, msg.CT, msg.CV, msg.SF),
      'exp master': transcriptHash(msg.CH, msg.SH, msg.EE, msg.CT, msg.CV, msg.SF),
      'res master': transcriptHash(msg.CH, msg.SH, msg.EE, msg.CT, msg.CV, msg.SF, msg.CF),
    };
    // RFC 8446 §4.4.4: each Finished covers the transcript up to the message before it.
    const finishedHash = {
      server: transcriptHash(msg.CH, msg.SH, msg.EE, msg.CT, msg.CV),
      client: transcriptHash(msg.CH, msg.SH, msg.EE, msg.CT, msg.CV, msg.SF),
    };

    it('recomputes every HKDF step of the trace', () => {
      const done: Record<Kind, number> = { extract: 0, 'derive secret': 0, 'traffic keys': 0, finished: 0, resumption: 0 };
      let comparisons = 0;
      const same = (actual: Uint8Array, expected: Uint8Array, what: string): void => {
        expect(toHex(actual), what).toBe(toHex(expected));
        comparisons++;
      };
      for (const step of trace.steps) {
        const kind = kindOf(step.description);
        if (kind === undefined) continue;
        const where = `step ${step.index} ${step.side} ${step.description}`;
        if (step.same_as !== undefined) {
          // "(same as ...)" steps print nothing of their own.
          expect(trace.entries.filter((e) => e.step === step.index), where).toEqual([]);
          continue;
        }
        const get = (label: string): Uint8Array => valueOf(trace, step, label);
        const label = /"tls13 ([^"]+)"/.exec(step.description)?.[1];
        switch (kind) {
          case 'extract': {
            const saltEntry = trace.entries.find((e) => e.step === step.index && e.label === 'salt');
            // "salt: 0 (all zero octets)" is Hash.length zero bytes (README of the traces).
            const salt = saltEntry?.hex == null ? new Uint8Array(32) : hex(saltEntry.hex);
            same(provider.hkdfExtract(HASH, salt, get('IKM')), get('secret'), `${where}: secret`);
            break;
          }
          case 'derive secret': {
            if (label === undefined) throw new Error(`${where}: no label`);
            const expectedHash = hashFor[label];
            if (expectedHash === undefined) throw new Error(`${where}: no transcript for "${label}"`);
            same(get('hash'), expectedHash, `${where}: hash = transcript hash`);
            same(get('info'), encodeHkdfLabel(32, label, get('hash')), `${where}: info`);
            same(deriveSecret(provider, HASH, get('PRK'), label, get('hash')), get('expanded'), `${where}: expanded`);
            break;
          }
          case 'traffic keys': {
            // RFC 8446 §7.3: key = HKDF-Expand-Label(Secret, "key", "", 16), iv = (..., "iv", "", 12).
            same(get('key info'), encodeHkdfLabel(16, 'key', EMPTY), `${where}: key info`);
            same(hkdfExpandLabel(provider, HASH, get('PRK'), 'key', EMPTY, 16), get('key expanded'), `${where}: key`);
            same(get('iv info'), encodeHkdfLabel(12, 'iv', EMPTY), `${where}: iv info`);
            same(hkdfExpandLabel(provider, HASH, get('PRK'), 'iv', EMPTY, 12), get('iv expanded'), `${where}: iv`);
            break;
          }
          case 'finished': {
            // RFC 8446 §4.4.4: finished_key = HKDF-Expand-Label(BaseKey, "finished", "", 32),
            // verify_data = HMAC(finished_key, Transcript-Hash(...)).
            same(get('info'), encodeHkdfLabel(32, 'finished', EMPTY), `${where}: info`);
            const finishedKey = hkdfExpandLabel(provider, HASH, get('PRK'), 'finished', EMPTY, 32);
            same(finishedKey, get('expanded'), `${where}: finished_key`);
            const verifyData = provider.hmac(HASH, finishedKey, finishedHash[step.side]);
            same(verifyData, get('finished'), `${where}: verify_data`);
            same(Uint8Array.of(20, 0, 0, 32, ...verifyData), step.side === 'server' ? msg.SF : msg.CF, `${where}: Finished message`);
            break;
          }
          case 'resumption': {
            // RFC 8446 §4.6.1: HKDF-Expand-Label(resumption_master_secret, "resumption", ticket_nonce, 32);
            // the NewSessionTicket's nonce sits after type(1) length(3) lifetime(4) age_add(4) and its length byte.
            const nonceLength = msg.NST[12] as number;
            same(get('hash'), msg.NST.subarray(13, 13 + nonceLength), `${where}: hash = ticket_nonce`);
            same(get('info'), encodeHkdfLabel(32, 'resumption', get('hash')), `${where}: info`);
            same(hkdfExpandLabel(provider, HASH, get('PRK'), 'resumption', get('hash'), 32), get('expanded'), `${where}: expanded`);
            break;
          }
        }
        done[kind]++;
      }
      // RFC 8448 §3 prints 3 extractions (early, handshake, master), 9 Derive-Secret calls (server and
      // client "derived" for handshake, c/s hs traffic, "derived" for master, c/s ap traffic, exp master,
      // res master), 4 traffic key derivations, 2 Finished computations and 1 resumption secret.
      expect(done).toEqual({ extract: 3, 'derive secret': 9, 'traffic keys': 4, finished: 2, resumption: 1 });
      expect(comparisons).toBe(3 * 1 + 9 * 3 + 4 * 4 + 2 * 4 + 1 * 3);
    });

    it('seals and opens every protected record with the derived AES-128-GCM keys', () => {
      const aead = provider.aead('AES-128-GCM');
      const keys = (side: 'client' | 'server', description: string): { key: Uint8Array; iv: Uint8Array } => {
        const s = stepOf(trace, side, description);
        return { key: valueOf(trace, s, 'key expanded'), iv: valueOf(trace, s, 'iv expanded') };
      };
      const serverHs = keys('server', 'derive write traffic keys for handshake data');
      const clientHs = keys('server', 'derive read traffic keys for handshake data');
      const serverAp = keys('server', 'derive write traffic keys for application data');
      const clientAp = keys('client', 'derive write traffic keys for application data');
      const nth = (side: 'client' | 'server', description: string, n = 0): TraceStep => {
        const s = trace.steps.filter((x) => x.side === side && x.description === description)[n];
        if (s === undefined) throw new Error(`RFC 8448 §3: no ${side} step "${description}" #${n}`);
        return s;
      };
      // Record step, keys, sequence number and inner content type (RFC 8446 §5.2, §5.3). The first
      // "send handshake record" of each side is the plaintext ClientHello / ServerHello.
      const protectedRecords = [
        { step: nth('server', 'send handshake record', 1), k: serverHs, seq: 0, type: 22 }, // EE, Certificate, CV, Finished
        { step: nth('client', 'send handshake record', 1), k: clientHs, seq: 0, type: 22 }, // client Finished
        { step: nth('server', 'send handshake record', 2), k: serverAp, seq: 0, type: 22 }, // NewSessionTicket
        { step: nth('client', 'send application_data record'), k: clientAp, seq: 0, type: 23 },
        { step: nth('server', 'send application_data record'), k: serverAp, seq: 1, type: 23 },
        { step: nth('client', 'send alert record'), k: clientAp, seq: 1, type: 21 },
        { step: nth('server', 'send alert record'), k: serverAp, seq: 2, type: 21 },
      ];
      for (const { step, k, seq, type } of protectedRecords) {
        const where = `step ${step.index} ${step.side} ${step.description}`;
        const payload = valueOf(trace, step, 'payload');
        const record = valueOf(trace, step, 'complete record');
        // RFC 8446 §5.3: nonce = iv XOR the 64-bit sequence number, left-padded.
        const nonce = k.iv.slice();
        nonce[11] = (nonce[11] as number) ^ seq;
        const inner = Uint8Array.of(...payload, type);
        const header = record.subarray(0, 5);
        const cipher = aead.create(k.key);
        expect(toHex(cipher.seal(nonce, inner, header)), where).toBe(toHex(record.subarray(5)));
        const opened = cipher.open(nonce, record.subarray(5), header);
        expect(opened === null ? null : toHex(opened), where).toBe(toHex(inner));
      }
      expect(protectedRecords).toHaveLength(7);
    });
  });
}
