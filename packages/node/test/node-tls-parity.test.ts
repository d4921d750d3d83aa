/**
 * Stream and server behaviour the binding shares with node:tls, from a review against it: data the
 * application has not read yet survives the close of the connection; writes made before the handshake
 * completes apply back-pressure and keep their order behind refused early data; a failed connection
 * never becomes 'secureConnection'; setSecureContext ends the sessions of the previous context;
 * STARTTLS over a paused socket; net options for connect(); a bad SNICallback answer; pauseOnConnect.
 * Where the point is compatibility, node:tls runs the same scenario and the outcomes are compared.
 */
import { randomBytes } from 'node:crypto';
import * as https from 'node:https';
import { connect as netConnect, createServer as netCreateServer, type Server as NetServer, type Socket } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Duplex, type Readable } from 'node:stream';
import * as tls from 'node:tls';
import { afterAll, describe, expect, it } from 'vitest';
import { connect, createSecureContext, createServer, generateCertificate, type ConnectOptions, type ServerOptions, type TLSSocket } from '../src/index.js';
import { closeServer, listen, readAll, secure } from './helpers/sockets.js';

const ca = generateCertificate({ commonName: 'parity CA', isCA: true, keyType: 'ec-p256' });
const otherCa = generateCertificate({ commonName: 'other CA', isCA: true, keyType: 'ec-p256' });
const srv = generateCertificate({ commonName: 'localhost', keyType: 'ec-p256', issuer: ca, altNames: ['localhost', '127.0.0.1'] });
const cli = generateCertificate({ commonName: 'client', keyType: 'ec-p256', issuer: ca, altNames: ['client.test'] });
const dir = mkdtempSync(join(tmpdir(), 'puretls-parity-'));

const closers: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const c of closers) await c();
  rmSync(dir, { recursive: true, force: true });
});

