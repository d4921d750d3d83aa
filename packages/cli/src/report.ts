/**
 * What the commands print about a connection: `-brief` lines on stderr (negotiated version, suite,
 * group, signature scheme, ALPN, verification result), the status page of `-www`, and one line for a
 * failure with the alert and the reason.
 */
import { OPENSSL_GROUP_NAME, type TLSSocket } from '@puretls/node';
import type { HandshakeInfo } from '@puretls/tls';

/** What TLS and DTLS `-brief` share: the fields both handshakes report. */
export type BriefInfo = Omit<HandshakeInfo, 'version'> & { readonly version: string };

export interface BriefDetails {
  /** How accepted early data is named after "Session: resumed". */
  readonly earlyData: string;
  /** Lines after the session line (DTLS: connection ID, MTU). */
  readonly extra?: readonly string[];
  /** The peer certificate's subject, when it sent one. */
  readonly subject: string | undefined;
  readonly authorized: boolean;
  readonly authorizationError: string | undefined;
}

/** The `-brief` lines of an established TLS or DTLS connection. */
export function handshakeLines(info: BriefInfo, isServer: boolean, d: BriefDetails): string[] {
  const lines = [
    'CONNECTION ESTABLISHED',
    `Protocol version: ${info.version}`,
    `Ciphersuite: ${info.cipherSuite}`,
    `Group: ${info.group === null ? 'none (psk_ke)' : OPENSSL_GROUP_NAME[info.group]}`,
    `${isServer ? 'Client' : 'Peer'} signature scheme: ${info.signatureScheme ?? 'none'}`,
    `ALPN protocol: ${info.alpn ?? 'none'}`,
    `Session: ${info.resumed ? 'resumed' : 'full handshake'}${info.helloRetry ? ', after HelloRetryRequest' : ''}${info.earlyDataAccepted ? `, ${d.earlyData}` : ''}`,
    ...(d.extra ?? []),
  ];
  if (isServer) lines.push(`Server name: ${info.serverName ?? 'none'}`);
  if (d.subject !== undefined) lines.push(`${isServer ? 'Client' : 'Peer'} certificate: ${d.subject}`);
  if (!isServer || d.subject !== undefined) {
    lines.push(d.authorized ? 'Verification: OK' : `Verification error: ${d.authorizationError ?? 'unknown'}`);
  }
  return lines;
}

export function briefLines(socket: TLSSocket, isServer: boolean): string[] {
  const info = socket.getHandshakeInfo();
  if (info === null) return ['no handshake'];
  const cert = socket.getPeerCertificate() as { subjectText?: string };
  return handshakeLines(info, isServer, {
    earlyData: 'early data accepted',
    subject: cert.subjectText,
    authorized: socket.authorized,
    authorizationError: socket.authorizationError,
  });
}

/** One line for a failed connection: the alert (sent or received) and the reason. */
export function describeError(e: unknown): string {
  if (e instanceof Error) {
    const x = e as Error & { code?: unknown; alert?: unknown; remote?: unknown };
    const alert = typeof x.alert === 'string' ? ` (alert ${x.alert} ${x.remote === true ? 'received' : 'sent'})` : '';
    const code = typeof x.code === 'string' ? ` [${x.code}]` : '';
    return `${e.message}${alert}${code}`;
  }
  return String(e);
}

export function statusPage(socket: TLSSocket, request: string): string {
  const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;');
  return [
    '<html><body><pre>',
    'puretls s_server -www',
    '',
    ...briefLines(socket, true).map(esc),
    '',
    'Request:',
    esc(request),
    '</pre></body></html>',
    '',
  ].join('\n');
}
