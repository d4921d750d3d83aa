/** ExpectFinished: the client's Finished completes the handshake (RFC 8446 §4.4.4). */
import { constantTimeEqual, type SignatureSchemeName } from '@puretls/crypto';
import type { State, Step } from '../state.js';
import { fail } from '../errors.js';
import { finishedVerifyData, type MasterSecret } from '../key-schedule/secrets.js';
import type { HandshakeInfo } from '../events.js';
import type { RawHandshake } from '../messages/handshake.js';
import { authenticationTime } from '../ticket-messages.js';
import { unexpected, type ServerCtx } from './shared.js';

export class ExpectFinished implements State {
  readonly name = 'ExpectFinished';
  constructor(
    private readonly c: ServerCtx,
    private readonly clientScheme: SignatureSchemeName | null,
    private readonly clientChain: readonly Uint8Array[] | null,
  ) {}
  handle(m: RawHandshake): Step {
    if (m.type !== 'finished') unexpected(this.name, m);
    const c = this.c;
    const { s } = c;
    // Computed with the first flight when the tickets went with it (the transcript has not moved since).
    const expected = c.early?.clientFinished ?? finishedVerifyData(c.ks, c.chts, s.transcript.current());
    if (!constantTimeEqual(expected, m.body.verifyData)) fail('BAD_FINISHED', 'decrypt_error', 'client Finished does not verify');
    s.transcript.update(m.raw);
    const rms = c.early?.resumptionSecret ?? (c.master as MasterSecret).resumptionMasterSecret(s.transcript.current());
    if (c.serverFinished !== undefined) s.io.finished?.(c.serverFinished, m.body.verifyData);
    s.io.complete(handshakeInfo(c, this.clientScheme, this.clientChain), rms, c.ks, c.suite);
    return new Connected();
  }
}

/** What the handshake negotiated, as the `handshake_complete` event reports it. */
export function handshakeInfo(c: ServerCtx, clientScheme: SignatureSchemeName | null, clientChain: readonly Uint8Array[] | null): HandshakeInfo {
  const info: HandshakeInfo = {
    version: 'TLSv1.3',
    cipherSuite: c.suite.name,
    group: c.group,
    signatureScheme: clientScheme,
    alpn: c.alpn,
    serverName: c.serverName,
    // RFC 8446 §4.3.2: no CertificateRequest with a PSK; a resumption reports the ticket's chain.
    peerCertificates: clientChain ?? c.resumedPeerCertificates ?? [],
    resumed: c.resumed,
    ...(c.externalPsk ? { externalPsk: c.externalPsk.slice() } : {}),
    earlyDataAccepted: c.earlyAccepted,
    helloRetry: c.helloRetry,
  };
  // The tickets this handshake issues keep the resumed session's authentication time (RFC 9846 §4.7.1).
  if (c.resumedAuthenticatedAt !== undefined) authenticationTime.set(info, c.resumedAuthenticatedAt);
  return info;
}

export class Connected implements State {
  readonly name = 'Connected';
  handle(m: RawHandshake): Step {
    unexpected(this.name, m);
  }
}
