// The Node binding (@puretls/node, node:tls-shaped) in Node and in Bun: connect() to openssl
// s_server -www with the test CA, check the peer is authorized, read the page.
// `node|bun node-binding.bundle.mjs <fixtures.json>`; prints `RESULTS [...]` like run-node.mjs.
import { readFileSync } from 'node:fs';
import { connect } from '@puretls/node';

const fixtures = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const name = '@puretls/node connect() to openssl s_server -www, verified against the test CA';

async function check() {
  const { host, port } = fixtures.openssl;
  const socket = connect({ host, port, servername: 'localhost', ca: fixtures.pki.caPem });
  await new Promise((resolve, reject) => {
    socket.once('secureConnect', resolve);
    socket.once('error', reject);
  });
  if (socket.authorized !== true) throw new Error(`not authorized: ${socket.authorizationError}`);
  const protocol = socket.getProtocol?.();
  if (protocol !== 'TLSv1.3') throw new Error(`protocol ${protocol}`);
  socket.write('GET / HTTP/1.0\r\n\r\n');
  let page = '';
  socket.setEncoding('utf8');
  socket.on('data', (d) => (page += d));
  await new Promise((resolve, reject) => {
    socket.once('end', resolve);
    socket.once('error', reject);
  });
  socket.destroy();
  if (!/^HTTP\/1\.0 200 ok/i.test(page) || !page.includes('TLSv1.3')) throw new Error(`unexpected page: ${page.slice(0, 80)}`);
}

let result;
try {
  await check();
  result = { name, status: 'passed' };
} catch (e) {
  result = { name, status: 'failed', detail: `${e?.code ?? ''} ${e?.message ?? e}`.trim() };
}
console.log(`RESULTS ${JSON.stringify([result])}`);
