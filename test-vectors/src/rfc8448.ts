/** RFC 8448 traces as JSON (format `rfc8448-trace-v1`, see ../shared/vectors/rfc8448/README.md). */
import { hex, loadVectorJson } from './files.js';
import type { RsaPrivateKey } from '@puretls/crypto';

export interface TraceStep {
  readonly index: number;
  readonly side: 'client' | 'server';
  readonly description: string;
  readonly same_as?: string;
}

export interface TraceEntry {
  readonly step: number;
  readonly side: 'client' | 'server';
  readonly label: string;
  readonly length: number | null;
  readonly hex: string | null;
  readonly text?: string;
}

export interface Trace {
  readonly section: string;
  readonly title: string;
  readonly steps: readonly TraceStep[];
  readonly entries: readonly TraceEntry[];
}

export type TraceName = 'simple-1rtt' | 'resumed-0rtt' | 'hello-retry-request' | 'client-authentication' | 'compatibility-mode';

export function loadTrace(name: TraceName): Trace {
  return loadVectorJson<Trace>(`rfc8448/${name}.json`);
}

/**
 * The value labelled `label` in the (n-th, 0-based) step whose side and description match.
 * Throws if absent, so a test never passes on a missing value.
 */
export function traceValue(trace: Trace, side: 'client' | 'server', description: string | RegExp, label: string, nth = 0): Uint8Array {
  const steps = trace.steps.filter(
    (s) => s.side === side && (typeof description === 'string' ? s.description === description : description.test(s.description)),
  );
  const step = steps[nth];
  if (step === undefined) throw new Error(`RFC 8448 §${trace.section}: no ${side} step ${String(description)} #${nth}`);
  const entry = trace.entries.find((e) => e.step === step.index && e.label === label);
  if (entry === undefined || entry.hex === null) throw new Error(`RFC 8448 §${trace.section}: step "${step.description}" has no hex "${label}"`);
  return hex(entry.hex);
}

export type RsaTraceKey = Omit<RsaPrivateKey, 'kind' | 'pss'>;

/** The server's RSA-2048 key of RFC 8448 §2. */
export function loadTraceRsaKey(): RsaTraceKey {
  const { entries } = loadVectorJson<{ entries: TraceEntry[] }>('rfc8448/private-keys.json');
  const get = (label: string): bigint => {
    const e = entries.find((x) => x.label === label);
    if (e === undefined || e.hex === null) throw new Error(`RFC 8448 §2: no ${label}`);
    return BigInt(`0x${e.hex}`);
  };
  return {
    n: get('modulus (public)'),
    e: get('public exponent'),
    d: get('private exponent'),
    p: get('prime1'),
    q: get('prime2'),
    dp: get('exponent1'),
    dq: get('exponent2'),
    qi: get('coefficient'),
  };
}
