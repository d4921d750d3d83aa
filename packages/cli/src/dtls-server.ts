/**
 * `puretls s_server -dtls1_3`: DTLS 1.3 associations on one UDP socket with `@puretls/node/dtls`.
 * `-listen` (openssl's DTLSv1_listen) answers each new client with a stateless cookie
 * HelloRetryRequest before keeping any state (RFC 9147 §5.1); without it there is no cookie exchange
 * (the server then limits what it sends to an unproven address, §5.1). The client's datagrams go to
 * stdout and stdin to the latest client; `-echo` and `-www` as for TLS. `-naccept n` exits after n
 * associations ended (status 0 when none failed). `-early_data` accepts 0-RTT (up to 16384 bytes,
 * with the engine's anti-replay register): a client's early datagrams come first, as its data.
 * `-msg` prints every record both ways.
 */
import { randomBytes } from 'node:crypto';
import { generateCertificate } from '@puretls/node';
import { createServer, dtlsServerConfig, type DtlsSocket } from '@puretls/node/dtls';
import { createTicketSealer, type Signer } from '@puretls/tls';
import { hostPort, UsageError, type Parsed } from './args.js';
import { isBrokenPipe, WWW_TOO_LARGE, wwwRequest, type Io } from './common.js';
import { cliVerifier, contextFrom, datagramsToStdout, dtlsBriefLines, dtlsCommand, dtlsCommon, holdWhileQueued, mtuFrom, refuseForDtls, sendChunk, type Authorization } from './dtls-common.js';
import { describeError } from './report.js';

