/**
 * `puretls s_server`: accepts TLS connections like `openssl s_server`. By default the client's data
 * goes to stdout and stdin to the latest client; `-echo` echoes, `-www` answers an HTTP request with a
 * status page. `-accept 0` picks a free port and prints `ACCEPT host:port`. With `-naccept n` it exits
 * after n connections (status 0 when none failed: neither its handshake nor later, e.g. a reset or a
 * bad record). A connection that fails is reported on stderr and the server goes on.
 */
import { generateCertificate, createServer, type ServerOptions, type TLSSocket } from '@puretls/node';
import { hostPort, parseArgs, UsageError, type FlagSpec } from './args.js';
import { mtuFrom } from './dtls-common.js';
import { dtlsServer } from './dtls-server.js';
import { command, Gate, isBrokenPipe, tlsOptions, WWW_TOO_LARGE, wwwRequest, type Io } from './common.js';
import { MessageTracer, traceRecords } from './msg.js';
import { briefLines, describeError, statusPage } from './report.js';

export const S_SERVER_FLAGS: FlagSpec = {
  accept: 'value', port: 'value', cert: 'value', key: 'value', pass: 'value', CAfile: 'value', alpn: 'value', groups: 'value',
  curves: 'value', ciphersuites: 'value', sigalgs: 'value', verify: 'value', Verify: 'value', tls1_3: 'switch', www: 'switch',
  echo: 'switch', naccept: 'value', quiet: 'switch', brief: 'switch', keylogfile: 'value', early_data: 'switch', msg: 'switch',
  insecure: 'switch', nocommands: 'switch', dtls1_3: 'switch', mtu: 'value', listen: 'switch',
};

export const S_SERVER_USAGE = `usage: puretls s_server [-accept [host:]port] -cert file -key file [options]
  -accept 0          a free port (printed as ACCEPT host:port)    -naccept n   exit after n connections
  -www               answer an HTTP request with a status page     -echo        echo the client's data back
  -verify n / -Verify n   ask for / require a client certificate (checked against -CAfile)
  -alpn a,b   -groups X25519:P-256   -ciphersuites A:B   -sigalgs s:t   -early_data   -keylogfile file
  -brief   -quiet   -msg          without -cert, a throwaway self-signed certificate for localhost is used
  -dtls1_3           DTLS 1.3 over UDP (RFC 9147)   -listen  stateless cookie exchange first   -mtu n  (DTLS)`;