/** Listens on 127.0.0.1; closed (its connections too) after the file. */
async function serve(server: NetServer): Promise<number> {
  const raw = new Set<Socket>();
  server.on('connection', (c: Socket) => raw.add(c));
  closers.push(() => {
    for (const c of raw) c.destroy();
    return closeServer(server);
  });
  return listen(server);
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const closed = (s: { destroyed: boolean; once(e: 'close', f: () => void): unknown }): Promise<void> =>
  s.destroyed ? Promise.resolve() : new Promise((r) => s.once('close', () => r()));
const clientOptions = (port: number): ConnectOptions => ({ host: '127.0.0.1', port, servername: 'localhost', ca: ca.cert });
type Connect = (o: ConnectOptions) => TLSSocket | tls.TLSSocket;
const nodeConnect: Connect = (o) => tls.connect(o as tls.ConnectionOptions);

/** for-await over the stream, as the review's repro reads: the text, or the error the iteration threw. */
async function iterate(s: Readable): Promise<string> {
  let got = '';
  try {
    for await (const d of s) got += String(d);
  } catch (e) {
    return `threw ${(e as { code?: string }).code ?? String(e)}`;
  }
  return got;
}

describe('data not read yet survives the end of the connection', () => {
  it('client: the reply and end(): read after the TCP connection is gone, as node:tls', async () => {
    const port = await serve(
      createServer({ cert: srv.cert, key: srv.key }, (s) => {
        s.on('error', () => {});
        s.end('the reply');
      }),
    );
    const c = connect(clientOptions(port));
    // The server's data, close_notify and FIN arrive, our close_notify goes out, the TCP socket closes.
    await closed(c.transport as Socket);
    await sleep(20);
    expect(await iterate(c)).toBe('the reply');
    await closed(c);
  });

  it('server: the request and end(): read after the TCP connection is gone, as with a node:tls client', async () => {
    for (const [name, mk] of [['puretls', (o: ConnectOptions) => connect(o)], ['node:tls', nodeConnect]] as const) {
      const got = new Promise<string>((resolve) => {
        void serve(
          createServer({ cert: srv.cert, key: srv.key }, (s) => {
            s.on('error', () => {});
            void closed(s.transport as Socket).then(async () => {
              await sleep(20);
              resolve(await iterate(s));
            });
          }),
        ).then((port) => {
          const c = mk(clientOptions(port));
          c.on('error', () => {});
          c.resume();
          c.end('the request');
        });
      });
      expect(`${name}: ${await got}`).toBe(`${name}: the request`);
    }
  });

  it('a socket whose peer ended with nothing unread still closes on its own', async () => {
    let serverSocket: TLSSocket | undefined;
    const port = await serve(
      createServer({ cert: srv.cert, key: srv.key }, (s) => {
        serverSocket = s;
        s.on('error', () => {});
        s.write('no reader here');
      }),
    );
    const c = await secure(connect(clientOptions(port)));
    const reply = readAll(c);
    c.end();
    expect((await reply).toString()).toBe('no reader here');
    await closed(c);
    expect(serverSocket).toBeDefined();
    await closed(serverSocket!);
  });
});

describe('writes before the handshake completes', () => {
  /** A server whose handshake waits (its SNICallback) until `release()`. */
  async function stalledServer(onSocket: (s: TLSSocket) => void): Promise<{ port: number; release: () => void }> {
    let release: () => void = () => {};
    const held = new Promise<void>((r) => (release = r));
    const port = await serve(
      createServer(
        {
          cert: srv.cert,
          key: srv.key,
          SNICallback: (_name, cb) => void held.then(() => cb(null, undefined)),
        },
        onSocket,
      ),
    );
    return { port, release };
  }

  it('write() returns false past the high-water mark, as node:tls; everything arrives in order after', async () => {
    const chunk = (i: number): Buffer => Buffer.alloc(16384, i & 0xff);
    let onReceived: (b: Promise<Buffer>) => void = () => {};
    const received = new Promise<Buffer>((r) => (onReceived = r));
    const { port, release } = await stalledServer((s) => {
      s.on('error', () => {});
      onReceived(readAll(s));
    });
    const accepted: Record<string, number> = {};
    for (const [name, mk] of [['node:tls', nodeConnect], ['puretls', (o: ConnectOptions) => connect(o)]] as const) {
      const raw = netCreateServer((s) => {
        s.on('data', () => {});
        s.on('error', () => {});
      }); // never answers the ClientHello
      const rawPort = await serve(raw);
      const c = mk({ ...clientOptions(rawPort) });
      c.on('error', () => {});
      await sleep(50);
      let n = 0;
      while (n < 1000 && c.write(chunk(n))) n++;
      accepted[name] = n;
      c.destroy();
    }
    // The engine queued every write and called it back at once: write() never said stop.
    expect(accepted).toEqual({ 'node:tls': 0, puretls: 0 });

    // The same against a server that answers late: the data held meanwhile goes out, in order.
    const c = connect(clientOptions(port));
    c.on('error', () => {});
    let callbacks = 0;
    const total = 3;
    const written = new Promise<void>((resolve) => {
      for (let i = 0; i < total; i++) {
        c.write(chunk(i), () => {
          if (++callbacks === total) resolve();
        });
      }
    });
    await sleep(50);
    expect(c.writableLength).toBe(total * 16384);
    expect(callbacks).toBe(0);
    release();
    await written;
    c.end();
    const got = await received;
    expect(got.length).toBe(total * 16384);
    for (let i = 0; i < total; i++) expect(got[i * 16384]).toBe(i & 0xff);
  });

  it('a held write is called back when the socket is destroyed, the ones behind it fail, as node:tls', async () => {
    const outcome: Record<string, string[]> = {};
    for (const [name, mk] of [['node:tls', nodeConnect], ['puretls', (o: ConnectOptions) => connect(o)]] as const) {
      const raw = netCreateServer((s) => {
        s.on('data', () => {});
        s.on('error', () => {});
      });
      const port = await serve(raw);
      const c = mk(clientOptions(port));
      c.on('error', () => {});
      await sleep(50);
      const log: string[] = [];
      c.write('first', (e) => log.push(`first ${(e as { code?: string } | null | undefined)?.code ?? 'ok'}`));
      c.write('second', (e) => log.push(`second ${(e as { code?: string } | null | undefined)?.code ?? 'ok'}`));
      await sleep(20);
      log.push('destroy');
      c.destroy();
      await closed(c);
      await sleep(20);
      outcome[name] = log;
    }
    expect(outcome['puretls']).toEqual(outcome['node:tls']);
    expect(outcome['puretls']).toEqual(['destroy', 'first ok', 'second ERR_STREAM_DESTROYED']);
  });

  it('a buffer reused once its write was called back does not change what was sent', async () => {
    const got = new Promise<string>((resolve) => {
      void serve(
        createServer({ cert: srv.cert, key: srv.key }, (s) => {
          s.on('error', () => {});
          void readAll(s).then((b) => resolve(b.toString()));
        }),
      ).then(async (port) => {
        const c = connect(clientOptions(port));
        c.on('error', () => {});
        const buf = Buffer.from('AAAA');
        await new Promise((r) => c.write(buf, r));
        buf.write('BBBB');
        c.end();
      });
    });
    expect(await got).toBe('AAAA');
  });
});

describe('early data that is sent again after the handshake comes before later writes', () => {
  async function collectingServer(options: ServerOptions): Promise<{ port: number; got: string[] }> {
    const got: string[] = [];
    const port = await serve(
      createServer({ cert: srv.cert, key: srv.key, ...options }, (s) => {
        s.on('error', () => {});
        void readAll(s).then((b) => {
          got.push(b.toString());
          s.end();
        });
      }),
    );
    return { port, got };
  }

  async function send(o: ConnectOptions): Promise<TLSSocket> {
    const c = connect({ ...o, earlyData: Buffer.from('A-early ') });
    c.write('B-written-after');
    c.end();
    c.resume();
    await closed(c);
    return c;
  }

  it('without a session, after a refused 0-RTT and with accepted 0-RTT', async () => {
    const a = await collectingServer({ maxEarlyData: 1000 });
    await send(clientOptions(a.port));
    expect(a.got[0]).toBe('A-early B-written-after');

    const first = connect(clientOptions(a.port));
    const session = await new Promise<Buffer>((r) => first.once('session', r));
    first.end();
    first.resume();
    await closed(first);

    // Another server cannot open the ticket: 0-RTT refused, the data goes again after the handshake.
    const b = await collectingServer({ maxEarlyData: 1000 });
    const refused = await send({ ...clientOptions(b.port), session });
    expect(refused.earlyDataAccepted).toBe(false);
    expect(b.got[0]).toBe('A-early B-written-after');

    const accepted = await send({ ...clientOptions(a.port), session });
    expect(accepted.earlyDataAccepted).toBe(true);
    expect(a.got.at(-1)).toBe('A-early B-written-after');
  });
});

describe("no 'secureConnection' for a connection that failed while the client chain was verified again", () => {
  it('requestCert, rejectUnauthorized false, a resumed client sending a bad record after its Finished', async () => {
    const log: string[] = [];
    const failed = new Promise<void>((resolve) => {
      const server = createServer({ cert: srv.cert, key: srv.key, ca: ca.cert, requestCert: true, rejectUnauthorized: false }, (s) => {
        log.push(`secureConnection resumed=${s.isSessionReused()}`);
        s.on('error', () => {});
        s.resume();
      });
      server.on('tlsClientError', (e: { code?: string }) => {
        log.push(`tlsClientError ${e.code}`);
        resolve();
      });
      closers.push(() => closeServer(server));
      void listen(server).then(async (port) => {
        const first = connect({ ...clientOptions(port), cert: cli.cert, key: cli.key });
        const session = await new Promise<Buffer>((r) => first.once('session', r));
        first.end();
        first.resume();
        await closed(first);
        // A transport that sends what is written in one tick as one TCP segment: the bad record
        // reaches the server with the client's Finished.
        const tcp = netConnect({ port, host: '127.0.0.1', allowHalfOpen: true });
        let pending: Buffer[] = [];
        const wrap = new Duplex({
          read() {},
          write(chunk: Buffer, _e, cb) {
            if (pending.length === 0) {
              setImmediate(() => {
                tcp.write(Buffer.concat(pending));
                pending = [];
              });
            }
            pending.push(chunk);
            cb();
          },
          final(cb) {
            tcp.end();
            cb();
          },
        });
        tcp.on('data', (d: Buffer) => wrap.push(d));
        tcp.on('end', () => wrap.push(null));
        tcp.on('error', () => {});
        closers.push(async () => void tcp.destroy());
        const c = connect({ socket: wrap, host: 'localhost', ca: ca.cert, cert: cli.cert, key: cli.key, session });
        c.on('error', () => {});
        c.on('secureConnect', () => {
          log.push(`secureConnect resumed=${c.isSessionReused()}`);
          pending.push(Buffer.from([23, 3, 3, 0, 32, ...Buffer.alloc(32, 7)])); // does not decrypt
        });
      });
    });
    await failed;
    await sleep(200); // the verification of the restored chain ends meanwhile
    expect(log).toEqual(['secureConnection resumed=false', 'secureConnect resumed=true', 'tlsClientError BAD_RECORD_MAC']);
  });
});

describe('setSecureContext and sessions', () => {
  /**
   * A session, then setSecureContext (same certificate), then the session again: resumed? Ticket keys
   * given to the constructor, or to an earlier setSecureContext, outlive the change.
   */
  async function resumedAfterSetSecureContext(impl: 'node:tls' | 'puretls', keys: 'none' | 'constructor' | 'setSecureContext'): Promise<boolean> {
    const ticketKeys = randomBytes(impl === 'node:tls' ? 48 : 32);
    const options = { cert: srv.cert, key: srv.key, ...(keys === 'constructor' ? { ticketKeys } : {}) };
    const onSocket = (s: { on(e: 'error', f: () => void): unknown; end(d: string): unknown }): void => {
      s.on('error', () => {});
      s.end('x');
    };
    const server = impl === 'node:tls' ? tls.createServer(options, onSocket) : createServer(options, onSocket);
    const port = await serve(server);
    if (keys === 'setSecureContext') server.setSecureContext({ cert: srv.cert, key: srv.key, ticketKeys });
    const mk: Connect = impl === 'node:tls' ? nodeConnect : (o) => connect(o);
    const first = mk(clientOptions(port));
    const session = await new Promise<Buffer>((r) => first.once('session', r));
    first.resume();
    await closed(first);
    server.setSecureContext({ cert: srv.cert, key: srv.key });
    const c = mk({ ...clientOptions(port), session });
    await new Promise<void>((resolve, reject) => {
      c.once('secureConnect', () => resolve());
      c.once('error', reject);
    });
    const reused = c.isSessionReused();
    c.destroy();
    return reused;
  }

  it('a session from before is not resumed, unless ticket keys were given (as node:tls)', async () => {
    const outcome: Record<string, boolean> = {};
    for (const impl of ['node:tls', 'puretls'] as const) {
      for (const keys of ['none', 'constructor', 'setSecureContext'] as const) outcome[`${impl} ${keys}`] = await resumedAfterSetSecureContext(impl, keys);
    }
    expect(outcome).toEqual({
      'node:tls none': false,
      'node:tls constructor': true,
      'node:tls setSecureContext': true,
      'puretls none': false,
      'puretls constructor': true,
      'puretls setSecureContext': true,
    });
  });

  it('a client authorized under the replaced client CA must pass the new one', async () => {
    const log: string[] = [];
    const server = createServer({ cert: srv.cert, key: srv.key, ca: ca.cert, requestCert: true, rejectUnauthorized: true }, (s) => {
      log.push(`secureConnection authorized=${s.authorized} resumed=${s.isSessionReused()}`);
      s.on('error', () => {});
      s.end('x');
    });
    server.on('tlsClientError', (e: { code?: string }) => log.push(`tlsClientError ${e.code}`));
    const port = await serve(server);
    const opts = { ...clientOptions(port), cert: cli.cert, key: cli.key };
    const first = connect(opts);
    const session = await new Promise<Buffer>((r) => first.once('session', r));
    first.resume();
    await closed(first);
    server.setSecureContext({ cert: srv.cert, key: srv.key, ca: otherCa.cert });
    const c = connect({ ...opts, session });
    const error = await new Promise<Error>((resolve) => c.once('error', resolve));
    expect((error as { code?: string }).code).toBe('PEER_ALERT');
    await sleep(20);
    expect(log).toEqual(['secureConnection authorized=true resumed=false', 'tlsClientError UNABLE_TO_GET_ISSUER_CERT_LOCALLY']);
  });
});

describe('STARTTLS over a socket the application paused', () => {
  it('the handshake runs (both providers), as node:tls', async () => {
    const port = await serve(
      createServer({ cert: srv.cert, key: srv.key }, (s) => {
        s.on('error', () => {});
        s.end('hello over tls');
      }),
    );
    const outcome: Record<string, string> = {};
    for (const [name, mk] of [
      ['node:tls', nodeConnect],
      ['puretls node', (o: ConnectOptions) => connect({ ...o, provider: 'node' })],
      ['puretls noble', (o: ConnectOptions) => connect({ ...o, provider: 'noble' })],
    ] as const) {
      const raw = netConnect({ port, host: '127.0.0.1' });
      await new Promise((r) => raw.once('connect', r));
      raw.pause(); // as after reading a plaintext STARTTLS dialogue
      const c = mk({ socket: raw, servername: 'localhost', ca: ca.cert });
      outcome[name] = await Promise.race([
        readAll(c).then((b) => b.toString()),
        sleep(3000).then(() => 'no handshake after 3 s'),
      ]);
      c.destroy();
    }
    expect(outcome).toEqual({ 'node:tls': 'hello over tls', 'puretls node': 'hello over tls', 'puretls noble': 'hello over tls' });
  });
});

describe("connect() passes node's net options on", () => {
  const whoAmI = (s: TLSSocket): void => {
    s.on('error', () => {});
    s.end(`you are ${s.remoteAddress}`);
  };

  it('lookup and localAddress, as node:tls', async () => {
    const port = await serve(createServer({ cert: srv.cert, key: srv.key }, whoAmI));
    const lookup = ((_host: string, opts: { all?: boolean }, cb: (...a: unknown[]) => void) =>
      opts.all === true ? cb(null, [{ address: '127.0.0.1', family: 4 }]) : cb(null, '127.0.0.1', 4)) as unknown as ConnectOptions['lookup'];
    const outcome: Record<string, string> = {};
    for (const [name, mk] of [['node:tls', nodeConnect], ['puretls', (o: ConnectOptions) => connect(o)]] as const) {
      const viaLookup = mk({ host: 'no-such-host.invalid', port, servername: 'localhost', ca: ca.cert, lookup: lookup! });
      const fromOther = mk({ ...clientOptions(port), localAddress: '127.0.0.2' });
      const text = (s: TLSSocket | tls.TLSSocket): Promise<string> => readAll(s).then((b) => b.toString(), (e: { code?: string }) => `error ${e.code}`);
      outcome[name] = `${await text(viaLookup)} | ${await text(fromOther)}`;
    }
    expect(outcome['puretls']).toBe(outcome['node:tls']);
    expect(outcome['puretls']).toBe('you are 127.0.0.1 | you are 127.0.0.2');
  });

  it('path: a Unix socket, also as https socketPath', async () => {
    const path = join(dir, 'tls.sock');
    const server = createServer({ cert: srv.cert, key: srv.key }, (s) => {
      s.on('error', () => {});
      s.once('data', () => s.end('HTTP/1.1 200 OK\r\ncontent-length: 2\r\nconnection: close\r\n\r\nok'));
    });
    closers.push(() => closeServer(server));
    await new Promise<void>((r) => server.listen(path, () => r()));
    const c = connect({ path, servername: 'localhost', ca: ca.cert });
    c.write('GET / HTTP/1.1\r\n\r\n');
    expect((await readAll(c)).toString()).toContain('ok');
    expect(() => connect({ host: 'localhost', ca: ca.cert })).toThrow(/options.port/);

    const { createConnection } = await import('../src/index.js');
    const body = await new Promise<string>((resolve, reject) => {
      const req = https.request({ socketPath: path, path: '/', servername: 'localhost', ca: ca.cert, createConnection } as https.RequestOptions, (res) => {
        let b = '';
        res.on('data', (d: Buffer) => (b += d.toString()));
        res.on('end', () => resolve(b));
      });
      req.on('error', reject);
      req.end();
    });
    expect(body).toBe('ok');
  });
});

describe('SNICallback answers that are not a context fail the handshake, not the caller', () => {
  async function outcome(sni: NonNullable<ServerOptions['SNICallback']>): Promise<string> {
    const server = createServer({ cert: srv.cert, key: srv.key, SNICallback: sni, handshakeTimeout: 30_000 }, (s) => {
      s.on('error', () => {});
      s.end('served');
    });
    const serverError = new Promise<string>((r) => server.on('tlsClientError', (e: { code?: string; message: string }) => r(`tlsClientError ${e.code ?? e.message}`)));
    const port = await serve(server);
    const c = tls.connect({ host: '127.0.0.1', port, servername: 'localhost', ca: ca.cert });
    const client = await new Promise<string>((r) => {
      c.on('error', (e: { code?: string }) => r(`client ${e.code}`));
      void readAll(c).then((b) => r(`client read ${b.toString()}`), () => {});
    });
    return client.startsWith('client read') ? client : `${await serverError}, ${client}`;
  }

  it("node's own tls.createSecureContext, a callback that throws, and null (the default context)", async () => {
    const bad = await outcome((_n, cb) => setImmediate(() => cb(null, tls.createSecureContext({ cert: srv.cert, key: srv.key }) as never)));
    expect(bad).toBe('tlsClientError INVALID_SNI_CONTEXT, client ERR_SSL_TLSV1_ALERT_INTERNAL_ERROR');
    const noKey = await outcome((_n, cb) => cb(null, createSecureContext({ ca: ca.cert })));
    expect(noKey).toBe('tlsClientError INVALID_SNI_CONTEXT, client ERR_SSL_TLSV1_ALERT_INTERNAL_ERROR');
    const thrown = await outcome(() => {
      throw new Error('SNICallback bug');
    });
    expect(thrown).toBe('tlsClientError INTERNAL_ERROR, client ERR_SSL_TLSV1_ALERT_INTERNAL_ERROR');
    expect(await outcome((_n, cb) => cb(null, null))).toBe('client read served');
  });
});

describe('pauseOnConnect', () => {
  it('the handshake runs and the socket starts paused, as node:tls', async () => {
    const outcome: Record<string, string[]> = {};
    for (const impl of ['node:tls', 'puretls'] as const) {
      const log: string[] = [];
      const done = new Promise<void>((resolve) => {
        const onSocket = (s: TLSSocket | tls.TLSSocket): void => {
          log.push(`secureConnection flowing=${s.readableFlowing}`);
          s.on('error', () => {});
          s.on('data', (d: Buffer) => {
            log.push(`data ${d.toString()}`);
            s.end();
            resolve();
          });
          setTimeout(() => {
            log.push('resume');
            s.resume();
          }, 100);
        };
        const options = { cert: srv.cert, key: srv.key, pauseOnConnect: true };
        const server = impl === 'node:tls' ? tls.createServer(options, onSocket) : createServer(options, onSocket);
        void serve(server).then((port) => {
          const c = connect(clientOptions(port));
          c.on('error', () => {});
          c.resume();
          c.write('hello');
        });
      });
      await done;
      outcome[impl] = log;
    }
    expect(outcome['puretls']).toEqual(outcome['node:tls']);
    expect(outcome['puretls']).toEqual(['secureConnection flowing=false', 'resume', 'data hello']);
  });
});
