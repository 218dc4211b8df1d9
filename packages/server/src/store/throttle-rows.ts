/** The signin_throttle rows as records, the same on every store. */
import type { ThrottleState } from '../accounts/throttle-store.js';

export const toThrottleState = (r: Record<string, unknown>): ThrottleState => ({
  key: r.key as string,
  failures: Number(r.failures),
  firstFailureAt: Number(r.first_failure_at),
  lastFailureAt: Number(r.last_failure_at),
  lockedUntil: r.locked_until === null || r.locked_until === undefined ? undefined : Number(r.locked_until),
});

/**
 * The checked counters a refused claim names: every one blocked at `at`, not only the first the
 * store met (`stoppedBy`), so the caller can say which kinds refused.
 */
export const blockedKeys = (states: readonly ThrottleState[], at: number, stoppedBy: string): string[] => {
  const blocked = states.filter((s) => s.lockedUntil !== undefined && s.lockedUntil > at).map((s) => s.key);
  return blocked.length > 0 ? blocked : [stoppedBy];
};
