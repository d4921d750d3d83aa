/**
 * What the commands print about a connection: `-brief` lines on stderr (negotiated version, suite,
 * group, signature scheme, ALPN, verification result), the status page of `-www`, and one line for a
 * failure with the alert and the reason.
 */
import { OPENSSL_GROUP_NAME, type TLSSocket } from '@puretls/node';

export function briefLines(socket: TLSSocket, isServer: boolean): string[] {
  const info = socket.getHandshakeInfo();
  if (info === null) return ['no handshake'];
  const cert = socket.getPeerCertificate() as { subjectText?: string };
  const lines = [
    'CONNECTION ESTABLISHED',
    `Protocol version: ${info.version}`,
    `Ciphersuite: ${info.cipherSuite}`,
    `Group: ${info.group === null ? 'none (psk_ke)' : OPENSSL_GROUP_NAME[info.group]}`,
    `${isServer ? 'Client' : 'Peer'} signature scheme: ${info.signatureScheme ?? 'none'}`,
    `ALPN protocol: ${info.alpn ?? 'none'}`,
    `Session: ${info.resumed ? 'resumed' : 'full handshake'}${info.helloRetry ? ', after HelloRetryRequest' : ''}${info.earlyDataAccepted ? ', early data accepted' : ''}`,
  ];
  if (isServer) lines.push(`Server name: ${info.serverName ?? 'none'}`);
  if (cert.subjectText !== undefined) lines.push(`${isServer ? 'Client' : 'Peer'} certificate: ${cert.subjectText}`);
  if (!isServer || cert.subjectText !== undefined) {
    lines.push(socket.authorized ? 'Verification: OK' : `Verification error: ${socket.authorizationError ?? 'unknown'}`);
  }
  return lines;
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
