/**
 * `puretls s_server`: accepts TLS connections like `openssl s_server`. By default the client's data
 * goes to stdout and stdin to the latest client; `-echo` echoes, `-www` answers an HTTP request with a
 * status page. `-accept 0` picks a free port and prints `ACCEPT host:port`. With `-naccept n` it exits
 * after n connections (status 0 when each closed cleanly).
 */
import { generateCertificate, createServer, type ServerOptions, type TLSSocket } from '@puretls/node';
import { hostPort, parseArgs, UsageError, type FlagSpec } from './args.js';
import { mtuFrom } from './dtls-common.js';
import { dtlsServer } from './dtls-server.js';
import { command, tlsOptions, type Io } from './common.js';
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
  if (!Number.isInteger(naccept) && naccept !== Infinity) throw new UsageError('-naccept needs a count');
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
  let open = 0;
  let failures = 0;
  let current: TLSSocket | null = null;
  const commands = !p.switches.has('nocommands') && !quiet && !p.switches.has('www') && !p.switches.has('echo');

  const server = createServer(options, (socket) => {
    current = socket;
    if (brief || !quiet) for (const l of briefLines(socket, true)) io.stderr.write(`${l}\n`);
    if (p.switches.has('www')) {
      let request = '';
      socket.on('data', (d: Buffer) => {
        request += d.toString('latin1');
        const end = request.indexOf('\r\n\r\n');
        if (end >= 0) {
          const body = statusPage(socket, request.slice(0, end));
          socket.end(`HTTP/1.0 200 ok\r\nContent-Type: text/html\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
        }
      });
    } else if (p.switches.has('echo')) {
      socket.on('data', (d: Buffer) => socket.write(d));
      socket.on('end', () => socket.end());
    } else {
      socket.on('data', (d: Buffer) => io.stdout.write(d));
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
    open++;
    if (p.switches.has('msg')) {
      const tracer = new MessageTracer('server', (l) => io.stderr.write(`${l}\n`));
      tracers.add(tracer);
      traceRecords(raw, tracer);
      raw.once('close', () => tracers.delete(tracer));
    }
    raw.once('close', () => {
      open--;
      if (current !== null && current.transport === raw) current = null;
    });
    if (accepted >= naccept) server.close(); // stop listening; open connections go on
  });
  server.on('tlsClientError', (e: Error) => {
    failures++;
    io.stderr.write(`puretls s_server: handshake failed: ${describeError(e)}\n`);
  });

  io.stdin.on('data', (d: Buffer) => {
    const c = current;
    if (c === null) return;
    if (commands && command(d, c, io)) return;
    c.write(d);
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
