/** ExpectEncryptedExtensions (RFC 8446 §4.3.1): ALPN, record_size_limit, early_data acceptance. */
import { ExtensionType as E } from '../constants.js';
import type { State, Step } from '../state.js';
import { fail } from '../errors.js';
import { alpnMatch, ascii } from '../bytes.js';
import { findExtension, parseBody, readAlpnList, readRecordSizeLimit } from '../messages/extensions.js';
import type { RawHandshake } from '../messages/handshake.js';
import { ExpectCertificateOrCertificateRequest } from './expect-certificate.js';
import { ExpectFinished } from './expect-finished.js';
import { checkSolicited, unexpected, type HandshakeCtx } from './shared.js';

export class ExpectEncryptedExtensions implements State {
  readonly name = 'ExpectEncryptedExtensions';
  constructor(private readonly c: HandshakeCtx) {}

  handle(m: RawHandshake): Step {
    if (m.type !== 'encrypted_extensions') unexpected(this.name, m);
    const { s } = this.c;
    const exts = m.body.extensions;
    checkSolicited(s, exts, 'EncryptedExtensions');
    const alpn = findExtension(exts, E.application_layer_protocol_negotiation);
    if (alpn !== undefined) {
      const list = parseBody(alpn.data, readAlpnList, 'alpn');
      // RFC 7301 §3.1: exactly one protocol, one the client offered.
      if (list.length !== 1) fail('ALPN_NOT_ONE', 'illegal_parameter', `server ALPN list has ${list.length} entries`);
      const name = alpnMatch(s.config.alpnProtocols, list[0] as Uint8Array);
      if (name === undefined) fail('ALPN_NOT_OFFERED', 'illegal_parameter', `server selected ALPN ${ascii(list[0] as Uint8Array)} that was not offered`);
      this.c.alpn = name;
    }
    const rsl = findExtension(exts, E.record_size_limit);
    if (rsl !== undefined) {
      s.io.setPeerRecordSizeLimit(parseBody(rsl.data, readRecordSizeLimit, 'record_size_limit'));
      // RFC 8449 §4: negotiated (checkSolicited saw we sent it), so the server's records keep to ours.
      if (s.sentRecordSizeLimit !== undefined) s.io.limitReceivedRecords?.(s.sentRecordSizeLimit);
    }
    const early = findExtension(exts, E.early_data);
    if (early !== undefined) {
      // RFC 8446 §4.2.10: acceptance is only valid for the first PSK, which we offered with early data.
      if (!s.earlyDataSent || !this.c.resumed) fail('EARLY_DATA_NOT_OFFERED', 'illegal_parameter', 'server accepted early data that was not sent');
      // RFC 8446 §4.2.10: 0-RTT was protected with the ticket's suite; accepting it under another is wrong.
      if (s.session?.cipherSuite !== this.c.suite.name) fail('EARLY_DATA_SUITE_MISMATCH', 'illegal_parameter', 'early data accepted under a different cipher suite');
      this.c.earlyAccepted = true;
    } else if (s.earlyDataSent && !s.helloRetry) {
      s.io.emitEarlyDataRejected();
    }
    s.transcript.update(m.raw);
    if (this.c.resumed) return new ExpectFinished(this.c, null);
    return new ExpectCertificateOrCertificateRequest(this.c);
  }
}
