/** The signin_throttle rows as records, the same on every store. */
import type { ThrottleState } from '../accounts/throttle-store.js';

export const toThrottleState = (r: Record<string, unknown>): ThrottleState => ({
  key: r.key as string,
  failures: Number(r.failures),
  firstFailureAt: Number(r.first_failure_at),
  lastFailureAt: Number(r.last_failure_at),
  lockedUntil: r.locked_until === null || r.locked_until === undefined ? undefined : Number(r.locked_until),
});
