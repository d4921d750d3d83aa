/**
 * Choosing a pre-shared key from the client's offer (RFC 8446 §4.2.11) — a ticket (sealed, or an id
 * into the session store) or an external PSK — and deciding whether 0-RTT is accepted with it
 * (RFC 8446 §4.2.10, §8): freshness of the ticket age, then anti-replay, refusing early data and
 * never the connection when a check fails.
 */
import { constantTimeEqual, type HashName } from '@puretls/crypto';
import { ExtensionType as E, PskKeyExchangeMode } from '../constants.js';
import { fail } from '../errors.js';
import { EarlySecret, finishedVerifyData, type KeyScheduleContext } from '../key-schedule/secrets.js';
import type { ClientHello } from '../messages/client-hello.js';
import { findExtension, parseBody, readOfferedPsks, readPskModes, type OfferedPsks } from '../messages/extensions.js';
import type { ExternalPsk } from '../psk.js';
import { CipherSuite, type CipherSuite as Suite } from '../suites.js';
import { MAX_TICKET_LIFETIME, type ServerTicketState } from '../tickets.js';
import type { PskChoice, Shared } from './shared.js';

interface Candidate {
  readonly psk: Uint8Array;
  readonly state: ServerTicketState | null;
  readonly external: ExternalPsk | null;
  readonly storeId: Uint8Array | null;
}

/** The key an offered identity names, if we know it and it is alive. */
function resolve(s: Shared, identity: Uint8Array, now: number): Candidate | undefined {
  const cfg = s.config;
  const ext = cfg.externalPsks?.(identity.slice());
  if (ext !== undefined) return { psk: ext.secret, state: null, external: ext, storeId: null };
  let state: ServerTicketState | null | undefined;
  let storeId: Uint8Array | null = null;
  if (cfg.sessionStore !== undefined) {
    storeId = identity.slice();
    state = cfg.sessionStore.get(storeId);
  } else {
    state = cfg.ticketSealer?.open(identity);
  }
  if (state === null || state === undefined) return undefined;
  // A session without a client certificate cannot resume where one is required (tickets sealed by
  // another server sharing the keys, or before the policy changed): a full handshake asks for it.
  if (cfg.clientAuth === 'required' && (state.peerCertificates === undefined || state.peerCertificates.length === 0)) return undefined;
  // RFC 8446 §4.6.1: never use a ticket past its lifetime (itself at most seven days).
  const age = now - state.issuedAt;
  if (age < 0 || age > Math.min(state.lifetime, MAX_TICKET_LIFETIME) * 1000) return undefined;
  // RFC 9846 §4.7.1: nor past 7 days after the authentication it carries (chained resumptions).
  if (now - (state.authenticatedAt ?? state.issuedAt) > MAX_TICKET_LIFETIME * 1000) return undefined;
  return { psk: state.psk, state, external: null, storeId };
}

// offeredPskHash and choosePsk look at the same ClientHello: each identity is resolved (a ticket
// opened, a store or callback asked) once.
const resolvedByHello = new WeakMap<ClientHello, Map<number, Candidate | undefined>>();

function resolveOffered(s: Shared, ch: ClientHello, index: number, identity: Uint8Array, now: number): Candidate | undefined {
  let known = resolvedByHello.get(ch);
  if (known === undefined) {
    known = new Map();
    resolvedByHello.set(ch, known);
  } else if (known.has(index)) {
    return known.get(index);
  }
  const c = resolve(s, identity, now);
  known.set(index, c);
  return c;
}

/**
 * The hash of the first offered PSK we know, so the suite can be chosen to fit it (a SHA-384 ticket or
 * external key is useless under a SHA-256 suite). Binders are checked later, by `choosePsk`.
 */
export function offeredPskHash(s: Shared, ch: ClientHello): HashName | undefined {
  const pskExt = findExtension(ch.extensions, E.pre_shared_key);
  const cfg = s.config;
  if (pskExt === undefined || (cfg.ticketSealer === undefined && cfg.sessionStore === undefined && cfg.externalPsks === undefined)) return undefined;
  const offered = parseBody(pskExt.data, readOfferedPsks, 'pre_shared_key');
  const now = cfg.now();
  for (let i = 0; i < offered.identities.length; i++) {
    const c = resolveOffered(s, ch, i, (offered.identities[i] as { identity: Uint8Array }).identity, now);
    if (c !== undefined) return c.external !== null ? c.external.hash : CipherSuite[(c.state as ServerTicketState).cipherSuite].hash;
  }
  return undefined;
}

/**
 * The max_early_data_size of the ticket the client offered first (the only one 0-RTT may use,
 * RFC 9846 §4.3.10) when we can open it, else 0: what the client was told it may send.
 */
export function offeredTicketEarlyLimit(s: Shared, ch: ClientHello): number {
  const pskExt = findExtension(ch.extensions, E.pre_shared_key);
  const cfg = s.config;
  if (pskExt === undefined || (cfg.ticketSealer === undefined && cfg.sessionStore === undefined)) return 0;
  const first = parseBody(pskExt.data, readOfferedPsks, 'pre_shared_key').identities[0];
  if (first === undefined) return 0;
  return resolveOffered(s, ch, 0, first.identity, cfg.now())?.state?.maxEarlyDataSize ?? 0;
}

