/**
 * Per-epoch record protection (RFC 9147 §4, §4.2.3, §6.1): the AEAD key, iv and sn_key of one
 * direction of one epoch, derived from its traffic secret with the "dtls13" label prefix (§5.9).
 * The nonce is iv XOR the 64-bit record sequence number (RFC 8446 §5.3; the epoch is not in it).
 */
import { hkdfExpandLabel, type Aead, type CryptoProvider } from '@puretls/crypto';
import { _internal, type CipherSuite } from '@puretls/tls';
import { snMasker, type SnMasker } from './sn-mask.js';

type KeyScheduleContext = _internal.KeyScheduleContext;

export interface EpochKeys {
  readonly epoch: number;
  readonly suite: CipherSuite;
  readonly aead: Aead;
  readonly iv: Uint8Array;
  readonly mask: SnMasker;
  /** The traffic secret, kept for the next KeyUpdate (RFC 8446 §7.2). */
  readonly secret: Uint8Array;
  readonly ks: KeyScheduleContext;
}

export function epochKeys(provider: CryptoProvider, ks: KeyScheduleContext, suite: CipherSuite, secret: Uint8Array, epoch: number): EpochKeys {
  const t = _internal.trafficKeys(ks, suite, secret);
  // RFC 9147 §4.2.3: [sender]_sn_key = HKDF-Expand-Label(Secret, "sn", "", key_length).
  const snKey = hkdfExpandLabel(provider, ks.hash, secret, 'sn', new Uint8Array(0), suite.keyLength, ks.labelPrefix);
  return { epoch, suite, aead: provider.aead(suite.aead).create(t.key), iv: t.iv, mask: snMasker(suite.aead, snKey), secret, ks };
}

/** iv XOR the 64-bit big-endian sequence number (RFC 8446 §5.3). */
export function recordNonce(iv: Uint8Array, seq: number): Uint8Array {
  const n = iv.slice();
  const hi = Math.floor(seq / 2 ** 32);
  const lo = seq >>> 0;
  const at = n.length - 8;
  for (let i = 0; i < 4; i++) {
    n[at + i] = (n[at + i] as number) ^ ((hi >>> (24 - 8 * i)) & 0xff);
    n[at + 4 + i] = (n[at + 4 + i] as number) ^ ((lo >>> (24 - 8 * i)) & 0xff);
  }
  return n;
}
