#!/usr/bin/env node
// A small SMTP server with STARTTLS (RFC 3207) on the puretls Node binding: the session starts in
// plaintext, STARTTLS upgrades the same TCP connection with `new TLSSocket(socket, { isServer: true })`
// and the SMTP dialogue starts over (RFC 3207 §4.2: the client must EHLO again). Mail is accepted and
// handed to `onMessage`, not delivered anywhere.
//
//   node examples/smtp-starttls-server.mjs [--port 2525]
//   openssl s_client -starttls smtp -connect 127.0.0.1:2525 -CAfile <printed CA file>
import { createServer as createNetServer } from 'node:net';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { TLSSocket, generateCertificate } from '@puretls/node';

/**
 * @param {{ cert: string, key: string, hostname?: string, onMessage?: (m: { from: string, to: string[], data: string, tls: boolean }) => void }} options
 */
export function createSmtpServer(options) {
  const hostname = options.hostname ?? 'localhost';
  return createNetServer((raw) => {
    raw.on('error', () => {});
    let socket = raw;
    let tls = false;
    let buffer = '';
    let mail = { from: '', to: [], data: '' };
    let inData = false;
    const reply = (text) => socket.write(`${text}\r\n`);

    const onLine = (line) => {
      if (inData) {
        if (line === '.') {
          inData = false;
          options.onMessage?.({ ...mail, tls });
          mail = { from: '', to: [], data: '' };
          reply('250 2.0.0 OK: queued');
        } else mail.data += `${line.startsWith('..') ? line.slice(1) : line}\n`;
        return;
      }
      const [verb = '', ...rest] = line.split(' ');
      const arg = rest.join(' ');
      switch (verb.toUpperCase()) {
        case 'EHLO':
          // RFC 3207 §4: STARTTLS is offered only before TLS.
          if (tls) reply(`250-${hostname} greets ${arg}\r\n250-8BITMIME\r\n250 SIZE 10485760`);
          else reply(`250-${hostname} greets ${arg}\r\n250-8BITMIME\r\n250-SIZE 10485760\r\n250 STARTTLS`);
          return;
        case 'HELO':
          reply(`250 ${hostname}`);
          return;
        case 'STARTTLS': {
          if (tls) return reply('503 5.5.1 TLS already active');
          reply('220 2.0.0 Ready to start TLS');
          // RFC 3207 §4.2: forget everything learnt in plaintext; bytes already buffered are dropped.
          raw.off('data', onData);
          buffer = '';
          const secure = new TLSSocket(raw, { isServer: true, cert: options.cert, key: options.key });
          secure.on('error', () => raw.destroy());
          secure.on('data', onData);
          socket = secure;
          tls = true;
          return;
        }
        case 'MAIL':
          mail.from = arg.replace(/^FROM:\s*/i, '');
          return reply('250 2.1.0 OK');
        case 'RCPT':
          mail.to.push(arg.replace(/^TO:\s*/i, ''));
          return reply('250 2.1.5 OK');
        case 'DATA':
          inData = true;
          return reply('354 End data with <CR><LF>.<CR><LF>');
        case 'RSET':
          mail = { from: '', to: [], data: '' };
          return reply('250 2.0.0 OK');
        case 'NOOP':
          return reply('250 2.0.0 OK');
        case 'QUIT':
          reply('221 2.0.0 Bye');
          socket.end();
          return;
        default:
          return reply('502 5.5.2 Command not recognized');
      }
    };
    function onData(chunk) {
      buffer += chunk.toString('utf8');
      for (let nl = buffer.indexOf('\n'); nl >= 0; nl = buffer.indexOf('\n')) {
        const line = buffer.slice(0, nl).replace(/\r$/, '');
        buffer = buffer.slice(nl + 1);
        onLine(line);
      }
    }
    raw.on('data', onData);
    reply(`220 ${hostname} ESMTP puretls example`);
  });
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const portArg = process.argv.indexOf('--port');
  const port = portArg >= 0 ? Number(process.argv[portArg + 1]) : 2525;
  const ca = generateCertificate({ commonName: 'puretls SMTP example CA', isCA: true });
  const server = generateCertificate({ commonName: 'localhost', issuer: ca, altNames: ['localhost', '127.0.0.1'] });
  const dir = mkdtempSync(join(tmpdir(), 'puretls-smtp-'));
  const caFile = join(dir, 'ca.pem');
  writeFileSync(caFile, ca.cert);
  // The CA file lives as long as the server: removed on exit, Ctrl-C and kill included.
  process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.once(sig, () => process.exit(0));
  const smtp = createSmtpServer({ cert: server.cert, key: server.key, onMessage: (m) => console.log(`message from ${m.from} to ${m.to.join(', ')} (tls: ${m.tls}):\n${m.data}`) });
  smtp.once('error', (e) => {
    console.error(`cannot listen on 127.0.0.1:${port}: ${e.message}`);
    process.exit(1);
  });
  smtp.listen(port, '127.0.0.1', function () {
    console.log(`SMTP on 127.0.0.1:${this.address().port}; CA: ${caFile}`);
    console.log(`try: openssl s_client -starttls smtp -connect 127.0.0.1:${this.address().port} -CAfile ${caFile}`);
  });
}
