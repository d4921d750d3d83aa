/**
 * What `s_client -dtls1_3` and `s_server -dtls1_3` share: the DTLS config options from the same
 * openssl-named flags as for TLS (plus `-mtu`), `-msg` through the engine's record trace,
 * verification with the node:tls semantics (failure aborts unless `-insecure`), `-brief` lines, and
 * stdin chunks cut to datagram-sized messages.
 */
import { appendFileSync } from 'node:fs';
import type { CryptoProvider } from '@puretls/crypto';
import { nobleProvider } from '@puretls/crypto/noble';
import { cipherSuitesFrom, createSecureContext, groupsFrom, signatureSchemesFrom, type SecureContext } from '@puretls/node';
import type { DtlsSocket, DtlsTrace } from '@puretls/node/dtls';
import type { AlertDescriptionName, CertificateVerifier, CertificateVerifyRequest, CertificateVerifyResult } from '@puretls/tls';
import { createCertificateVerifier, parseCertificate, type TrustStore } from '@puretls/x509';
import { UsageError, type Parsed } from './args.js';
import { readText, type Io } from './common.js';
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
  const groups = v('groups') ?? v('curves');
  const suites = v('ciphersuites');
  const schemes = v('sigalgs');
  const alpn = v('alpn')?.split(',').filter((s) => s !== '');
  return {
    provider: nobleProvider,
    now: () => Date.now(),
    ...(mtu === undefined ? {} : { mtu }),
    // -msg: every record both ways, as the engine reports it (headers only).
    ...(p.switches.has('msg') ? { trace: (t: DtlsTrace): void => void io.stderr.write(dtlsTraceLines(t).map((l) => `${l}\n`).join('')) } : {}),
    ...(alpn === undefined ? {} : { alpnProtocols: alpn }),
    ...(groups === undefined ? {} : { groups: groupsFrom(groups, 'groups') }),
    ...(suites === undefined ? {} : { cipherSuites: cipherSuitesFrom(suites, 'ciphersuites') }),
    ...(schemes === undefined ? {} : { signatureSchemes: signatureSchemesFrom(schemes, 'sigalgs') }),
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

/** Key material from -CAfile / -cert / -key / -pass (PEM parsing shared with the TLS commands). */
export function contextFrom(p: Parsed, material?: { cert: string; key: string }): SecureContext {
  const v = (k: string): string | undefined => p.values.get(k);
  const cert = v('cert');
  const key = v('key') ?? cert;
  return createSecureContext({
    ...(v('CAfile') === undefined ? {} : { ca: readText(v('CAfile') as string, 'CAfile') }),
    ...(cert === undefined ? (material ?? {}) : { cert: readText(cert, 'cert'), key: readText(key as string, key === cert ? 'cert' : 'key') }),
    ...(v('pass') === undefined ? {} : { passphrase: (v('pass') as string).replace(/^pass:/, '') }),
  });
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
