/**
 * Post-handshake client authentication, server side (RFC 8446 §4.6.2): after a CertificateRequest
 * with a fresh context, the client's Certificate (same context), CertificateVerify and Finished are
 * checked against the handshake transcript plus these messages; the Finished is keyed by the current
 * client application traffic secret (RFC 8446 §4.4).
 */
import { constantTimeEqual, signatureSchemeName, type PublicKey, type SignatureSchemeName } from '@puretls/crypto';
import { bytesEqual } from '@puretls/wire';
import type { ServerConfig } from '../config.js';
import { fail, TlsError } from '../errors.js';
import { finishedVerifyData, type KeyScheduleContext } from '../key-schedule/secrets.js';
import type { Transcript } from '../key-schedule/transcript.js';
import { signedContent } from '../messages/certificate-verify.js';
import type { RawHandshake } from '../messages/handshake.js';
import { schemeMatchesKey } from '../signer.js';
import { Wait, after, type Step } from '../state.js';
import type { CertificateVerifier } from '../verifier.js';
import { Connected } from './expect-finished.js';

export interface PostHandshakeRequest {
  readonly config: ServerConfig;
  /** The connection's client certificate verifier. */
  readonly verifier: CertificateVerifier | undefined;
  /** A fork of the handshake transcript with the CertificateRequest absorbed. */
  readonly transcript: Transcript;
  readonly context: Uint8Array;
  readonly requested: readonly number[];
  readonly required: boolean;
  readonly ks: KeyScheduleContext;
  readonly readSecret: () => Uint8Array;
  /** Called once the client's Finished verified. */
  done(chain: readonly Uint8Array[], scheme: SignatureSchemeName | null): void;
}

/** The exchange after our CertificateRequest: one message at a time, in order. */
export class PostHandshakeAuth {
  #expect: 'certificate' | 'certificate_verify' | 'finished' = 'certificate';
  #chain: readonly Uint8Array[] = [];
  #key: PublicKey | null = null;
  #scheme: SignatureSchemeName | null = null;

  constructor(private readonly r: PostHandshakeRequest) {}

  handle(m: RawHandshake): Step {
    const r = this.r;
    if (m.type !== this.#expect) fail('UNEXPECTED_MESSAGE', 'unexpected_message', `post-handshake authentication: expected ${this.#expect}, got ${m.type}`);
    switch (m.type) {
      case 'certificate': {
        // RFC 8446 §4.4.2: the context echoes the CertificateRequest's.
        if (!bytesEqual(m.body.certificateRequestContext, r.context)) fail('CERT_CONTEXT', 'illegal_parameter', 'client Certificate context differs from the request');
        for (const e of m.body.certificateList) {
          if (e.extensions.length > 0) fail('UNSOLICITED_EXTENSION', 'unsupported_extension', `client CertificateEntry carries extension ${e.extensions[0]?.type} that was not requested`);
        }
        r.transcript.update(m.raw);
        if (m.body.certificateList.length === 0) {
          if (r.required) fail('CLIENT_CERTIFICATE_REQUIRED', 'certificate_required', 'client sent no certificate');
          this.#expect = 'finished';
          return new Connected();
        }
        const chain = m.body.certificateList.map((e) => e.certData.slice());
        this.#chain = chain;
        const verifier = r.verifier;
        if (verifier === undefined) fail('NO_CLIENT_VERIFIER', 'internal_error', 'no client certificate verifier');
        return new Wait(
          'CertificateVerifier',
          verifier.verify({ chain, usage: 'clientAuth', now: new Date(r.config.now()) }).then((res) => () => {
            if (!res.ok) throw new TlsError(res.code, res.alert, res.message);
            this.#key = res.publicKey;
            this.#expect = 'certificate_verify';
            return new Connected();
          }),
        );
      }
      case 'certificate_verify': {
        const scheme = signatureSchemeName(m.body.algorithm);
        if (scheme === undefined || !r.requested.includes(m.body.algorithm) || !r.config.signatureSchemes.includes(scheme) || scheme.startsWith('rsa_pkcs1')) {
          fail('SIGNATURE_SCHEME_NOT_OFFERED', 'illegal_parameter', `client CertificateVerify scheme 0x${m.body.algorithm.toString(16)} was not requested`);
        }
        const key = this.#key as PublicKey;
        if (!schemeMatchesKey(scheme, key)) fail('SIGNATURE_SCHEME_KEY_MISMATCH', 'illegal_parameter', `scheme ${scheme} does not fit the certificate key`);
        const content = signedContent('client', r.transcript.current());
        return after('verify', r.config.provider.verify(scheme, key, content, m.body.signature), (ok) => {
          if (!ok) fail('BAD_SIGNATURE', 'decrypt_error', 'client CertificateVerify signature does not verify');
          r.transcript.update(m.raw);
          this.#scheme = scheme;
          this.#expect = 'finished';
          return new Connected();
        });
      }
      case 'finished': {
        const expected = finishedVerifyData(r.ks, r.readSecret(), r.transcript.current());
        if (!constantTimeEqual(expected, m.body.verifyData)) fail('BAD_FINISHED', 'decrypt_error', 'client Finished does not verify');
        r.done(this.#chain, this.#scheme);
        return new Connected();
      }
      default:
        fail('UNEXPECTED_MESSAGE', 'unexpected_message', 'unexpected post-handshake message');
    }
  }
}
