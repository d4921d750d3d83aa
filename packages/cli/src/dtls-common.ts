/**
 * What `s_client -dtls1_3` and `s_server -dtls1_3` share: the DTLS config options from the same
 * openssl-named flags as for TLS (plus `-mtu`), `-msg` through the engine's record trace,
 * verification with the node:tls semantics (failure aborts unless `-insecure`), `-brief` lines, and
 * stdin chunks cut to datagram-sized messages.
 */
import type { Socket as DgramSocket } from 'node:dgram';
import { appendFileSync } from 'node:fs';
import type { Readable } from 'node:stream';
import type { CryptoProvider } from '@puretls/crypto';
import { nobleProvider } from '@puretls/crypto/noble';
import { createSecureContext, type SecureContext } from '@puretls/node';
import type { DtlsSocket, DtlsTrace } from '@puretls/node/dtls';
import type { AlertDescriptionName, CertificateVerifier, CertificateVerifyRequest, CertificateVerifyResult } from '@puretls/tls';
import { createCertificateVerifier, parseCertificate, type TrustStore } from '@puretls/x509';
import { UsageError, type Parsed } from './args.js';
import { algorithmOptions, checkedContext, pemFiles, type Io } from './common.js';
import { dtlsTraceLines } from './msg.js';
import { handshakeLines } from './report.js';

/** Flags of the TLS commands that have no meaning (yet) over DTLS. */
export function refuseForDtls(p: Parsed, flags: readonly string[]): void {
  for (const f of flags) if (p.switches.has(f) || p.values.has(f)) throw new UsageError(`-${f} is not supported with -dtls1_3`);
}

/** `-mtu n`: bytes of UDP payload per datagram (RFC 9147 §4.4); only with -dtls1_3. */
export function mtuFrom(p: Parsed, dtls: boolean): number | undefined {
  const text = p.values.get('mtu');
  if (text === undefined) return undefined;
  if (!dtls) throw new UsageError('-mtu needs -dtls1_3');
  const mtu = Number(text);
  if (!/^\d+$/.test(text) || mtu < 256 || mtu > 65507) throw new UsageError(`-mtu ${text}: must be 256..65507`);
  return mtu;
}

type DtlsHandshakeInfo = NonNullable<DtlsSocket['handshakeInfo']>;

/** Verification outcome as `-brief` reports it. */
export interface Authorization {
  authorized: boolean;
  authorizationError: string | undefined;
}

/** Verifies against `trust` (and `host`, for a server), records the outcome; goes on when `!reject`. */
export function cliVerifier(trust: TrustStore, provider: CryptoProvider, reject: boolean, state: Authorization, host?: string): CertificateVerifier {
  const inner = createCertificateVerifier({ trustAnchors: trust, provider });
  return {
    async verify(req: CertificateVerifyRequest): Promise<CertificateVerifyResult> {
      const res = await inner.verify({
        chain: req.chain,
        usage: req.usage,
        now: req.now,
        ...(host !== undefined && host !== '' && req.usage === 'serverAuth' ? { serverName: host } : {}),
      });
      if (res.ok) {
        state.authorized = true;
        state.authorizationError = undefined;
        return res;
      }
      state.authorized = false;
      state.authorizationError = res.code;
      const failure: { code: string; alert: AlertDescriptionName; message: string } = { code: res.code, alert: res.alert, message: res.message };
      const leaf = req.chain[0];
      if (reject || leaf === undefined) return { ok: false, ...failure };
      try {
        return { ok: true, publicKey: parseCertificate(leaf).publicKey };
      } catch {
        return { ok: false, ...failure };
      }
    },
  };
}

/** The config fields both sides take from the command line. */
export function dtlsCommon(p: Parsed, io: Io, mtu: number | undefined) {
  const v = (k: string): string | undefined => p.values.get(k);
  const keylogFile = v('keylogfile');
  const alpn = v('alpn')?.split(',').filter((s) => s !== '');
  return {
    provider: nobleProvider,
    now: () => Date.now(),
    ...(mtu === undefined ? {} : { mtu }),
    // -msg: every record both ways, as the engine reports it (headers only).
    ...(p.switches.has('msg') ? { trace: (t: DtlsTrace): void => void io.stderr.write(dtlsTraceLines(t).map((l) => `${l}\n`).join('')) } : {}),
    ...(alpn === undefined ? {} : { alpnProtocols: alpn }),
    // Checked now: a bad name is a usage error (64) before the socket opens.
    ...algorithmOptions(p),
    ...(keylogFile === undefined
      ? {}
      : {
          keyLog: (label: string, random: Uint8Array, secret: Uint8Array): void => {
            const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
            try {
              appendFileSync(keylogFile, `${label} ${hex(random)} ${hex(secret)}\n`, { mode: 0o600 });
            } catch (e) {
              io.stderr.write(`puretls: cannot write key log: ${e instanceof Error ? e.message : String(e)}\n`);
            }
          },
        }),
  };
}

