/**
 * `puretls s_client`: connects, verifies (failure aborts unless `-insecure`), then copies stdin to the
 * peer and the peer's data to stdout, like `openssl s_client`. Exit status 0 after a clean close;
 * non-zero with the alert and reason on stderr otherwise. Both copies honour back-pressure: a peer
 * that does not read holds stdin, a stdout that does not drain holds the peer.
 */
import { connect as netConnect, isIP, type Socket } from 'node:net';
import { connect, type ConnectOptions, type TLSSocket } from '@puretls/node';
import { hostPort, parseArgs, UsageError, type FlagSpec } from './args.js';
import { dtlsClient } from './dtls-client.js';
import { mtuFrom } from './dtls-common.js';
import { command, Gate, isBrokenPipe, readSession, readText, tlsOptions, writeSession, type Io } from './common.js';
import { MessageTracer, traceRecords } from './msg.js';
import { briefLines, describeError } from './report.js';

export const S_CLIENT_FLAGS: FlagSpec = {
  connect: 'value', servername: 'value', noservername: 'switch', CAfile: 'value', cert: 'value', key: 'value', pass: 'value',
  alpn: 'value', groups: 'value', curves: 'value', ciphersuites: 'value', sigalgs: 'value', tls1_3: 'switch', verify: 'value',
  verify_return_error: 'switch', insecure: 'switch', quiet: 'switch', brief: 'switch', keylogfile: 'value', sess_out: 'value',
  sess_in: 'value', early_data: 'value', starttls: 'value', msg: 'switch', ign_eof: 'switch', nocommands: 'switch',
  dtls1_3: 'switch', mtu: 'value',
};

export const S_CLIENT_USAGE = `usage: puretls s_client -connect host:port [options]
  -servername name   SNI and the name verified (default: the host)  -noservername  send no SNI
  -CAfile file       trust these roots (default: Node's Mozilla roots)
  -cert file -key file  client certificate    -alpn a,b   -groups X25519:P-256   -ciphersuites A:B   -sigalgs s:t
  -insecure          go on when verification fails               -brief   -quiet   -msg
  -keylogfile file   NSS key log                                  -sess_out file  -sess_in file  -early_data file
  -starttls smtp     upgrade a plaintext SMTP session             -ign_eof  keep reading after stdin ends
  -dtls1_3           DTLS 1.3 over UDP (RFC 9147)                 -mtu n   UDP payload bytes per datagram (DTLS)`;

/** RFC 5321 §4.5.3.1.5 allows 512 bytes a reply line; a reply may have many. Beyond this, the server is broken. */
const MAX_SMTP_REPLY = 64 * 1024;

/**
 * Reads SMTP replies (RFC 5321 §4.2) off the plaintext socket: line by line as bytes arrive, each
 * line scanned once, a reply bounded by MAX_SMTP_REPLY. The server closing or failing rejects the
 * reply being waited for.
 */
function smtpReplies(socket: Socket): { next(what: string): Promise<string>; stop(): void } {
  let partial = '';
  let lines: string[] = [];
  let size = 0;
  const ready: string[] = [];
  let failure: Error | null = null;
  let waiter: { what: string; resolve(text: string): void; reject(e: Error): void } | null = null;
  const settle = (): void => {
    if (waiter === null) return;
    const w = waiter;
    if (ready.length > 0) {
      waiter = null;
      w.resolve(ready.shift() as string);
    } else if (failure !== null) {
      waiter = null;
      w.reject(new Error(`SMTP ${w.what}: ${failure.message}`));
    }
  };
  const fail = (e: Error): void => {
    failure ??= e;
    settle();
  };
  const onData = (d: Buffer): void => {
    if (failure !== null) return;
    const text = partial + d.toString('latin1');
    let start = 0;
    for (let nl = text.indexOf('\n'); nl >= 0; nl = text.indexOf('\n', start)) {
      const line = text.slice(start, nl + 1);
      start = nl + 1;
      lines.push(line);
      size += line.length;
      // The last line of a reply has no dash after the code: "250 text" or a bare "250".
      if (/^\d{3}(?: |\r?\n)/.test(line)) {
        ready.push(lines.join(''));
        lines = [];
        size = 0;
      }
    }
    partial = text.slice(start);
    if (size + partial.length > MAX_SMTP_REPLY) fail(new Error(`reply longer than ${MAX_SMTP_REPLY} bytes`));
    settle();
  };
  const onEnd = (): void => fail(new Error('the server closed the connection'));
  socket.on('data', onData);
  socket.on('end', onEnd);
  socket.on('close', onEnd);
  socket.on('error', fail);
  return {
    next: (what) =>
      new Promise((resolve, reject) => {
        waiter = { what, resolve, reject };
        settle();
      }),
    stop: () => {
      socket.off('data', onData);
      socket.off('end', onEnd);
      socket.off('close', onEnd);
      socket.off('error', fail);
    },
  };
}

