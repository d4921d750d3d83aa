/** Client authentication on the server: Certificate and CertificateVerify (RFC 8446 §4.4.2, §4.4.3). */
import { signatureSchemeName, type PublicKey } from '@puretls/crypto';
import { Wait, after, type State, type Step } from '../state.js';
import { fail, TlsError } from '../errors.js';
import { signedContent } from '../messages/certificate-verify.js';
import type { RawHandshake } from '../messages/handshake.js';
import { schemeMatchesKey } from '../signer.js';
import { ExpectFinished } from './expect-finished.js';
import { unexpected, type ServerCtx } from './shared.js';

export class ExpectCertificate implements State {
  readonly name = 'ExpectCertificate';
  constructor(private readonly c: ServerCtx) {}
  handle(m: RawHandshake): Step {
    if (m.type !== 'certificate') unexpected(this.name, m);
    const { s } = this.c;
    if (m.body.certificateRequestContext.length !== 0) fail('CERT_CONTEXT', 'illegal_parameter', 'client Certificate context differs from the request');
    // RFC 9846 §4.2: our CertificateRequest asked for no certificate extensions.
    for (const e of m.body.certificateList) {
      if (e.extensions.length > 0) fail('UNSOLICITED_EXTENSION', 'unsupported_extension', `client CertificateEntry carries extension ${e.extensions[0]?.type} that was not requested`);
    }
    s.transcript.update(m.raw);
    if (m.body.certificateList.length === 0) {
      // RFC 8446 §4.4.2.4: no certificate when one is required is certificate_required.
      if (s.config.clientAuth === 'required') fail('CLIENT_CERTIFICATE_REQUIRED', 'certificate_required', 'client sent no certificate');
      return new ExpectFinished(this.c, null, null);
    }
    const chain = m.body.certificateList.map((e) => e.certData.slice());
    const verifier = s.clientVerifier ?? s.config.clientVerifier;
    if (verifier === undefined) fail('NO_CLIENT_VERIFIER', 'internal_error', 'no client certificate verifier');
    return new Wait(
      'CertificateVerifier',
      verifier.verify({ chain, usage: 'clientAuth', now: new Date(s.config.now()) }).then((res) => () => {
        if (!res.ok) throw new TlsError(res.code, res.alert, res.message);
        return new ExpectCertificateVerify(this.c, res.publicKey, chain);
      }),
    );
  }
}

export class ExpectCertificateVerify implements State {
  readonly name = 'ExpectCertificateVerify';
  constructor(
    private readonly c: ServerCtx,
    private readonly key: PublicKey,
    private readonly chain: readonly Uint8Array[],
  ) {}
  handle(m: RawHandshake): Step {
    if (m.type !== 'certificate_verify') unexpected(this.name, m);
    const { s } = this.c;
    const scheme = signatureSchemeName(m.body.algorithm);
    if (scheme === undefined || !(this.c.requested ?? []).includes(m.body.algorithm) || !s.config.signatureSchemes.includes(scheme) || scheme.startsWith('rsa_pkcs1')) {
      fail('SIGNATURE_SCHEME_NOT_OFFERED', 'illegal_parameter', `client CertificateVerify scheme 0x${m.body.algorithm.toString(16)} was not requested`);
    }
    if (!schemeMatchesKey(scheme, this.key)) fail('SIGNATURE_SCHEME_KEY_MISMATCH', 'illegal_parameter', `scheme ${scheme} does not fit the certificate key`);
    const content = signedContent('client', s.transcript.current());
    return after('verify', s.config.provider.verify(scheme, this.key, content, m.body.signature), (ok) => {
      if (!ok) fail('BAD_SIGNATURE', 'decrypt_error', 'client CertificateVerify signature does not verify');
      s.transcript.update(m.raw);
      return new ExpectFinished(this.c, scheme, this.chain);
    });
  }
}