/** Key material from -CAfile / -cert / -key / -pass, checked as for TLS (a wrong file is a usage error). */
export function contextFrom(p: Parsed, material?: { cert: string; key: string }): SecureContext {
  const pem = pemFiles(p);
  const ctx = checkedContext(p, pem);
  if (p.values.has('cert') || material === undefined) return ctx;
  return createSecureContext({ ...(pem.ca === undefined ? {} : { ca: pem.ca }), ...material });
}

export function dtlsBriefLines(info: DtlsHandshakeInfo, auth: Authorization, isServer: boolean, mtu: number): string[] {
  const leaf = info.peerCertificates[0];
  let subject: string | undefined;
  if (leaf !== undefined) {
    try {
      subject = parseCertificate(leaf).subject.text;
    } catch {
      subject = '(unparsable)';
    }
  }
  const hex = (b: Uint8Array): string => (b.length === 0 ? 'empty' : Buffer.from(b).toString('hex'));
  return handshakeLines(info, isServer, {
    earlyData: '0-RTT accepted',
    extra: [`Connection ID: ${info.connectionId === null ? 'none' : `send ${hex(info.connectionId.send)}, receive ${hex(info.connectionId.receive)}`}`, `MTU: ${mtu}`],
    subject,
    authorized: auth.authorized,
    authorizationError: auth.authorizationError,
  });
}

/**
 * The `-early_data` file as 0-RTT datagrams: cut to what fits one epoch-1 record of a datagram of
 * `mtu` bytes before any connection ID is negotiated (RFC 9147 §4: unified header, inner type, tag).
 */
export function earlyDatagrams(bytes: Uint8Array, mtu: number): Uint8Array[] {
  const max = mtu - 40;
  const out: Uint8Array[] = [];
  for (let i = 0; i < bytes.length; i += max) out.push(bytes.subarray(i, Math.min(bytes.length, i + max)));
  return out;
}

/** Sends a stdin chunk as datagrams: DTLS has no stream, so a chunk too big for one is cut. */
export function sendChunk(sock: DtlsSocket, chunk: Uint8Array): void {
  const max = sock.maxDatagramPayload;
  for (let i = 0; i < chunk.length; i += max) sock.send(chunk.subarray(i, Math.min(chunk.length, i + max)));
}

/** Bytes dgram may hold unsent before stdin waits (dgram has no 'drain': we look at its queue). */
const MAX_UDP_QUEUE = 1 << 20;

/**
 * After a stdin chunk went out on `udp`: while dgram's send queue is over MAX_UDP_QUEUE (stdin faster
 * than the network), `src` is paused and looked at again every few milliseconds, so memory stays bounded.
 */
export function holdWhileQueued(udp: DgramSocket, src: Readable, alive: () => boolean): void {
  const queued = (): number => {
    try {
      return udp.getSendQueueSize();
    } catch {
      return 0; // closed: nothing waits any more
    }
  };
  if (queued() <= MAX_UDP_QUEUE) return;
  src.pause();
  const check = (): void => {
    if (!alive()) return;
    if (queued() > MAX_UDP_QUEUE) setTimeout(check, 5);
    else src.resume();
  };
  setTimeout(check, 5);
}

/** Bytes of the peer's datagrams that may wait for stdout; beyond, datagrams are dropped. */
export const MAX_STDOUT_BACKLOG = 1 << 20;

/**
 * The peer's datagrams to stdout. UDP cannot be paused like TCP, and DTLS data may be lost anyway
 * (datagram semantics, RFC 9147 §3): while stdout holds more than MAX_STDOUT_BACKLOG, datagrams are dropped (said once)
 * instead of piling up in memory.
 */
export function datagramsToStdout(io: Io, who: string): (d: Uint8Array) => void {
  let warned = false;
  return (d) => {
    if (io.stdout.writableLength > MAX_STDOUT_BACKLOG) {
      if (!warned) io.stderr.write(`puretls ${who}: stdout is not keeping up: dropping datagrams\n`);
      warned = true;
      return;
    }
    io.stdout.write(d);
  };
}

/** openssl's interactive letters over DTLS: `Q` quits (close_notify), `k` / `K` send a KeyUpdate. */
export function dtlsCommand(chunk: Buffer, sock: DtlsSocket, io: Io, onQuit?: () => void): boolean {
  const line = chunk.toString('latin1').replace(/\r?\n$/, '');
  if (chunk.length > 3 || !/^[QkK]$/.test(line)) return false;
  if (line === 'Q') {
    io.stderr.write('DONE\n');
    onQuit?.();
    sock.close();
  } else {
    io.stderr.write(`KEYUPDATE${line === 'K' ? " (requesting the peer's)" : ''}\n`);
    sock.keyUpdate(line === 'K');
  }
  return true;
}
