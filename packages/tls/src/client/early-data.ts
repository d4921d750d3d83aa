/**
 * 0-RTT on the client (RFC 8446 §4.2.10, §7.1): the early secrets derived from the resumed ticket's
 * PSK over the ClientHello, shared by TLS (records right after the ClientHello) and DTLS (epoch 1,
 * RFC 9147 §6.1).
 */
import type { KeyScheduleContext } from '../key-schedule/secrets.js';
import { EarlySecret } from '../key-schedule/secrets.js';
import { CipherSuite, type CipherSuite as Suite } from '../suites.js';
import type { ClientTicket } from '../tickets.js';
import { ksFor, type Shared } from './shared.js';

export interface EarlyKeys {
  readonly ks: KeyScheduleContext;
  /** The ticket's suite: 0-RTT is protected with it (RFC 8446 §4.2.10). */
  readonly suite: Suite;
  readonly clientEarlyTrafficSecret: Uint8Array;
  readonly earlyExporterMasterSecret: Uint8Array;
}

/** Call once the ClientHello is in the transcript; logs the secrets to the key log. */
export function earlyKeys(s: Shared, session: ClientTicket): EarlyKeys {
  const suite = CipherSuite[session.cipherSuite];
  const ks = ksFor(s, suite);
  const early = new EarlySecret(ks, session.psk);
  const chHash = s.transcript.hashAs(suite.hash);
  const earlyExporterMasterSecret = early.earlyExporterMasterSecret(chHash);
  const clientEarlyTrafficSecret = early.clientEarlyTrafficSecret(chHash);
  s.io.keyLog('CLIENT_EARLY_TRAFFIC_SECRET', clientEarlyTrafficSecret);
  s.io.keyLog('EARLY_EXPORTER_SECRET', earlyExporterMasterSecret);
  return { ks, suite, clientEarlyTrafficSecret, earlyExporterMasterSecret };
}
