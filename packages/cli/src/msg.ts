/**
 * `-msg`: each handshake message (and alert, and application data size) as it crosses the socket,
 * like `openssl s_client -msg`. Records are read off the raw socket both ways; protected records
 * are opened with the traffic secrets the engine hands to the key log (the way Wireshark reads an
 * SSLKEYLOGFILE), so encrypted handshake messages are shown too. RFC 8446 §5.2 (record protection),
 * §7.1/§7.3 (traffic keys), §7.2 (KeyUpdate).
 *
 * Over DTLS (`dtlsTraceLines`) the engine reports each record itself (`DtlsTrace`: epoch, sequence
 * number, inner content type, handshake fragment headers, ACKs, alerts, dropped records — headers
 * only), since DTLS 1.3 encrypts record numbers and content types (RFC 9147 §4, §4.2.3).
 */
import type { DtlsTrace } from '@puretls/node/dtls';
import type { Duplex } from 'node:stream';
import { hkdfExpandLabel, type Aead, type CryptoProvider, type HashName } from '@puretls/crypto';
import { nobleProvider } from '@puretls/crypto/noble';
import { AlertDescription, CipherSuite, type CipherSuiteName } from '@puretls/tls';

const CONTENT: Readonly<Record<number, string>> = { 20: 'ChangeCipherSpec', 21: 'Alert', 22: 'Handshake', 23: 'ApplicationData' };
const HANDSHAKE: Readonly<Record<number, string>> = {
  1: 'ClientHello', 2: 'ServerHello', 4: 'NewSessionTicket', 5: 'EndOfEarlyData', 8: 'EncryptedExtensions', 9: 'RequestConnectionId',
  10: 'NewConnectionId', 11: 'Certificate', 13: 'CertificateRequest', 15: 'CertificateVerify', 20: 'Finished', 24: 'KeyUpdate', 254: 'message_hash',
};
/** RFC 8446 §6: alert descriptions by number, as openssl -msg names them. */
const ALERT_NAME: ReadonlyMap<number, string> = new Map(Object.entries(AlertDescription).map(([name, code]) => [code as number, name]));
const HRR_RANDOM = 'cf21ad74e59a6111be1d8c021e65b891c2a211167abb8c5e079e09e2c8a8339c';

type Side = 'client' | 'server';
type Arrow = '>>>' | '<<<';

interface Epoch {
  readonly secret: Uint8Array;
  /** Opened under client_early_traffic_secret: 0-RTT data (RFC 8446 §4.2.10), shown as such. */
  readonly early: boolean;
  /** The suite the records under this secret use, once one opened. */
  suite: CipherSuiteName | null;
  aead: Aead | null;
  iv: Uint8Array | null;
  seq: bigint;
}

interface Direction {
  readonly arrow: Arrow;
  readonly epochs: Epoch[];
  /** Index of the epoch that opened the last record; -1 while records are cleartext. */
  current: number;
  /** Protected records that could not be opened yet (their secret may not be logged yet). */
  waiting: Uint8Array[];
  handshake: Buffer;
}

const EMPTY = new Uint8Array(0);

/** Traces one connection; `secret` is fed from the key log, `inbound`/`outbound` from the socket. */
export class MessageTracer {
  readonly #out: (line: string) => void;
  readonly #provider: CryptoProvider;
  /** Our role: which key-log labels are ours (outbound) and which the peer's (inbound). */
  readonly #ours: Side;
  readonly #dir: { readonly client: Direction; readonly server: Direction };
  #suite: CipherSuiteName | null = null;
  clientRandom: string | null = null;

  constructor(ours: Side, out: (line: string) => void, provider: CryptoProvider = nobleProvider) {
    this.#ours = ours;
    this.#out = out;
    this.#provider = provider;
    const mk = (side: Side): Direction => ({ arrow: side === ours ? '>>>' : '<<<', epochs: [], current: -1, waiting: [], handshake: Buffer.alloc(0) });
    this.#dir = { client: mk('client'), server: mk('server') };
  }

  /** A key log line (NSS format). */
  secret(line: string): void {
    const [label = '', random = '', hex = ''] = line.trim().split(' ');
    if (this.clientRandom !== null && random !== this.clientRandom) return;
    const side: Side | null = label.startsWith('CLIENT_') ? 'client' : label.startsWith('SERVER_') ? 'server' : null;
    if (side === null || !label.endsWith('TRAFFIC_SECRET') && !/TRAFFIC_SECRET_\d+$/.test(label)) return;
    const d = this.#dir[side];
    d.epochs.push({ secret: Buffer.from(hex, 'hex'), early: label === 'CLIENT_EARLY_TRAFFIC_SECRET', suite: null, aead: null, iv: null, seq: 0n });
    this.#retry(d);
  }

  /** A complete record read from (`inbound`) or written to the socket. */
  record(side: 'inbound' | 'outbound', rec: Uint8Array): void {
    const writer: Side = side === 'outbound' ? this.#ours : this.#ours === 'client' ? 'server' : 'client';
    const d = this.#dir[writer];
    d.waiting.push(rec);
    this.#retry(d);
  }

