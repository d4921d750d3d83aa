// Runs the bundled checks in Node or Bun: `node|bun run-node.mjs <check.mjs> <fixtures.json> <runtime>`.
// TCP comes from node:net, wrapped as Web Streams (the shape of a Deno or Workers socket).
import { readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { pathToFileURL } from 'node:url';

const [checkFile, fixturesFile, runtime] = process.argv.slice(2);

/** A node:net socket as `{ readable, writable }`, pausing the socket while the readable is full. */
function tcp(host, port) {
  return new Promise((resolve, reject) => {
    const s = connect({ host, port });
    s.once('error', reject);
    s.once('connect', () => {
      s.off('error', reject);
      const readable = new ReadableStream(
        {
          start(c) {
            s.on('data', (d) => {
              c.enqueue(new Uint8Array(d));
              if (c.desiredSize !== null && c.desiredSize <= 0) s.pause();
            });
            s.on('end', () => {
              try {
                c.close();
              } catch {}
            });
            s.on('error', (e) => {
              try {
                c.error(e);
              } catch {}
            });
          },
          pull() {
            s.resume();
          },
          cancel() {
            s.destroy();
          },
        },
        { highWaterMark: 65536, size: (c) => c.byteLength },
      );
      const writable = new WritableStream({
        write: (chunk) => new Promise((res, rej) => s.write(chunk, (e) => (e ? rej(e) : res()))),
        close: () => new Promise((res) => s.end(res)),
        abort: () => void s.destroy(),
      });
      resolve({ readable, writable });
    });
  });
}

const { runChecks } = await import(pathToFileURL(checkFile).href);
const fixtures = JSON.parse(readFileSync(fixturesFile, 'utf8'));
const results = await runChecks({ runtime, fixtures, connect: tcp });
console.log(`RESULTS ${JSON.stringify(results)}`);
