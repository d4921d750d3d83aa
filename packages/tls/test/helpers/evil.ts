/**
 * Misbehaving peers for tests: real engines whose outgoing handshake messages pass through a mutator
 * (after decoding, before encryption), so a test can make a peer lie in any message while its records
 * stay correctly protected. The mutated bytes enter the evil side's transcript (so only the targeted
 * check can fail), unless the mutator returns `{ raw, transcript }`.
 */
import { ClientConnection, ServerConnection, type ClientConfig, type ClientConnectionOptions, type ServerConfig } from '../../src/index.js';
import { encodeHandshake, parseHandshake, type HandshakeMessage } from '../../src/messages/handshake.js';

export type MutateResult = HandshakeMessage | Uint8Array | Uint8Array[] | { raw: Uint8Array; transcript: Uint8Array } | null | undefined;
/** `index` counts messages of the same type sent so far (0 for the first ClientHello, 1 for the second, ...). */
export type Mutator = (m: HandshakeMessage, index: number) => MutateResult;

function apply(mutate: Mutator, counts: Map<string, number>, m: HandshakeMessage | Uint8Array, send: (x: Uint8Array) => Uint8Array): Uint8Array {
  const decoded: HandshakeMessage = m instanceof Uint8Array ? parseHandshake(m) : m;
  const index = counts.get(decoded.type) ?? 0;
  counts.set(decoded.type, index + 1);
  const r = mutate(decoded, index);
  const original = m instanceof Uint8Array ? m : encodeHandshake(m);
  if (r === undefined) return send(original);
  if (r === null) return original; // dropped: the evil side still hashes it
  if (r instanceof Uint8Array) return send(r);
  if (Array.isArray(r)) {
    // Several messages queued back to back (same record); the transcript gets the first.
    const first = send(r[0] as Uint8Array);
    for (const x of r.slice(1)) send(x);
    return first;
  }
  if ('raw' in r) {
    send(r.raw);
    return r.transcript;
  }
  return send(encodeHandshake(r));
}

export function evilClient(config: ClientConfig, mutate: Mutator, options?: ClientConnectionOptions): ClientConnection {
  const counts = new Map<string, number>();
  class EvilClient extends ClientConnection {
    protected override sendHandshake(m: HandshakeMessage | Uint8Array): Uint8Array {
      return apply(mutate, counts, m, (x) => super.sendHandshake(x));
    }
  }
  return new EvilClient(config, options);
}

export function evilServer(config: ServerConfig, mutate: Mutator): ServerConnection {
  const counts = new Map<string, number>();
  class EvilServer extends ServerConnection {
    protected override sendHandshake(m: HandshakeMessage | Uint8Array): Uint8Array {
      return apply(mutate, counts, m, (x) => super.sendHandshake(x));
    }
  }
  return new EvilServer(config);
}