/**
 * A resumed ticket keeps the client's chain from the handshake that issued it, verified then by that
 * connection's verifier (perhaps another, more permissive one) and perhaps since expired. With
 * client authentication on, this connection's verifier checks it again, as in a full handshake
 * (RFC 9846 §4.7.1: a resumption keeps the original authentication only if we still accept it).
 * Resolves false when it rejects (or throws): the PSK is then not used. undefined: nothing to check.
 */
export function recheckResumedChain(s: Shared, choice: PskChoice | undefined): Promise<boolean> | undefined {
  const chain = choice?.state?.peerCertificates;
  if (chain === undefined || chain.length === 0 || s.config.clientAuth === 'none') return undefined;
  const verifier = s.clientVerifier ?? s.config.clientVerifier;
  if (verifier === undefined) return Promise.resolve(false);
  try {
    const req = { chain: chain.map((c) => c.slice()), usage: 'clientAuth' as const, now: new Date(s.config.now()) };
    return Promise.resolve(verifier.verify(req)).then((r) => r.ok === true, () => false);
  } catch {
    return Promise.resolve(false);
  }
}

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
  const cfg = s.config;
  if (cfg.ticketSealer === undefined && cfg.sessionStore === undefined && cfg.externalPsks === undefined) return undefined;
  const offered: OfferedPsks = parseBody(pskExt.data, readOfferedPsks, 'pre_shared_key');
  const now = cfg.now();
  for (let i = 0; i < offered.identities.length; i++) {
    const id = offered.identities[i] as { identity: Uint8Array; obfuscatedTicketAge: number };
    const c = resolveOffered(s, ch, i, id.identity, now);
    if (c === undefined) continue;
    const hash = c.external !== null ? c.external.hash : CipherSuite[(c.state as ServerTicketState).cipherSuite].hash;
    if (hash !== suite.hash) continue;
    // RFC 8446 §4.2.11.2: the binder covers the ClientHello up to the binders list.
    const bindersLen = offered.binders.reduce((n, b) => n + 1 + b.length, 2);
    const truncated = raw.subarray(0, raw.length - bindersLen);
    const binderKey = new EarlySecret(ks, c.psk).binderKey(c.external !== null, c.external?.imported === true);
    const binder = offered.binders[i] as Uint8Array;
    const expected = finishedVerifyData(ks, binderKey, s.transcript.withExtra(truncated));
    if (!constantTimeEqual(expected, binder)) fail('BAD_PSK_BINDER', 'decrypt_error', 'PSK binder does not verify');
    let ageOk = false;
    if (c.state !== null) {
      // RFC 8446 §8.3: the client's view of the ticket age must match ours within the window.
      const clientAge = (id.obfuscatedTicketAge - c.state.ageAdd) >>> 0;
      // A ClientHello passes this check for up to twice the tolerance: the strike register must
      // remember it that long (RFC 8446 §8.2), so a shorter register window narrows the tolerance.
      const window = c.storeId === null ? cfg.antiReplay?.window : undefined;
      const tolerance = window === undefined ? cfg.earlyDataAgeTolerance : Math.min(cfg.earlyDataAgeTolerance, Math.floor(window / 2));
      ageOk = Math.abs(clientAge - (now - c.state.issuedAt)) <= tolerance;
    }
    return { psk: c.psk, state: c.state, external: c.external, index: i, dhe, ageOk, binder: binder.slice(), storeId: c.storeId };
  }
  return undefined;
}

/**
 * Whether 0-RTT offered with `choice` is accepted (RFC 8446 §4.2.10): our policy, the first PSK, a
 * ticket that allows it with the same suite and ALPN, a fresh ticket age, and not a replay. Returns
 * null when accepted, else the reason it is refused.
 */
export function refuseEarlyData(s: Shared, choice: PskChoice | undefined, suite: Suite, alpn: string | null): string | null {
  const cfg = s.config;
  if (cfg.maxEarlyDataSize === 0) return 'disabled';
  if (choice === undefined) return 'no_psk';
  if (choice.index !== 0) return 'not_first_psk';
  const st = choice.state;
  if (st === null) return 'external_psk';
  if (st.maxEarlyDataSize === 0) return 'ticket_disallows';
  if (st.cipherSuite !== suite.name) return 'suite_mismatch';
  if (st.alpn !== alpn) return 'alpn_mismatch';
  if (!choice.ageOk) return 'stale';
  // RFC 8446 §8.1: a stateful ticket is taken out of the store, so it is accepted once.
  if (choice.storeId !== null) return cfg.sessionStore?.take(choice.storeId) === undefined ? 'replay' : null;
  // RFC 8446 §8.2: the binder is unique per ClientHello; a strike register refuses it twice.
  if (cfg.antiReplay !== undefined && !cfg.antiReplay.check(choice.binder, cfg.now())) return 'replay';
  return null;
}
