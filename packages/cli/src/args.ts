/**
 * openssl-style command lines: `-flag` switches and `-option value` pairs, with the value kinds of
 * each command declared up front so a typo is an error, not a silently ignored flag.
 */

export type FlagSpec = Readonly<Record<string, 'switch' | 'value'>>;

export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export interface Parsed {
  readonly switches: ReadonlySet<string>;
  readonly values: ReadonlyMap<string, string>;
}

export function parseArgs(argv: readonly string[], spec: FlagSpec): Parsed {
  const switches = new Set<string>();
  const values = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] as string;
    if (!a.startsWith('-')) throw new UsageError(`unexpected argument ${a}`);
    const name = a.replace(/^--?/, '');
    const kind = spec[name];
    if (kind === undefined) throw new UsageError(`unknown option -${name}`);
    if (kind === 'switch') switches.add(name);
    else {
      const v = argv[++i];
      if (v === undefined) throw new UsageError(`-${name} needs a value`);
      values.set(name, v);
    }
  }
  return { switches, values };
}

/** `host:port`, `[v6]:port` or a bare port (host `dflt`). */
export function hostPort(s: string, dflt: string): { host: string; port: number } {
  const m = /^(?:\[([^\]]+)\]|([^:]*)):(\d+)$/.exec(s);
  const host = m === null ? dflt : (m[1] ?? m[2] ?? '') || dflt;
  const portText = m === null ? s : (m[3] as string);
  const port = Number(portText);
  if (!/^\d+$/.test(portText) || port > 65535) throw new UsageError(`bad port in ${s}`);
  return { host, port };
}
