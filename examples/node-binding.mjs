#!/usr/bin/env node
// The Node binding in a few lines, shaped like node:tls: a puretls server and a puretls client on
// 127.0.0.1, with a throwaway CA. Code written for `tls.createServer` / `tls.connect` moves over by
// changing the import.
//
//   node examples/node-binding.mjs
import { connect, createServer, generateCertificate } from '@puretls/node';

const ca = generateCertificate({ commonName: 'example CA', isCA: true });
const leaf = generateCertificate({ commonName: 'localhost', issuer: ca, altNames: ['localhost'] });

const server = createServer({ cert: leaf.cert, key: leaf.key, ALPNProtocols: ['echo/1'] }, (socket) => {
  console.log(`server: ${socket.getProtocol()} ${socket.getCipher().name}, ALPN ${socket.alpnProtocol}, SNI ${socket.servername}`);
  socket.pipe(socket); // echo; the client's end() (close_notify) ends it
});

server.listen(0, '127.0.0.1', () => {
  const { port } = server.address();
  const socket = connect({ host: '127.0.0.1', port, servername: 'localhost', ca: ca.cert, ALPNProtocols: ['echo/1'] }, () => {
    console.log(`client: verified ${socket.authorized}, group ${socket.getGroup()}, signature ${socket.getSignatureScheme()}`);
    console.log(`client: exporter ${socket.exportKeyingMaterial(16, 'EXPORTER-example').toString('hex')}`);
    socket.end('hello over puretls\n');
  });
  socket.on('session', (s) => console.log(`client: got a session ticket (${s.length} bytes) for resumption`));
  socket.on('data', (d) => process.stdout.write(`client received: ${d}`));
  socket.on('close', () => server.close());
  socket.on('error', (e) => {
    console.error(`client error: ${e.message}`);
    process.exitCode = 1;
    server.close();
  });
});
