/**
 * Post-handshake client authentication, client side (RFC 8446 §4.6.2): a CertificateRequest after
 * the handshake is answered with Certificate, CertificateVerify and Finished over the handshake
 * transcript plus these messages, the Finished keyed by the current client application traffic
 * secret (RFC 8446 §4.4). Without a suitable certificate the Certificate is empty.
 */
import { SignatureScheme } from '@puretls/crypto';
import type { ClientConfig } from '../config.js';
import { ExtensionType as E } from '../constants.js';
import { finishedVerifyData, type KeyScheduleContext } from '../key-schedule/secrets.js';
import type { Transcript } from '../key-schedule/transcript.js';
import { signedContent } from '../messages/certificate-verify.js';
import { findExtension, parseBody, readSignatureSchemeList } from '../messages/extensions.js';
import type { HandshakeMessage, RawHandshake } from '../messages/handshake.js';
import { after, type Step } from '../state.js';
import { ExpectTraffic } from './expect-finished.js';

export interface PostHandshakeAuthContext {
  readonly config: ClientConfig;
  /** A fork of the handshake transcript (through our Finished). */
  readonly transcript: Transcript;
  readonly ks: KeyScheduleContext;
  readonly writeSecret: () => Uint8Array;
  send(m: HandshakeMessage): Uint8Array;
}

export function answerCertificateRequest(c: PostHandshakeAuthContext, m: Extract<RawHandshake, { type: 'certificate_request' }>): Step {
  const { transcript, config } = c;
  const context = m.body.certificateRequestContext.slice();
  // The parser guarantees signature_algorithms (RFC 8446 §4.3.2).
  const sa = findExtension(m.body.extensions, E.signature_algorithms) as { data: Uint8Array };
  const schemes = parseBody(sa.data, readSignatureSchemeList, 'signature_algorithms');
  transcript.update(m.raw);
  const finish = (): Step => {
    transcript.update(c.send({ type: 'finished', body: { verifyData: finishedVerifyData(c.ks, c.writeSecret(), transcript.current()) } }));
    return new ExpectTraffic();
  };
  const cert = config.clientCertificate;
  const scheme = cert?.signer.schemes.find((x) => schemes.includes(SignatureScheme[x]) && config.signatureSchemes.includes(x));
  if (cert === undefined || scheme === undefined) {
    // RFC 8446 §4.4.2: no suitable certificate: an empty Certificate, then Finished.
    transcript.update(c.send({ type: 'certificate', body: { certificateRequestContext: context, certificateList: [] } }));
    return finish();
  }
  transcript.update(c.send({ type: 'certificate', body: { certificateRequestContext: context, certificateList: cert.chain.map((d) => ({ certData: d, extensions: [] })) } }));
  const content = signedContent('client', transcript.current());
  return after('sign', cert.signer.sign(scheme, content), (signature) => {
    transcript.update(c.send({ type: 'certificate_verify', body: { algorithm: SignatureScheme[scheme], signature } }));
    return finish();
  });
}
