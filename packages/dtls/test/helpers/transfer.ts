/**
 * An application-level reliable transfer over DTLS datagrams, for the lossy-network tests: DTLS does
 * not retransmit application data, so the application numbers its chunks, the receiver acknowledges
 * them, and the sender resends what is unacknowledged whenever the network falls idle.
 */
import { createHash } from 'node:crypto';
import type { DtlsConnection } from '../../src/index.js';
import type { SimNet } from './simnet.js';

export interface TransferResult {
  readonly delivered: Uint8Array;
  readonly chunksSent: number;
}

export async function reliableTransfer(net: SimNet, from: 0 | 1, payload: Uint8Array, window = 48): Promise<TransferResult> {
  const sender = net.peers[from] as DtlsConnection;
  const receiver = net.peers[(1 - from) as 0 | 1] as DtlsConnection;
  const size = sender.maxDatagramPayload - 4;
  const n = Math.ceil(payload.length / size);
  const acked = new Uint8Array(n);
  const got: (Uint8Array | undefined)[] = new Array(n);
  let gotCount = 0;
  let ackedCount = 0;
  let nextNew = 0;
  let chunksSent = 0;
  const inFlight = new Set<number>();
  const seenSender = { i: net.events[from].length };
  const seenReceiver = { i: net.events[(1 - from) as 0 | 1].length };
  const chunk = (i: number): Uint8Array => {
    const body = payload.subarray(i * size, Math.min(payload.length, (i + 1) * size));
    const d = new Uint8Array(4 + body.length);
    new DataView(d.buffer).setUint32(0, i);
    d.set(body, 4);
    return d;
  };
  const send = (i: number) => {
    sender.send(chunk(i));
    inFlight.add(i);
    chunksSent++;
  };
  let idleRounds = 0;
  while (ackedCount < n) {
    while (inFlight.size < window && nextNew < n) send(nextNew++);
    const progressed = await net.step();
    // Receiver: store chunks, acknowledge them in batches.
    const rev = net.events[(1 - from) as 0 | 1];
    const ackIdx: number[] = [];
    for (; seenReceiver.i < rev.length; seenReceiver.i++) {
      const e = rev[seenReceiver.i];
      if (e?.type !== 'application_data') continue;
      const i = new DataView(e.data.buffer, e.data.byteOffset).getUint32(0);
      if (got[i] === undefined) {
        got[i] = e.data.slice(4);
        gotCount++;
      }
      ackIdx.push(i);
    }
    for (let k = 0; k < ackIdx.length; k += 200) {
      const part = ackIdx.slice(k, k + 200);
      const a = new Uint8Array(part.length * 4);
      part.forEach((v, j) => new DataView(a.buffer).setUint32(j * 4, v));
      receiver.send(a);
    }
    const sev = net.events[from];
    for (; seenSender.i < sev.length; seenSender.i++) {
      const e = sev[seenSender.i];
      if (e?.type !== 'application_data') continue;
      for (let j = 0; j + 4 <= e.data.length; j += 4) {
        const i = new DataView(e.data.buffer, e.data.byteOffset).getUint32(j);
        if (i < n && acked[i] === 0) {
          acked[i] = 1;
          ackedCount++;
          inFlight.delete(i);
        }
      }
    }
    if (!progressed && net.queued === 0) {
      // Idle: everything in flight was lost; resend it after a pause.
      if (++idleRounds > 100000) throw new Error('transfer stalled');
      net.clock.t += 50;
      for (const i of inFlight) {
        sender.send(chunk(i));
        chunksSent++;
      }
    }
    if (sender.error || receiver.error) throw sender.error ?? receiver.error;
  }
  const out = new Uint8Array(payload.length);
  for (let i = 0; i < n; i++) out.set(got[i] as Uint8Array, i * size);
  if (gotCount !== n) throw new Error('receiver is missing chunks');
  return { delivered: out, chunksSent };
}

export const sha256 = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');
