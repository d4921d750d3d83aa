/** Typed access to Wycheproof files (`testvectors_v1` format; see ../shared/vectors/wycheproof/SOURCE.md). */
import { loadVectorJson } from './files.js';

export type WycheproofResult = 'valid' | 'invalid' | 'acceptable';

export interface WycheproofTest {
  readonly tcId: number;
  readonly comment: string;
  readonly flags: readonly string[];
  readonly result: WycheproofResult;
  readonly [field: string]: unknown;
}

export interface WycheproofGroup<T extends WycheproofTest = WycheproofTest> {
  readonly type: string;
  readonly tests: readonly T[];
  readonly [field: string]: unknown;
}

export interface WycheproofFile<T extends WycheproofTest = WycheproofTest> {
  readonly algorithm: string;
  readonly numberOfTests: number;
  readonly notes: Readonly<Record<string, { bugType?: string; description?: string }>>;
  readonly testGroups: readonly WycheproofGroup<T>[];
}

export function loadWycheproof<T extends WycheproofTest = WycheproofTest>(file: string): WycheproofFile<T> {
  return loadVectorJson<WycheproofFile<T>>(`wycheproof/${file}`);
}

/** Tally kept by a harness and printed once, so the number of cases run is reported. */
export class WycheproofTally {
  valid = 0;
  invalid = 0;
  acceptableAccepted = 0;
  acceptableRejected = 0;
  constructor(readonly file: string) {}
  get total(): number {
    return this.valid + this.invalid + this.acceptableAccepted + this.acceptableRejected;
  }
  summary(): string {
    return `${this.file}: ${this.total} cases (valid ${this.valid}, invalid ${this.invalid}, acceptable accepted ${this.acceptableAccepted}, acceptable rejected ${this.acceptableRejected})`;
  }
}
