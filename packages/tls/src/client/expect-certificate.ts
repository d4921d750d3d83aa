/**
 * The server's authentication: optional CertificateRequest, Certificate (checked by the configured
 * verifier, asynchronously), CertificateVerify with the key the verifier returned (RFC 8446 §4.4).
 */
import { signatureSchemeName, type PublicKey } from '@puretls/crypto';
import { ExtensionType as E } from '../constants.js';
import { Wait, after, type State, type Step } from '../state.js';
import { fail, TlsError } from '../errors.js';
import { signedContent } from '../messages/certificate-verify.js';
import { findExtension, parseBody, readSignatureSchemeList } from '../messages/extensions.js';
import type { RawHandshake } from '../messages/handshake.js';
import { schemeMatchesKey } from '../signer.js';
import { ExpectFinished } from './expect-finished.js';
import { checkSolicited, unexpected, type HandshakeCtx } from './shared.js';

export class ExpectCertificateOrCertificateRequest implements State {
  readonly name = 'ExpectCertificateOrCertificateRequest';
  constructor(private readonly c: HandshakeCtx) {}

  handle(m: RawHandshake): Step {
    if (m.type === 'certificate_request') {
      // RFC 8446 §4.3.2: empty context in the main handshake.
      if (m.body.certificateRequestContext.length !== 0) fail('CERT_REQUEST_CONTEXT', 'illegal_parameter', 'CertificateRequest context is not empty');
      const sa = findExtension(m.body.extensions, E.signature_algorithms) as { data: Uint8Array };
      this.c.certRequest = { context: m.body.certificateRequestContext.slice(), schemes: parseBody(sa.data, readSignatureSchemeList, 'signature_algorithms') };
      this.c.s.transcript.update(m.raw);
      return new ExpectCertificate(this.c);
    }
    return new ExpectCertificate(this.c).handle(m, this.name);
  }
}

export class ExpectCertificate implements State {
  readonly name = 'ExpectCertificate';
  constructor(private readonly c: HandshakeCtx) {}

  handle(m: RawHandshake, as = this.name): Step {
    if (m.type !== 'certificate') unexpected(as, m);
    const { s } = this.c;
    if (m.body.certificateRequestContext.length !== 0) fail('CERT_CONTEXT', 'illegal_parameter', 'server Certificate has a request context');
    // RFC 8446 §4.4.2.4: an empty server Certificate is a decode_error.
    if (m.body.certificateList.length === 0) fail('EMPTY_CERTIFICATE', 'decode_error', 'server sent no certificate');
    for (const e of m.body.certificateList) checkSolicited(s, e.extensions, 'CertificateEntry');
    s.transcript.update(m.raw);
    const chain = m.body.certificateList.map((e) => e.certData.slice());
    this.c.peerChain = chain;
    const req = { chain, usage: 'serverAuth' as const, now: new Date(s.config.now()), ...(s.serverName === undefined ? {} : { serverName: s.serverName }) };
    return new Wait(
      'CertificateVerifier',
      (s.verifier ?? s.config.verifier).verify(req).then((res) => () => {
        if (!res.ok) throw new TlsError(res.code, res.alert, res.message);
        return new ExpectCertificateVerify(this.c, res.publicKey);
      }),
    );
  }
}

export class ExpectCertificateVerify implements State {
  readonly name = 'ExpectCertificateVerify';
  constructor(
    private readonly c: HandshakeCtx,
    private readonly key: PublicKey,
  ) {}

  handle(m: RawHandshake): Step {
    if (m.type !== 'certificate_verify') unexpected(this.name, m);
    const { s } = this.c;
    const scheme = signatureSchemeName(m.body.algorithm);
    // RFC 8446 §4.4.3: the scheme must be one offered in signature_algorithms, usable with the key.
    if (scheme === undefined || !s.config.signatureSchemes.includes(scheme) || scheme.startsWith('rsa_pkcs1')) {
      fail('SIGNATURE_SCHEME_NOT_OFFERED', 'illegal_parameter', `CertificateVerify scheme 0x${m.body.algorithm.toString(16)} was not offered`);
    }
    if (!schemeMatchesKey(scheme, this.key)) fail('SIGNATURE_SCHEME_KEY_MISMATCH', 'illegal_parameter', `scheme ${scheme} does not fit the certificate key`);
    const content = signedContent('server', s.transcript.current());
    return after('verify', s.config.provider.verify(scheme, this.key, content, m.body.signature), (ok) => {
      if (!ok) fail('BAD_SIGNATURE', 'decrypt_error', 'server CertificateVerify signature does not verify');
      s.transcript.update(m.raw);
      this.c.scheme = scheme;
      return new ExpectFinished(this.c, scheme);
    });
  }
}
