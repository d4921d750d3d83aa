/** ExpectFinished: the server's Finished, then our second flight (RFC 8446 §4.4.4, §4.5, §4.4.2). */
import { constantTimeEqual, SignatureScheme, type SignatureSchemeName } from '@puretls/crypto';
import { after, type State, type Step } from '../state.js';
import { fail } from '../errors.js';
import { finishedVerifyData } from '../key-schedule/secrets.js';
import { signedContent } from '../messages/certificate-verify.js';
import type { RawHandshake } from '../messages/handshake.js';
import { variantOf } from '../variant.js';
import { unexpected, type HandshakeCtx } from './shared.js';

export class ExpectFinished implements State {
  readonly name = 'ExpectFinished';
  constructor(
    private readonly c: HandshakeCtx,
    private readonly scheme: SignatureSchemeName | null,
  ) {}

  handle(m: RawHandshake): Step {
    if (m.type !== 'finished') unexpected(this.name, m);
    const c = this.c;
    const { s } = c;
    const expected = finishedVerifyData(c.ks, c.shts, s.transcript.current());
    // RFC 8446 §4.4.4: a wrong verify_data is a decrypt_error.
    if (!constantTimeEqual(expected, m.body.verifyData)) fail('BAD_FINISHED', 'decrypt_error', 'server Finished does not verify');
    s.transcript.update(m.raw);
    const ms = c.hs.toMaster();
    const h = s.transcript.current();
    const cats = ms.clientApplicationTrafficSecret(h);
    const sats = ms.serverApplicationTrafficSecret(h);
    const exporterMasterSecret = ms.exporterMasterSecret(h);
    s.io.keyLog('CLIENT_TRAFFIC_SECRET_0', cats);
    s.io.keyLog('SERVER_TRAFFIC_SECRET_0', sats);
    s.io.keyLog('EXPORTER_SECRET', exporterMasterSecret);
    s.io.setReadKeys(c.ks, c.suite, sats);
    s.io.setCcsAllowed(false);
    // Our second flight (RFC 8446 §4.5, §4.4).
    // RFC 9147 §5.6: DTLS has no EndOfEarlyData (epochs mark the end of 0-RTT), on the wire or in the transcript.
    if (c.earlyAccepted && !variantOf(s.config).datagram) s.transcript.update(s.io.send({ type: 'end_of_early_data', body: null }));
    if (s.config.compatibilityMode && !s.ccsSent) {
      s.io.sendCcs();
      s.ccsSent = true;
    }
    s.io.setWriteKeys(c.ks, c.suite, c.chts);
    const finish = (): Step => {
      const verifyData = finishedVerifyData(c.ks, c.chts, s.transcript.current());
      s.transcript.update(s.io.send({ type: 'finished', body: { verifyData } }));
      s.io.finished?.(verifyData, m.body.verifyData);
      const rms = ms.resumptionMasterSecret(s.transcript.current());
      s.io.complete(
        {
          version: 'TLSv1.3',
          cipherSuite: c.suite.name,
          group: c.group,
          signatureScheme: this.scheme,
          alpn: c.alpn,
          serverName: s.serverName ?? null,
          peerCertificates: c.peerChain,
          resumed: c.resumed,
          ...(c.resumed && s.session === undefined && s.externalPsk !== undefined ? { externalPsk: s.externalPsk.identity.slice() } : {}),
          earlyDataAccepted: c.earlyAccepted,
          helloRetry: s.helloRetry,
        },
        { ks: c.ks, suite: c.suite, readSecret: sats, writeSecret: cats, exporterMasterSecret },
        rms,
      );
      return new ExpectTraffic();
    };
    if (c.certRequest === null) return finish();
    const cert = s.config.clientCertificate;
    const schemes = c.certRequest.schemes;
    const scheme = cert?.signer.schemes.find((x) => schemes.includes(SignatureScheme[x]) && s.config.signatureSchemes.includes(x));
    if (cert === undefined || scheme === undefined) {
      // RFC 8446 §4.4.2: no suitable certificate: an empty Certificate message.
      s.transcript.update(s.io.send({ type: 'certificate', body: { certificateRequestContext: c.certRequest.context, certificateList: [] } }));
      return finish();
    }
    s.transcript.update(
      s.io.send({
        type: 'certificate',
        body: { certificateRequestContext: c.certRequest.context, certificateList: cert.chain.map((d) => ({ certData: d, extensions: [] })) },
      }),
    );
    const content = signedContent('client', s.transcript.current());
    return after('sign', cert.signer.sign(scheme, content), (signature) => {
      s.transcript.update(s.io.send({ type: 'certificate_verify', body: { algorithm: SignatureScheme[scheme], signature } }));
      return finish();
    });
  }
}

/** After the handshake, the connection core handles KeyUpdate and NewSessionTicket. */
export class ExpectTraffic implements State {
  readonly name = 'Connected';
  handle(m: RawHandshake): Step {
    unexpected(this.name, m);
  }
}
