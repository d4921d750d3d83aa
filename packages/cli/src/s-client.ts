/**
 * `puretls s_client`: connects, verifies (failure aborts unless `-insecure`), then copies stdin to the
 * peer and the peer's data to stdout, like `openssl s_client`. Exit status 0 after a clean close;
 * non-zero with the alert and reason on stderr otherwise.
 */
import { connect as netConnect, type Socket } from 'node:net';
import { connect, type ConnectOptions, type TLSSocket } from '@puretls/node';
import { hostPort, parseArgs, UsageError, type FlagSpec } from './args.js';
import { dtlsClient } from './dtls-client.js';
import { mtuFrom } from './dtls-common.js';
import { command, readSession, readText, tlsOptions, writeSession, type Io } from './common.js';
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

/** RFC 3207 up to the TLS handshake: greeting, EHLO, STARTTLS. */
async function smtpStartTls(socket: Socket, host: string, io: Io, quiet: boolean): Promise<void> {
  let buf = '';
  const reply = (): Promise<string> =>
    new Promise((resolve, reject) => {
      const onData = (d: Buffer): void => {
        buf += d.toString('latin1');
        // A reply ends with a line "ddd text" (no dash after the code).
        const m = /(^|\n)(\d{3}) [^\n]*\n/.exec(buf);
        if (m !== null) {
          const end = m.index + m[0].length;
          const text = buf.slice(0, end);
          buf = buf.slice(end);
          socket.off('data', onData);
          socket.off('error', reject);
          resolve(text);
        }
      };
      socket.on('data', onData);
      socket.once('error', reject);
    });
  const expect = (text: string, code: string, what: string): void => {
    if (!quiet) io.stderr.write(text);
    if (!text.split('\n').some((l) => l.startsWith(code))) throw new Error(`SMTP ${what}: ${text.trim()}`);
  };
  expect(await reply(), '220', 'greeting');
  socket.write(`EHLO ${host}\r\n`);
  const ehlo = await reply();
  expect(ehlo, '250', 'EHLO');
  if (!/^250[- ]STARTTLS/im.test(ehlo)) throw new Error('the SMTP server does not offer STARTTLS');
  socket.write('STARTTLS\r\n');
  expect(await reply(), '220', 'STARTTLS');
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

  const raw: Socket = netConnect({ host, port });
  await new Promise<void>((resolve, reject) => {
    raw.once('connect', resolve);
    raw.once('error', reject);
  });
  log(`CONNECTED(${host}:${port})`);
  if (starttls === 'smtp') await smtpStartTls(raw, host, io, quiet);
  const base = tlsOptions(p, io);
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
    ...(sessIn === undefined ? {} : { session: readSession(sessIn) }),
    ...(earlyFile === undefined ? {} : { earlyData: Buffer.from(readText(earlyFile, 'early_data'), 'utf8') }),
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
    socket.once('secureConnect', () => {
      secure = true;
      if (brief || !quiet) for (const l of briefLines(socket, false)) io.stderr.write(`${l}\n`);
      if (earlyFile !== undefined) log(socket.earlyDataAccepted === true ? 'Early data was accepted' : 'Early data was rejected (sent after the handshake)');
      if (!socket.authorized) log(`verify error: ${socket.authorizationError ?? 'unknown'} (going on: -insecure)`);
      io.stdin.on('data', (d: Buffer) => {
        if (commands && command(d, socket, io, () => (weEnded = true))) return;
        socket.write(d);
      });
      io.stdin.once('end', () => {
        if (!ignEof) {
          weEnded = true;
          socket.end();
        }
      });
      io.stdin.resume();
    });
    socket.on('data', (d: Buffer) => io.stdout.write(d));
    socket.once('end', () => {
      log(socket.closeNotifyReceived ? 'closed' : 'closed without close_notify');
      socket.end();
    });
    socket.once('error', (e: Error) => {
      io.stderr.write(`puretls s_client: ${secure ? '' : 'handshake failed: '}${describeError(e)}\n`);
      io.stdin.pause();
      resolve(1);
    });
    socket.once('close', () => {
      io.stdin.pause();
      if (sessOut !== undefined && sessions === 0) log('no session ticket received; -sess_out not written');
      // Clean: close_notify from the peer, or ours first (the peer may then just drop TCP).
      resolve(secure && (socket.closeNotifyReceived || weEnded) ? 0 : secure ? 2 : 1);
    });
  });
}
