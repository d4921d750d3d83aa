import { toTlsError } from '../../src/errors.js';

/** The [code, alert] that `f` fails with, or ['none', 'none'] when it does not throw. */
export function codeAndAlertOf(f: () => unknown): [string, string] {
  try {
    f();
  } catch (e) {
    const t = toTlsError(e);
    return [t.code, t.alert];
  }
  return ['none', 'none'];
}
