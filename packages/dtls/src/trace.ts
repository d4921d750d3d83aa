/**
 * Record tracing, for `-msg`-style diagnostics: what each record sent or received carried — its
 * epoch and sequence number, the inner content type, the headers of its handshake fragments
 * (RFC 9147 §5.2), the record numbers of an ACK (§7), the codes of an alert — and which received
 * records were dropped and why. Headers only: never keys, secrets or payload bytes. Only records
 * that authenticated (or cleartext records of epoch 0) are reported as received.
 */
import { decodeAck, type RecordNumber } from './ack.js';
import { ContentType } from './constants.js';
import { parseFragments } from './handshake/framing.js';

export interface HandshakeFragmentTrace {
  readonly type: number;
  readonly messageSeq: number;
  readonly offset: number;
  readonly fragmentLength: number;
  /** Length of the whole message. */
  readonly length: number;
}

export type DtlsTrace =
  | {
      readonly kind: 'record';
      readonly direction: 'sent' | 'received';
      readonly epoch: number;
      readonly seq: number;
      /** The inner content type (RFC 9147 §4: 21 alert, 22 handshake, 23 application data, 26 ACK). */
      readonly contentType: number;
      /** Bytes of the record on the wire. */
      readonly length: number;
      /** Bytes of its content (without header, inner type, padding and tag). */
      readonly contentLength: number;
      readonly fragments?: readonly HandshakeFragmentTrace[];
      readonly ack?: readonly RecordNumber[];
      readonly alert?: { readonly level: number; readonly description: number };
    }
  | {
      readonly kind: 'dropped';
      readonly direction: 'received';
      /** The two low bits of the epoch in the unified header (RFC 9147 §4). */
      readonly epochBits: number;
      readonly length: number;
      /**
       * `early_data_rejected`: epoch 1 without its keys (0-RTT the server refused, RFC 9147 §6.1);
       * `undecryptable`: failed authentication; `replay`: a record number seen before (§4.5.1).
       */
      readonly reason: 'undecryptable' | 'replay' | 'early_data_rejected';
    };

export type DtlsTracer = (t: DtlsTrace) => void;

/** The trace of one record; its content is parsed for headers only. */
export function recordTrace(direction: 'sent' | 'received', epoch: number, seq: number, contentType: number, length: number, content: Uint8Array): DtlsTrace {
  const base = { kind: 'record' as const, direction, epoch, seq, contentType, length, contentLength: content.length };
  switch (contentType) {
    case ContentType.handshake:
      return { ...base, fragments: (parseFragments(content) ?? []).map((f) => ({ type: f.type, messageSeq: f.messageSeq, offset: f.offset, fragmentLength: f.data.length, length: f.length })) };
    case ContentType.ack:
      return { ...base, ack: decodeAck(content) ?? [] };
    case ContentType.alert:
      return content.length === 2 ? { ...base, alert: { level: content[0] as number, description: content[1] as number } } : base;
    default:
      return base;
  }
}

/** Calls the tracer; its failure is not the connection's. */
export function emitTrace(tracer: DtlsTracer | undefined, make: () => DtlsTrace): void {
  if (tracer === undefined) return;
  try {
    tracer(make());
  } catch {
    // A diagnostic hook that throws must not fail the association.
  }
}
