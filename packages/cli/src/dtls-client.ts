/**
 * `puretls s_client -dtls1_3`: a DTLS 1.3 client (RFC 9147) over UDP with `@puretls/node/dtls`.
 * stdin goes to the peer (each chunk as one or more datagrams), the peer's datagrams to stdout.
 * Exit status 0 after a clean close (close_notify either way), 1 when the handshake failed, 2 when
 * the association failed after it. `-sess_out` / `-sess_in` store and resume a session in the same file
 * format as for TLS (the `@puretls/node` session encoding, with the verification outcome); with
 * `-early_data file` the file goes as 0-RTT datagrams (RFC 9147 §6.1) when the session allows it, and
 * after the handshake otherwise or when the server refuses it. `-msg` prints every record both ways.
 */
import { decodeSession, encodeSession } from '@puretls/node';
import { connect, dtlsClientConfig, type DtlsClientSocket } from '@puretls/node/dtls';
import type { ClientTicket, Signer } from '@puretls/tls';
import { hostPort, UsageError, type Parsed } from './args.js';
import { isBrokenPipe, readSession, readText, writeSession, type Io } from './common.js';
import { cliVerifier, contextFrom, datagramsToStdout, dtlsBriefLines, dtlsCommand, dtlsCommon, earlyDatagrams, holdWhileQueued, mtuFrom, refuseForDtls, sendChunk, type Authorization } from './dtls-common.js';
import { describeError } from './report.js';

const IP_LITERAL = /^(\d{1,3}(\.\d{1,3}){3}|[0-9a-fA-F:]*:[0-9a-fA-F:.]*)$/;

export async function dtlsClient(p: Parsed, io: Io): Promise<number> {
  refuseForDtls(p, ['starttls', 'tls1_3']);
  const target = p.values.get('connect');
  if (target === undefined) throw new UsageError('-connect host:port is required');
  const { host, port } = hostPort(target, 'localhost');
  if (port === 0) throw new UsageError(`bad port in ${target}`);
  const mtu = mtuFrom(p, true);
  const quiet = p.switches.has('quiet');
  const brief = p.switches.has('brief');
  const insecure = p.switches.has('insecure');
  const ignEof = p.switches.has('ign_eof') || quiet;
  const commands = !p.switches.has('nocommands') && !quiet;
  const sessOut = p.values.get('sess_out');
  const sessIn = p.values.get('sess_in');
  const earlyFile = p.values.get('early_data');
  const log = (s: string): void => {
    if (!quiet) io.stderr.write(`${s}\n`);
  };

  const common = dtlsCommon(p, io, mtu);
  const ctx = contextFrom(p);
  const sni = p.switches.has('noservername') ? undefined : (p.values.get('servername') ?? (IP_LITERAL.test(host) ? undefined : host));
  const identityHost = p.values.get('servername') ?? host;
  const auth: Authorization = { authorized: false, authorizationError: undefined };
  const config = dtlsClientConfig({
    ...common,
    verifier: cliVerifier(ctx.trust, common.provider, !insecure, auth, identityHost),
    ...(sni === undefined || sni === '' ? {} : { serverName: sni }),
    ...(ctx.chain !== undefined && ctx.key !== undefined ? { clientCertificate: { chain: ctx.chain, key: ctx.signer(common.provider) as Signer } } : {}),
  });

  // As for TLS (@puretls/node): a session that does not decode, whose suite is off, that is for
  // another server name (RFC 8446 §4.2.11) or whose server failed verification (a resumption shows
  // no certificate) is not offered: full handshake.
  const saved = sessIn === undefined ? null : decodeSession(readSession(sessIn));
  let session: ClientTicket | undefined;
  if (sessIn !== undefined) {
    if (saved === null) log(`-sess_in ${sessIn}: not a session; full handshake`);
    else if (!config.cipherSuites.includes(saved.ticket.cipherSuite) || saved.ticket.serverName !== (config.serverName ?? null)) log(`-sess_in ${sessIn}: session does not fit this connection; full handshake`);
    else if (!insecure && !saved.authorized) log(`-sess_in ${sessIn}: the session's server failed verification; full handshake`);
    else {
      session = saved.ticket;
      // Holds unless the server declines the ticket: the verifier then runs and overwrites it.
      auth.authorized = saved.authorized;
      auth.authorizationError = saved.authorizationError;
    }
  }

  const earlyData = earlyFile === undefined ? undefined : earlyDatagrams(Buffer.from(readText(earlyFile, 'early_data'), 'utf8'), config.datagram.mtu);
  log(`CONNECTED(UDP ${host}:${port})`);
  const sock: DtlsClientSocket = connect({ host, port, config, ...(session === undefined ? {} : { session }), ...(earlyData === undefined ? {} : { earlyData }) });
  let sessions = 0;
  if (sessOut !== undefined) {
    sock.on('session', (t: ClientTicket) => {
      try {
        writeSession(sessOut, encodeSession(t, auth));
        sessions++;
      } catch (e) {
        io.stderr.write(`puretls s_client: cannot write -sess_out: ${describeError(e)}\n`);
      }
    });
  }

  return await new Promise<number>((resolve) => {
    let secure = false;
    let weEnded = false;
    let peerClosed = false;
    let failed = false;
    let closed = false;
    const toStdout = datagramsToStdout(io, 's_client');
    // A closed stdout (`| head -c 5`): close the association and exit quietly, as openssl does.
    const onStdoutError = (e: Error): void => {
      if (closed) return;
      if (!isBrokenPipe(e)) io.stderr.write(`puretls s_client: stdout: ${e.message}\n`);
      weEnded = true;
      sock.close();
    };
    io.stdout.on('error', onStdoutError);
    sock.once('secureConnect', () => {
      secure = true;
      const info = sock.handshakeInfo;
      if (info !== null && (brief || !quiet)) for (const l of dtlsBriefLines(info, auth, false, config.datagram.mtu)) io.stderr.write(`${l}\n`);
      if (earlyFile !== undefined) log(sock.earlyDataAccepted === true ? 'Early data was accepted' : 'Early data was rejected (sent after the handshake)');
      if (!auth.authorized) log(`verify error: ${auth.authorizationError ?? 'unknown'} (going on: -insecure)`);
      io.stdin.on('data', (d: Buffer) => {
        if (commands && dtlsCommand(d, sock, io, () => (weEnded = true))) return;
        try {
          sendChunk(sock, d);
        } catch (e) {
          io.stderr.write(`puretls s_client: ${describeError(e)}\n`);
        }
        holdWhileQueued(sock.udp, io.stdin, () => !closed);
      });
      io.stdin.once('end', () => {
        if (!ignEof) {
          weEnded = true;
          sock.close();
        }
      });
      io.stdin.resume();
    });
    sock.on('message', (d: Uint8Array) => toStdout(d));
    sock.once('end', () => {
      peerClosed = true;
      log('closed');
    });
    sock.once('error', (e: Error) => {
      failed = true;
      io.stderr.write(`puretls s_client: ${secure ? '' : 'handshake failed: '}${describeError(e)}\n`);
      // A UDP error (ICMP port unreachable ...) leaves the association open: end it.
      setImmediate(() => {
        try {
          sock.close();
        } catch {
          // the engine already failed; the socket closes itself
        }
      });
    });
    sock.once('close', () => {
      closed = true;
      io.stdout.off('error', onStdoutError);
      io.stdin.pause();
      if (sessOut !== undefined && sessions === 0) log('no session ticket received; -sess_out not written');
      resolve(secure && !failed && (peerClosed || weEnded) ? 0 : secure ? 2 : 1);
    });
  });
}
