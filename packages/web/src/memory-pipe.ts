/** Two connected in-memory transports (a socketpair of Web Streams), for tests and workers. */
import type { TlsTransport } from './tls-stream.js';

/** `a` writes what `b` reads and the other way round; each direction buffers `highWaterMark` bytes. */
export function memoryPipe(highWaterMark = 16384): [TlsTransport, TlsTransport] {
  if (!Number.isInteger(highWaterMark) || highWaterMark < 0) throw new RangeError('highWaterMark must be a non-negative integer');
  const strategy = { highWaterMark, size: (c: Uint8Array) => c.byteLength };
  const ab = new TransformStream<Uint8Array, Uint8Array>({}, strategy, strategy);
  const ba = new TransformStream<Uint8Array, Uint8Array>({}, strategy, strategy);
  return [
    { readable: ba.readable, writable: ab.writable },
    { readable: ab.readable, writable: ba.writable },
  ];
}
