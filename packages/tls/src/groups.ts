/** NamedGroup code points for the provider's group names (RFC 8446 §4.2.7). */
import type { NamedGroupName } from '@puretls/crypto';
import { NamedGroup } from './constants.js';

export function groupCode(name: NamedGroupName): number {
  return NamedGroup[name];
}

export function groupByCode(code: number): NamedGroupName | undefined {
  for (const [k, v] of Object.entries(NamedGroup)) if (v === code) return k as NamedGroupName;
  return undefined;
}