  /** At the end: records never opened are shown as such. */
  flush(): void {
    for (const d of [this.#dir.client, this.#dir.server]) {
      for (const rec of d.waiting.splice(0)) this.#out(`${d.arrow} ApplicationData [length ${rec.length - 5}] (not decrypted)`);
    }
  }

  #retry(d: Direction): void {
    while (d.waiting.length > 0) {
      if (this.#handle(d, d.waiting[0] as Uint8Array)) {
        d.waiting.shift();
        continue;
      }
      // The first record does not open. If a later one does, the first was never ours to read
      // (0-RTT the server refused): show it as such and go on; otherwise wait for the next secret.
      const later = d.waiting.findIndex((r, i) => i > 0 && this.#opens(d, r));
      if (later < 0) return;
      for (const r of d.waiting.splice(0, later)) this.#out(`${d.arrow} ApplicationData [length ${r.length - 5}] (not decrypted)`);
    }
  }

  /** False when the record is protected and no known secret opens it (yet). */
  #handle(d: Direction, rec: Uint8Array): boolean {
    const type = rec[0] as number;
    const body = rec.subarray(5);
    if (type !== 23 || (this.#suite === null && d.epochs.length === 0)) {
      this.#content(d, type, body, false);
      return true;
    }
    for (let i = Math.max(d.current, 0); i < d.epochs.length; i++) {
      const opened = this.#open(d.epochs[i] as Epoch, rec);
      if (opened === null) continue;
      d.current = i;
      let end = opened.length;
      while (end > 0 && opened[end - 1] === 0) end--; // RFC 8446 §5.2: strip the zero padding
      if (end === 0) return true;
      this.#content(d, opened[end - 1] as number, opened.subarray(0, end - 1), true, (d.epochs[i] as Epoch).early);
      return true;
    }
    // Nothing opened it: if a later secret is still to come, wait for it; before any, the record is
    // someone else's (0-RTT refused, say) only when later records open; `flush` settles the rest.
    return false;
  }

  #opens(d: Direction, rec: Uint8Array): boolean {
    if (rec[0] !== 23 || (this.#suite === null && d.epochs.length === 0)) return true;
    for (let i = Math.max(d.current, 0); i < d.epochs.length; i++) if (this.#open(d.epochs[i] as Epoch, rec, false) !== null) return true;
    return false;
  }

  #open(e: Epoch, rec: Uint8Array, commit = true): Uint8Array | null {
    // 0-RTT goes before the ServerHello names the suite (the ticket's, unknown here): the secret's
    // length gives its hash, and only the right AEAD authenticates the record.
    const names =
      e.suite !== null ? [e.suite]
      : this.#suite !== null ? [this.#suite]
      : (Object.keys(CipherSuite) as CipherSuiteName[]).filter((n) => CipherSuite[n].hashLength === e.secret.length);
    for (const name of names) {
      let { aead, iv } = e;
      if (e.suite !== name || aead === null || iv === null) {
        const suite = CipherSuite[name];
        const key = hkdfExpandLabel(this.#provider, suite.hash, e.secret, 'key', EMPTY, suite.keyLength);
        iv = hkdfExpandLabel(this.#provider, suite.hash, e.secret, 'iv', EMPTY, suite.ivLength);
        aead = this.#provider.aead(suite.aead).create(key);
      }
      const nonce = iv.slice();
      for (let i = 0, s = e.seq; i < 8; i++, s >>= 8n) nonce[nonce.length - 1 - i] = (nonce[nonce.length - 1 - i] as number) ^ Number(s & 0xffn);
      const opened = aead.open(nonce, rec.subarray(5), rec.subarray(0, 5));
      if (opened === null) continue;
      if (commit) {
        e.suite = name;
        e.aead = aead;
        e.iv = iv;
        e.seq++;
      }
      return opened;
    }
    return null;
  }

  #content(d: Direction, type: number, body: Uint8Array, protectedRecord: boolean, early = false): void {
    const name = CONTENT[type] ?? `content type ${type}`;
    if (type === 22) {
      d.handshake = Buffer.concat([d.handshake, body]);
      while (d.handshake.length >= 4) {
        const len = d.handshake.readUIntBE(1, 3);
        if (d.handshake.length < 4 + len) break;
        const msg = d.handshake.subarray(0, 4 + len);
        d.handshake = d.handshake.subarray(4 + len);
        this.#message(d, msg, protectedRecord);
      }
    } else if (type === 21 && body.length === 2) {
      this.#out(`${d.arrow} Alert [length 2], ${body[0] === 2 ? 'fatal' : 'warning'} ${ALERT_NAME.get(body[1] as number) ?? String(body[1])}`);
    } else {
      this.#out(`${d.arrow} ${name} [length ${body.length}]${early && type === 23 ? ' (0-RTT)' : ''}`);
    }
  }

  #message(d: Direction, msg: Buffer, protectedRecord: boolean): void {
    const t = msg[0] as number;
    let what = HANDSHAKE[t] ?? `handshake type ${t}`;
    if (t === 1 && msg.length >= 38 && this.clientRandom === null) this.clientRandom = msg.subarray(6, 38).toString('hex');
    if (t === 2 && msg.length >= 39) {
      if (msg.subarray(6, 38).toString('hex') === HRR_RANDOM) what = 'HelloRetryRequest';
      const sidLen = msg[38] as number;
      const code = msg.length >= 41 + sidLen ? msg.readUInt16BE(39 + sidLen) : -1;
      const suite = (Object.keys(CipherSuite) as CipherSuiteName[]).find((n) => CipherSuite[n].code === code);
      if (suite !== undefined) this.#suite = suite;
    }
    if (t === 24 && protectedRecord) {
      // RFC 8446 §7.2: the sender's next secret; the records after this one use it.
      const e = d.epochs[d.current];
      if (e !== undefined && d.epochs.length === d.current + 1) {
        const suite = CipherSuite[this.#suite as CipherSuiteName];
        d.epochs.push({ secret: hkdfExpandLabel(this.#provider, suite.hash, e.secret, 'traffic upd', EMPTY, suite.hashLength), early: false, suite: this.#suite, aead: null, iv: null, seq: 0n });
      }
      what += msg[4] === 1 ? ' (update_requested)' : ' (update_not_requested)';
    }
    this.#out(`${d.arrow} Handshake [length ${msg.length}], ${what}${protectedRecord ? '' : ' (cleartext)'}`);
  }
}

/** Cuts a byte stream into records. */
function deframer(onRecord: (rec: Uint8Array) => void): (chunk: Uint8Array) => void {
  let pending = Buffer.alloc(0);
  return (chunk) => {
    pending = Buffer.concat([pending, chunk]);
    while (pending.length >= 5) {
      const len = pending.readUInt16BE(3);
      if (pending.length < 5 + len) break;
      onRecord(pending.subarray(0, 5 + len));
      pending = pending.subarray(5 + len);
    }
  };
}

/** Traces `socket`'s raw bytes both ways (call before a TLSSocket is put over it). */
export function traceRecords(socket: Duplex, tracer: MessageTracer): void {
  const inbound = deframer((r) => tracer.record('inbound', r));
  const outbound = deframer((r) => tracer.record('outbound', r));
  socket.on('data', (d: Buffer) => inbound(d));
  socket.once('close', () => tracer.flush());
  const write = socket.write.bind(socket) as (chunk: unknown, ...rest: unknown[]) => boolean;
  socket.write = ((chunk: unknown, ...rest: unknown[]): boolean => {
    if (chunk instanceof Uint8Array) outbound(chunk);
    return write(chunk, ...rest);
  }) as Duplex['write'];
}

const DTLS_CONTENT: Readonly<Record<number, string>> = { 21: 'Alert', 22: 'Handshake', 23: 'ApplicationData', 26: 'ACK' };
const DROPPED: Readonly<Record<string, string>> = {
  early_data_rejected: '0-RTT not accepted',
  undecryptable: 'does not authenticate',
  replay: 'replayed record number',
};

/**
 * One DTLS record as `-msg` lines: the record (epoch, sequence number, size on the wire), then what it
 * carries — each handshake fragment (RFC 9147 §5.2), the record numbers of an ACK (§7), an alert, or
 * the size of application data (epoch 1 is 0-RTT, §6.1). A dropped record gets one line saying why.
 */
export function dtlsTraceLines(t: DtlsTrace): string[] {
  const arrow = t.direction === 'sent' ? '>>>' : '<<<';
  if (t.kind === 'dropped') return [`${arrow} DTLS record [length ${t.length}] of epoch bits ${t.epochBits} dropped: ${DROPPED[t.reason] ?? t.reason}`];
  const name = DTLS_CONTENT[t.contentType] ?? `content type ${t.contentType}`;
  const lines = [`${arrow} DTLS record [length ${t.length}], epoch ${t.epoch}, seq ${t.seq}${t.epoch === 0 ? ' (cleartext)' : ''}`];
  if (t.fragments !== undefined) {
    for (const f of t.fragments) {
      const part = f.offset === 0 && f.fragmentLength === f.length ? '' : `, fragment ${f.offset}..${f.offset + f.fragmentLength} of ${f.length}`;
      lines.push(`${arrow}   Handshake [length ${f.length}], ${HANDSHAKE[f.type] ?? `handshake type ${f.type}`}, message_seq ${f.messageSeq}${part}`);
    }
  } else if (t.ack !== undefined) {
    lines.push(`${arrow}   ACK [${t.ack.map((r) => `${r.epoch}/${r.seq}`).join(' ')}]`);
  } else if (t.alert !== undefined) {
    lines.push(`${arrow}   Alert [length 2], ${t.alert.level === 2 ? 'fatal' : 'warning'} ${t.alert.description}`);
  } else {
    lines.push(`${arrow}   ${name} [length ${t.contentLength}]${t.epoch === 1 && t.contentType === 23 ? ' (0-RTT)' : ''}`);
  }
  return lines;
}