/** RFC 3207 up to the TLS handshake: greeting, EHLO, STARTTLS. */
async function smtpStartTls(socket: Socket, host: string, io: Io, quiet: boolean): Promise<void> {
  const replies = smtpReplies(socket);
  const expect = async (code: string, what: string): Promise<string> => {
    const text = await replies.next(what);
    if (!quiet) io.stderr.write(text);
    if (!text.split('\n').some((l) => l.startsWith(code))) throw new Error(`SMTP ${what}: ${text.trim()}`);
    return text;
  };
  try {
    await expect('220', 'greeting');
    // RFC 5321 §4.1.3: an address literal goes in brackets, IPv6 with its tag.
    socket.write(`EHLO ${isIP(host) === 4 ? `[${host}]` : isIP(host) === 6 ? `[IPv6:${host}]` : host}\r\n`);
    const ehlo = await expect('250', 'EHLO');
    if (!/^250[- ]STARTTLS/im.test(ehlo)) throw new Error('the SMTP server does not offer STARTTLS');
    socket.write('STARTTLS\r\n');
    await expect('220', 'STARTTLS');
  } finally {
    // Whatever came after the 220 was sent before TLS and is dropped (RFC 3207 §5: nothing from
    // before the handshake is trusted).
    replies.stop();
  }
}

