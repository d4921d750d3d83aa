// A WebSocket-to-TCP relay (RFC 6455, binary frames only) and a static file server on 127.0.0.1, for
// the browser: the page speaks TLS end to end to a local TCP server through it; the relay sees only
// ciphertext. It connects only to the ports it was given (it is not an open proxy).
//
// Run as a command for examples/browser-websocket.html (after `npm run bundle:web -- examples/puretls-web.mjs`):
//   node test/runtimes/relay.mjs [tcp-port ...]     (default 4433)
// serves the page and the bundle, relays /relay?port=N to 127.0.0.1:N, prints the page's URL; Ctrl-C stops it.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { connect } from 'node:net';
import { fileURLToPath, pathToFileURL } from 'node:url';

const GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';

function frame(opcode, payload) {
  const n = payload.length;
  const head = n < 126 ? Buffer.from([0x80 | opcode, n]) : n < 65536 ? Buffer.from([0x80 | opcode, 126, n >> 8, n & 0xff]) : Buffer.concat([Buffer.from([0x80 | opcode, 127]), (() => { const b = Buffer.alloc(8); b.writeBigUInt64BE(BigInt(n)); return b; })()]);
  return Buffer.concat([head, payload]);
}

function relay(ws, port) {
  const tcp = connect({ host: '127.0.0.1', port });
  let buf = Buffer.alloc(0);
  let closed = false;
  const shut = () => {
    if (closed) return;
    closed = true;
    if (!ws.destroyed) ws.end(frame(8, Buffer.from([0x03, 0xe8])));
    tcp.end();
  };
  tcp.on('data', (d) => {
    if (!ws.write(frame(2, d))) tcp.pause();
  });
  ws.on('drain', () => tcp.resume());
  tcp.on('drain', () => ws.resume());
  tcp.on('end', shut);
  tcp.on('error', () => ws.destroy());
  ws.on('error', () => tcp.destroy());
  ws.on('close', () => tcp.destroy());
  ws.on('data', (d) => {
    buf = Buffer.concat([buf, d]);
    for (;;) {
      if (buf.length < 2) return;
      const opcode = buf[0] & 0x0f;
      const masked = (buf[1] & 0x80) !== 0;
      let len = buf[1] & 0x7f;
      let at = 2;
      if (len === 126) {
        if (buf.length < 4) return;
        len = buf.readUInt16BE(2);
        at = 4;
      } else if (len === 127) {
        if (buf.length < 10) return;
        len = Number(buf.readBigUInt64BE(2));
        at = 10;
      }
      if (!masked || len > 1 << 24) return ws.destroy(); // RFC 6455 §5.1: client frames are masked
      if (buf.length < at + 4 + len) return;
      const mask = buf.subarray(at, at + 4);
      const payload = Buffer.from(buf.subarray(at + 4, at + 4 + len));
      for (let i = 0; i < payload.length; i++) payload[i] ^= mask[i & 3];
      buf = buf.subarray(at + 4 + len);
      if (opcode === 0x2 || opcode === 0x0) {
        if (!tcp.write(payload)) ws.pause();
      } else if (opcode === 0x8) {
        shut();
      } else if (opcode === 0x9) {
        ws.write(frame(0xa, payload));
      } else if (opcode !== 0xa) {
        return ws.destroy(); // text frames have no place on a byte relay
      }
    }
  });
}

/**
 * @param {{ ports: number[], files: Record<string, { type: string, body: string | Uint8Array }> }} o
 * @returns {Promise<{ base: string, close(): Promise<void> }>}
 */
export function startRelay(o) {
  const sockets = new Set();
  const server = createServer((req, res) => {
    const f = o.files[new URL(req.url ?? '/', 'http://x').pathname];
    if (f === undefined) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': f.type, 'cache-control': 'no-store' }).end(f.body);
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  server.on('upgrade', (req, socket) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const port = Number(url.searchParams.get('port'));
    const key = req.headers['sec-websocket-key'];
    if (url.pathname !== '/relay' || !o.ports.includes(port) || typeof key !== 'string') {
      socket.end('HTTP/1.1 403 Forbidden\r\n\r\n');
      return;
    }
    const accept = createHash('sha1').update(key + GUID).digest('base64');
    socket.write(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n\r\n`);
    relay(socket, port);
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      resolve({
        base: `http://127.0.0.1:${port}`,
        close: () =>
          new Promise((res) => {
            for (const s of sockets) s.destroy();
            server.close(() => res());
          }),
      });
    });
  });
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const ports = process.argv.slice(2).map(Number);
  if (ports.some((p) => !Number.isInteger(p) || p < 1 || p > 65535)) {
    console.error('usage: node test/runtimes/relay.mjs [tcp-port ...]   (default 4433)');
    process.exit(64);
  }
  const examples = fileURLToPath(new URL('../../examples/', import.meta.url));
  const read = (name) => {
    try {
      return readFileSync(examples + name);
    } catch {
      console.error(`relay: no examples/${name}${name.endsWith('.mjs') ? ': run `npm run bundle:web -- examples/puretls-web.mjs` first' : ''}`);
      process.exit(66);
    }
  };
  const { base } = await startRelay({
    ports: ports.length === 0 ? [4433] : ports,
    files: {
      '/browser-websocket.html': { type: 'text/html', body: read('browser-websocket.html') },
      '/puretls-web.mjs': { type: 'text/javascript', body: read('puretls-web.mjs') },
    },
  });
  console.log(`open ${base}/browser-websocket.html (relay: ${base.replace('http:', 'ws:')}/relay?port=${ports[0] ?? 4433})`);
}
