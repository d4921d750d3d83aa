/**
 * Every suite × group over a simulated network with loss (0, 10, 30, 50 %), reordering, duplication
 * and delay on a manual clock: the handshake completes, 1 MiB crosses intact from client to server and 256 KiB back.
 */
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { NamedGroupName } from '@puretls/crypto';
import { ALL_CIPHER_SUITES } from '@puretls/tls';
import { DtlsClientConnection, DtlsServerConnection } from '../src/index.js';
import { Clock, configs } from './helpers/keys.js';
import { completed, SimNet } from './helpers/simnet.js';
import { reliableTransfer, sha256 } from './helpers/transfer.js';

const GROUPS: NamedGroupName[] = ['x25519', 'secp256r1', 'x448', 'secp384r1', 'secp521r1'];
const LOSSES = [0, 0.1, 0.3, 0.5];
const MiB = 1 << 20;
const payload = new Uint8Array(randomBytes(MiB));

describe.each(ALL_CIPHER_SUITES.map((s) => [s]))('%s', (suite) => {
  it.each(GROUPS.map((g) => [g]))('%s: handshake and 1 MiB at 0, 10, 30 and 50 percent loss with reordering and duplication', async (group) => {
    for (const [i, loss] of LOSSES.entries()) {
      const clock = new Clock();
      const opts = { cipherSuites: [suite], groups: [group], mtu: 1200, maxRetransmissions: 40 };
      const { client, server } = configs(clock, { client: opts, server: { ...opts, cookies: { secret: new Uint8Array(32).fill(1) } } });
      const c = new DtlsClientConnection(client);
      const s = new DtlsServerConnection(server);
      const net = new SimNet(c, s, clock, { loss, reorder: 0.1, duplicate: 0.05, delay: [5, 40], mtu: 1200, seed: 1000 + i });
      await net.run(() => completed(net) || c.error !== null || s.error !== null);
      expect(c.error).toBeNull();
      expect(s.error).toBeNull();
      expect(c.handshakeInfo).toMatchObject({ cipherSuite: suite, group, version: 'DTLSv1.3' });
      const half = payload.subarray(0, MiB);
      const up = await reliableTransfer(net, 0, half);
      expect(sha256(up.delivered)).toBe(sha256(half));
      if (loss === 0) expect(up.chunksSent).toBe(Math.ceil(MiB / (c.maxDatagramPayload - 4)));
      // And the other way, server to client.
      const back = payload.subarray(0, MiB / 4);
      const down = await reliableTransfer(net, 1, back);
      expect(sha256(down.delivered)).toBe(sha256(back));
    }
  });
});