export async function sClient(argv: readonly string[], io: Io): Promise<number> {
  const p = parseArgs(argv, S_CLIENT_FLAGS);
  if (p.switches.has('dtls1_3')) return await dtlsClient(p, io);
  mtuFrom(p, false);
  const target = p.values.get('connect');
  if (target === undefined) throw new UsageError('-connect host:port is required');
  const { host, port } = hostPort(target, 'localhost');
  const quiet = p.switches.has('quiet');
  const brief = p.switches.has('brief');
  const insecure = p.switches.has('insecure');
  const ignEof = p.switches.has('ign_eof') || quiet;
  const commands = !p.switches.has('nocommands') && !quiet;
  const starttls = p.values.get('starttls');
  if (starttls !== undefined && starttls !== 'smtp') throw new UsageError(`-starttls ${starttls}: only smtp is supported`);
  const sessOut = p.values.get('sess_out');
  const sessIn = p.values.get('sess_in');
  const earlyFile = p.values.get('early_data');
  const log = (s: string): void => {
    if (!quiet) io.stderr.write(`${s}\n`);
  };

  // Everything from the command line is read and checked before connecting: a mistake is a usage error.
  const base = tlsOptions(p, io);
  const session = sessIn === undefined ? undefined : readSession(sessIn);
  const early = earlyFile === undefined ? undefined : Buffer.from(readText(earlyFile, 'early_data'), 'utf8');

  const raw: Socket = netConnect({ host, port });
  await new Promise<void>((resolve, reject) => {
    raw.once('connect', resolve);
    raw.once('error', reject);
  });
  log(`CONNECTED(${host}:${port})`);
  if (starttls === 'smtp') {
    try {
      await smtpStartTls(raw, host, io, quiet);
    } catch (e) {
      raw.destroy();
      throw e;
    }
  }
  const tracer = p.switches.has('msg') ? new MessageTracer('client', (l) => io.stderr.write(`${l}\n`)) : null;
  if (tracer !== null) traceRecords(raw, tracer);

  const options: ConnectOptions = {
    ...base,
    ...(tracer === null
      ? {}
      : {
          keyLog: (line: Buffer): void => {
            base.keyLog?.(line);
            tracer.secret(line.toString('latin1'));
          },
        }),
    socket: raw,
    host,
    rejectUnauthorized: !insecure,
    ...(p.switches.has('noservername') ? { servername: '' } : p.values.has('servername') ? { servername: p.values.get('servername') as string } : {}),
    ...(session === undefined ? {} : { session }),
    ...(early === undefined ? {} : { earlyData: early }),
  };
  const socket: TLSSocket = connect(options);
  let sessions = 0;
  if (sessOut !== undefined) {
    socket.on('session', (s: Buffer) => {
      writeSession(sessOut, s);
      sessions++;
    });
  }

  return await new Promise<number>((resolve) => {
    let secure = false;
    let weEnded = false;
    let closed = false;
    const toPeer = new Gate(socket);
    const toStdout = new Gate(io.stdout);
    const onStdin = (d: Buffer): void => {
      // After Q, stdin EOF or a closed stdout our side is closed: the rest of stdin goes nowhere.
      if (socket.writableEnded) return;
      if (commands && command(d, socket, io, () => (weEnded = true))) return;
      toPeer.write(io.stdin, d);
    };
    const onStdinEnd = (): void => {
      if (!ignEof) {
        weEnded = true;
        socket.end();
      }
    };
    // A closed stdout (`| head -c 5`): close the connection and exit quietly, as openssl (killed by
    // SIGPIPE) does; another stdout failure is said.
    const onStdoutError = (e: Error): void => {
      if (closed) return;
      if (!isBrokenPipe(e)) io.stderr.write(`puretls s_client: stdout: ${e.message}\n`);
      weEnded = true;
      io.stdin.off('data', onStdin);
      io.stdin.pause();
      socket.off('data', onData);
      socket.resume();
      socket.end();
    };
    const onData = (d: Buffer): void => toStdout.write(socket, d);
    io.stdout.on('error', onStdoutError);
    socket.once('secureConnect', () => {
      secure = true;
      if (brief || !quiet) for (const l of briefLines(socket, false)) io.stderr.write(`${l}\n`);
      if (earlyFile !== undefined) log(socket.earlyDataAccepted === true ? 'Early data was accepted' : 'Early data was rejected (sent after the handshake)');
      if (!socket.authorized) log(`verify error: ${socket.authorizationError ?? 'unknown'} (going on: -insecure)`);
      io.stdin.on('data', onStdin);
      io.stdin.once('end', onStdinEnd);
      io.stdin.resume();
    });
    socket.on('data', onData);
    socket.once('end', () => {
      log(socket.closeNotifyReceived ? 'closed' : 'closed without close_notify');
      socket.end();
    });
    socket.once('error', (e: Error) => {
      io.stderr.write(`puretls s_client: ${secure ? '' : 'handshake failed: '}${describeError(e)}\n`);
      finish(1);
    });
    socket.once('close', () => {
      if (sessOut !== undefined && sessions === 0) log('no session ticket received; -sess_out not written');
      // Clean: close_notify from the peer, or ours first (the peer may then just drop TCP).
      finish(secure && (socket.closeNotifyReceived || weEnded) ? 0 : secure ? 2 : 1);
    });
    function finish(status: number): void {
      if (closed) return;
      closed = true;
      io.stdin.off('data', onStdin);
      io.stdin.off('end', onStdinEnd);
      io.stdin.pause();
      io.stdout.off('error', onStdoutError);
      toPeer.forget(io.stdin);
      resolve(status);
    }
  });
}