export async function dtlsServer(p: Parsed, io: Io): Promise<number> {
  refuseForDtls(p, ['tls1_3']);
  const accept = p.values.get('accept') ?? p.values.get('port') ?? '4433';
  const { host, port } = hostPort(accept, '127.0.0.1');
  const mtu = mtuFrom(p, true);
  const quiet = p.switches.has('quiet');
  const brief = p.switches.has('brief');
  const nacceptText = p.values.get('naccept');
  const naccept = nacceptText === undefined ? Infinity : Number(nacceptText);
  if (nacceptText !== undefined && (!/^\d+$/.test(nacceptText) || naccept < 1)) throw new UsageError('-naccept needs a count');
  const log = (s: string): void => {
    if (!quiet) io.stderr.write(`${s}\n`);
  };
  const common = dtlsCommon(p, io, mtu);
  let material: { cert: string; key: string } | undefined;
  if (!p.values.has('cert')) {
    const self = generateCertificate({ commonName: 'localhost', altNames: ['localhost', '127.0.0.1', '::1'], days: 1 });
    material = { cert: self.cert, key: self.key };
    log('no -cert: using a throwaway self-signed certificate for localhost');
  }
  const ctx = contextFrom(p, material);
  const clientAuth = p.values.has('Verify') ? 'required' : p.values.has('verify') ? 'optional' : 'none';
  // The verifier runs before the association has a socket, and sees no connection: its outcome is
  // kept under the leaf certificate it checked, the very Uint8Array the engine then reports in the
  // association's handshakeInfo.peerCertificates. Another client's handshake, failed or not, cannot be
  // taken for this one's; a failed handshake's record goes with its certificate (a WeakMap).
  const authByLeaf = new WeakMap<Uint8Array, Authorization>();
  const config = dtlsServerConfig({
    ...common,
    certificates: [{ chain: ctx.chain as readonly Uint8Array[], key: ctx.signer(common.provider) as Signer }],
    clientAuth,
    ...(clientAuth === 'none'
      ? {}
      : {
          clientVerifier: {
            verify: (req) => {
              const auth: Authorization = { authorized: false, authorizationError: undefined };
              const leaf = req.chain[0];
              if (leaf !== undefined) authByLeaf.set(leaf, auth);
              return cliVerifier(ctx.trust, common.provider, !p.switches.has('insecure'), auth).verify(req);
            },
          },
        }),
    cookies: p.switches.has('listen') ? { secret: new Uint8Array(randomBytes(32)) } : false,
    // One NewSessionTicket per handshake (RFC 9147 §5.8.4), under a key that lives as long as the process.
    ticketSealer: createTicketSealer(common.provider, new Uint8Array(randomBytes(32))),
    // -early_data: tickets allow 0-RTT and it is accepted, as s_server -early_data does for TLS.
    ...(p.switches.has('early_data') ? { maxEarlyDataSize: 16384 } : {}),
  });

  let accepted = 0;
  let open = 0;
  let failures = 0;
  let current: DtlsSocket | null = null;
  const www = p.switches.has('www');
  const echo = p.switches.has('echo');
  const commands = !p.switches.has('nocommands') && !quiet && !www && !echo;
  const toStdout = datagramsToStdout(io, 's_server');
  let stdoutGone = false;
  let stopped = false;

  // As openssl s_server: a session stays until it ends (no idle timeout; a test tool, run by hand).
  const server = createServer({ config, idleTimeout: 0, ...(host.includes(':') ? { type: 'udp6' as const } : {}) }, (sock) => {
    accepted++;
    open++;
    current = sock;
    const info = sock.handshakeInfo;
    const leaf = info?.peerCertificates[0];
    // A resumption verifies nothing: its certificate passed when the ticket was issued, which without
    // -insecure only happens after verification succeeded.
    const auth = (leaf === undefined ? undefined : authByLeaf.get(leaf)) ?? { authorized: info?.resumed === true && !p.switches.has('insecure'), authorizationError: undefined };
    if (info !== null && (brief || !quiet)) for (const l of dtlsBriefLines(info, auth, true, config.datagram.mtu)) io.stderr.write(`${l}\n`);
    if (www) {
      // One answer per association from a bounded request head; what the client sends after is ignored.
      sock.on(
        'message',
        wwwRequest(
          (head) => {
            const body = ['puretls s_server -www (DTLS)', '', ...(info === null ? [] : dtlsBriefLines(info, auth, true, config.datagram.mtu)), '', 'Request:', head, ''].join('\n');
            sendChunk(sock, Buffer.from(`HTTP/1.0 200 ok\r\nContent-Type: text/plain\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`));
            sock.close();
          },
          () => {
            sendChunk(sock, Buffer.from(WWW_TOO_LARGE));
            sock.close();
          },
        ),
      );
    } else if (echo) {
      sock.on('message', (d: Uint8Array) => sock.send(d));
    } else {
      sock.on('message', (d: Uint8Array) => {
        if (!stdoutGone) toStdout(d);
      });
    }
    sock.on('end', () => log('closed'));
    sock.on('keyUpdate', (d: string) => log(`KEYUPDATE ${d}`));
    sock.once('close', () => {
      open--;
      if (current === sock) current = null;
      // Let the last datagrams (a close_notify) leave before the UDP socket closes.
      if (accepted >= naccept && open === 0) setTimeout(() => server.close(), 100);
    });
  });
  server.on('tlsClientError', (e: Error) => {
    failures++;
    io.stderr.write(`puretls s_server: ${describeError(e)}\n`);
  });

  io.stdin.on('data', (d: Buffer) => {
    const c = current;
    if (c === null) return;
    if (commands && dtlsCommand(d, c, io)) return;
    try {
      sendChunk(c, d);
    } catch (e) {
      io.stderr.write(`puretls s_server: ${describeError(e)}\n`);
    }
    holdWhileQueued(server.udp, io.stdin, () => !stopped);
  });
  // A closed stdout (`| head`): stop quietly, as openssl (killed by SIGPIPE) does.
  io.stdout.on('error', (e: Error) => {
    if (stdoutGone) return;
    stdoutGone = true;
    if (!isBrokenPipe(e)) io.stderr.write(`puretls s_server: stdout: ${e.message}\n`);
    server.close();
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const addr = server.address();
  io.stdout.write(`ACCEPT ${addr.address.includes(':') ? `[${addr.address}]` : addr.address}:${addr.port}\n`);
  await new Promise<void>((resolve) => server.udp.once('close', () => resolve()));
  stopped = true;
  io.stdin.pause();
  return failures === 0 ? 0 : 1;
}
