/** Choosing a pre-shared key from the client's offer (RFC 8446 §4.2.11). */
import { constantTimeEqual } from '@puretls/crypto';
import { ExtensionType as E, PskKeyExchangeMode } from '../constants.js';
import { fail } from '../errors.js';
import { EarlySecret, finishedVerifyData, type KeyScheduleContext } from '../key-schedule/secrets.js';
import type { ClientHello } from '../messages/client-hello.js';
import { findExtension, parseBody, readOfferedPsks, readPskModes, type OfferedPsks } from '../messages/extensions.js';
import { CipherSuite, type CipherSuite as Suite } from '../suites.js';
import type { PskChoice, Shared } from './shared.js';

/** RFC 8446 §4.2.11: the first usable identity whose binder verifies; a bad binder is fatal. */
/** RFC 8446 §4.2.11: the first usable identity whose binder verifies; a bad binder is fatal. */
export function choosePsk(s: Shared, ch: ClientHello, raw: Uint8Array, suite: Suite, ks: KeyScheduleContext, haveGroups: boolean): PskChoice | undefined {
  const pskExt = findExtension(ch.extensions, E.pre_shared_key);
  if (pskExt === undefined) return undefined;
  const modesExt = findExtension(ch.extensions, E.psk_key_exchange_modes);
  // RFC 8446 §4.2.9: a PSK offer needs psk_key_exchange_modes.
  if (modesExt === undefined) fail('MISSING_PSK_MODES', 'missing_extension', 'pre_shared_key without psk_key_exchange_modes');
  const modes = parseBody(modesExt.data, readPskModes, 'psk_key_exchange_modes');
  const dhe = modes.includes(PskKeyExchangeMode.psk_dhe_ke) && haveGroups;
  if (!dhe && !modes.includes(PskKeyExchangeMode.psk_ke)) return undefined;
  const sealer = s.config.ticketSealer;
  if (sealer === undefined) return undefined;
  const offered: OfferedPsks = parseBody(pskExt.data, readOfferedPsks, 'pre_shared_key');
  const now = s.config.now();
  for (let i = 0; i < offered.identities.length; i++) {
    const id = offered.identities[i] as { identity: Uint8Array; obfuscatedTicketAge: number };
    const state = sealer.open(id.identity);
    if (state === null || CipherSuite[state.cipherSuite].hash !== suite.hash) continue;
    const ourAge = now - state.issuedAt;
    if (ourAge < 0 || ourAge > state.lifetime * 1000) continue;
    // RFC 8446 §4.2.11.2: the binder covers the ClientHello up to the binders list.
    const bindersLen = offered.binders.reduce((n, b) => n + 1 + b.length, 2);
    const truncated = raw.subarray(0, raw.length - bindersLen);
    const expected = finishedVerifyData(ks, new EarlySecret(ks, state.psk).binderKey(false), s.transcript.withExtra(truncated));
    if (!constantTimeEqual(expected, offered.binders[i] as Uint8Array)) fail('BAD_PSK_BINDER', 'decrypt_error', 'PSK binder does not verify');
    const clientAge = (id.obfuscatedTicketAge - state.ageAdd) >>> 0;
    const ageOk = Math.abs(clientAge - ourAge) <= s.config.earlyDataAgeTolerance;
    return { psk: state.psk, state, index: i, dhe, ageOk };
  }
  return undefined;
}