export async function sServer(argv: readonly string[], io: Io): Promise<number> {
  const p = parseArgs(argv, S_SERVER_FLAGS);
  if (p.switches.has('dtls1_3')) return await dtlsServer(p, io);
  mtuFrom(p, false);
  if (p.switches.has('listen')) throw new UsageError('-listen needs -dtls1_3');
  const accept = p.values.get('accept') ?? p.values.get('port') ?? '4433';
  const { host, port } = hostPort(accept, '127.0.0.1');
  const quiet = p.switches.has('quiet');
  const brief = p.switches.has('brief');
  const nacceptText = p.values.get('naccept');
  const naccept = nacceptText === undefined ? Infinity : Number(nacceptText);
  if (nacceptText !== undefined && (!/^\d+$/.test(nacceptText) || naccept < 1)) throw new UsageError('-naccept needs a count');
  const log = (s: string): void => {
    if (!quiet) io.stderr.write(`${s}\n`);
  };
  const base = tlsOptions(p, io);
  // -msg: one tracer per connection, fed the secrets whose client random it saw in the ClientHello.
  const tracers = new Set<MessageTracer>();
  const tls = p.switches.has('msg')
    ? {
        ...base,
        keyLog: (line: Buffer): void => {
          base.keyLog?.(line);
          const text = line.toString('latin1');
          const random = text.split(' ')[1];
          for (const t of tracers) if (t.clientRandom === random) t.secret(text);
        },
      }
    : base;
  let material: { cert: string; key: string } | undefined;
  if (tls.cert === undefined) {
    const self = generateCertificate({ commonName: 'localhost', altNames: ['localhost', '127.0.0.1', '::1'], days: 1 });
    material = { cert: self.cert, key: self.key };
    log('no -cert: using a throwaway self-signed certificate for localhost');
  }
  const clientAuth = p.values.has('Verify') ? 'required' : p.values.has('verify') ? 'optional' : 'none';
  const options: ServerOptions = {
    ...tls,
    ...(material ?? {}),
    clientAuth,
    // A client certificate that does not verify is refused unless -insecure.
    rejectUnauthorized: !p.switches.has('insecure'),
    ...(p.switches.has('early_data') ? { maxEarlyData: 16384 } : {}),
  };

  let accepted = 0;
  let failures = 0;
  let current: TLSSocket | null = null;
  const live = new Set<TLSSocket>();
  const commands = !p.switches.has('nocommands') && !quiet && !p.switches.has('www') && !p.switches.has('echo');
  const toStdout = new Gate(io.stdout);
  let stdoutGone = false;

  const server = createServer(options, (socket) => {
    current = socket;
    live.add(socket);
    // After the handshake the server no longer listens to the socket: a reset or a bad record from the
    // client would be an unhandled 'error' and end the process. Report it, like openssl, and go on.
    socket.on('error', (e: Error) => {
      failures++;
      io.stderr.write(`puretls s_server: connection failed: ${describeError(e)}\n`);
    });
    socket.once('close', () => {
      live.delete(socket);
      toStdout.forget(socket);
      if (current === socket) current = null;
    });
    if (brief || !quiet) for (const l of briefLines(socket, true)) io.stderr.write(`${l}\n`);
    if (p.switches.has('www')) {
      // One answer per connection from a bounded request head; what the client sends after is ignored.
      socket.on(
        'data',
        wwwRequest(
          (head) => {
            const body = statusPage(socket, head);
            socket.end(`HTTP/1.0 200 ok\r\nContent-Type: text/html\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
          },
          () => socket.end(WWW_TOO_LARGE),
        ),
      );
    } else if (p.switches.has('echo')) {
      // A client that sends without reading is held (its socket paused) while our answers wait.
      const back = new Gate(socket);
      socket.on('data', (d: Buffer) => back.write(socket, d));
      socket.on('end', () => socket.end());
    } else {
      socket.on('data', (d: Buffer) => {
        if (!stdoutGone) toStdout.write(socket, d);
      });
      socket.on('end', () => {
        log(socket.closeNotifyReceived ? 'closed' : 'closed without close_notify');
        socket.end();
      });
    }
    socket.on('keyUpdate', (d: string) => log(`KEYUPDATE ${d}`));
  });
  // Before the Server's own listener: the tracer must see each ClientHello before the engine does.
  server.prependListener('connection', (raw) => {
    accepted++;
    if (p.switches.has('msg')) {
      const tracer = new MessageTracer('server', (l) => io.stderr.write(`${l}\n`));
      tracers.add(tracer);
      traceRecords(raw, tracer);
      raw.once('close', () => tracers.delete(tracer));
    }
    if (accepted >= naccept) server.close(); // stop listening; open connections go on
  });
  server.on('tlsClientError', (e: Error) => {
    failures++;
    io.stderr.write(`puretls s_server: handshake failed: ${describeError(e)}\n`);
  });

  // stdin goes to the latest client; while its socket is full, stdin waits (paused) for it to drain.
  const gates = new WeakMap<TLSSocket, Gate>();
  io.stdin.on('data', (d: Buffer) => {
    const c = current;
    if (c === null || c.writableEnded) return; // Q was sent: nothing more goes to this client
    if (commands && command(d, c, io)) return;
    let g = gates.get(c);
    if (g === undefined) gates.set(c, (g = new Gate(c)));
    g.write(io.stdin, d);
  });
  // A closed stdout (`| head`): stop quietly, as openssl (killed by SIGPIPE) does.
  io.stdout.on('error', (e: Error) => {
    if (stdoutGone) return;
    stdoutGone = true;
    if (!isBrokenPipe(e)) io.stderr.write(`puretls s_server: stdout: ${e.message}\n`);
    server.close();
    for (const s of live) s.destroy();
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const addr = server.address() as { address: string; port: number };
  io.stdout.write(`ACCEPT ${addr.address.includes(':') ? `[${addr.address}]` : addr.address}:${addr.port}\n`);
  await new Promise<void>((resolve) => server.once('close', () => resolve()));
  io.stdin.pause();
  return failures === 0 ? 0 : 1;
}
