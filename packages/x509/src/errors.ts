/**
 * `X509Error`: why a certificate or a chain was refused. Every code is stable, carries the TLS alert
 * the engine sends for it, and a message meant for a person. Codes reuse Node's (OpenSSL's) names
 * where one exists; the alert mapping follows OpenSSL's `ssl_verify_alarm_type` except where
 * RFC 8446 §6.2 is explicit (not-yet-valid is `certificate_expired`: "expired or is not currently valid").
 */

export type TlsAlertName =
  | 'bad_certificate'
  | 'unsupported_certificate'
  | 'certificate_expired'
  | 'certificate_unknown'
  | 'unknown_ca'
  | 'internal_error';

const ALERTS = {
  /** The DER does not parse, or breaks an encoding rule that matters (RFC 5280 §4.1). */
  MALFORMED_CERTIFICATE: 'bad_certificate',
  /** A key type or curve we do not implement. */
  UNSUPPORTED_PUBLIC_KEY: 'unsupported_certificate',
  /** A signature algorithm we do not implement, or PSS parameters we refuse. */
  UNSUPPORTED_SIGNATURE_ALGORITHM: 'bad_certificate',
  /** MD5 or SHA-1 signatures. */
  CA_MD_TOO_WEAK: 'bad_certificate',
  EE_KEY_TOO_SMALL: 'bad_certificate',
  CA_KEY_TOO_SMALL: 'bad_certificate',
  CERT_HAS_EXPIRED: 'certificate_expired',
  CERT_NOT_YET_VALID: 'certificate_expired',
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: 'unknown_ca',
  DEPTH_ZERO_SELF_SIGNED_CERT: 'unknown_ca',
  SELF_SIGNED_CERT_IN_CHAIN: 'unknown_ca',
  CERT_SIGNATURE_FAILURE: 'bad_certificate',
  CERT_CHAIN_TOO_LONG: 'certificate_unknown',
  INVALID_CA: 'certificate_unknown',
  KEYUSAGE_NO_CERTSIGN: 'certificate_unknown',
  PATH_LENGTH_EXCEEDED: 'certificate_unknown',
  INVALID_PURPOSE: 'unsupported_certificate',
  PERMITTED_VIOLATION: 'certificate_unknown',
  EXCLUDED_VIOLATION: 'certificate_unknown',
  UNSUPPORTED_NAME_CONSTRAINT: 'certificate_unknown',
  UNHANDLED_CRITICAL_EXTENSION: 'unsupported_certificate',
  ERR_TLS_CERT_ALTNAME_INVALID: 'bad_certificate',
  /** Hostile input: too many candidates, signature checks or name comparisons. */
  VERIFY_BUDGET_EXCEEDED: 'bad_certificate',
} as const satisfies Record<string, TlsAlertName>;

export type X509ErrorCode = keyof typeof ALERTS;

/** The TLS alert (RFC 8446 §6.2) for an error code. */
export function alertFor(code: X509ErrorCode): TlsAlertName {
  return ALERTS[code];
}

export class X509Error extends Error {
  override readonly name = 'X509Error';
  readonly code: X509ErrorCode;
  readonly alert: TlsAlertName;
  constructor(code: X509ErrorCode, message: string) {
    super(message);
    this.code = code;
    this.alert = ALERTS[code];
  }
}

export const malformed = (what: string): X509Error => new X509Error('MALFORMED_CERTIFICATE', `malformed certificate: ${what}`);
