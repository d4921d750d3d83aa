// Types of the STARTTLS SMTP example, for the tests that import it.
import type { Server } from 'node:net';

export interface SmtpMessage {
  readonly from: string;
  readonly to: string[];
  readonly data: string;
  readonly tls: boolean;
}

export function createSmtpServer(options: { cert: string; key: string; hostname?: string; onMessage?: (m: SmtpMessage) => void }): Server;
