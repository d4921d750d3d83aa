/** ExpectEndOfEarlyData: 0-RTT accepted; early data flows until EndOfEarlyData (RFC 8446 §4.5). */
import type { State, Step } from '../state.js';
import type { RawHandshake } from '../messages/handshake.js';
import { ExpectCertificate } from './expect-certificate.js';
import { ExpectFinished } from './expect-finished.js';
import { unexpected, type ServerCtx } from './shared.js';

export class ExpectEndOfEarlyData implements State {
  readonly name = 'ExpectEndOfEarlyData';
  constructor(private readonly c: ServerCtx) {}
  handle(m: RawHandshake): Step {
    if (m.type !== 'end_of_early_data') unexpected(this.name, m);
    const { s } = this.c;
    s.transcript.update(m.raw);
    s.io.acceptEarlyData(-1);
    s.io.setReadKeys(this.c.ks, this.c.suite, this.c.chts);
    return this.c.requested !== null ? new ExpectCertificate(this.c) : new ExpectFinished(this.c, null, null);
  }
}
