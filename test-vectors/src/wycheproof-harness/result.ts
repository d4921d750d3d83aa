/** What a Wycheproof harness hands back to the test that ran it with a provider. */
import type { WycheproofTally } from '../wycheproof.js';

export interface HarnessResult {
  readonly tally: WycheproofTally;
  /** `numberOfTests` of the file: the tally's total must equal it. */
  readonly numberOfTests: number;
  /** One line per wrong outcome (the test asserts the list is empty). */
  readonly failures: string[];
}
