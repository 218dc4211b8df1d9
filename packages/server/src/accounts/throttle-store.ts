/** The sign-in throttle's storage port (accounts/throttle.ts): one row per counter. Times in seconds, fractional. */
import type { ThrottleRule } from './throttle.js';

export interface ThrottleState {
  key: string;
  failures: number;
  firstFailureAt: number;
  lastFailureAt: number;
  /** Attempts on this counter are refused until then (a delay or a lock). */
  lockedUntil?: number | undefined;
}

/** One counter of an attempt: checked (refused while blocked), counted (one more attempt), or both. */
export interface ThrottleEntry {
  key: string;
  check: boolean;
  /** Counts the attempt under this rule; a counter idle for `resetAfter` seconds starts again at one. */
  count?: { rule: ThrottleRule; resetAfter: number } | undefined;
}

export type ThrottleClaim =
  /** Nothing was blocked: every counted entry has one more attempt (their states after it). */
  | { admitted: true; counted: ThrottleState[] }
  /** Some checked entries were blocked at that time (their keys): nothing was counted. */
  | { admitted: false; blocked: string[] };

/**
 * An attempt is counted before its password is verified (claimThrottle), so that attempts in
 * flight at once cannot all pass a check that none of them has counted yet; the count that reaches
 * the rule's lockAfter locks at once. Once verified, a wrong password confirms the failure and
 * sets the delay (confirmThrottleFailures); a right one takes the count back (clearThrottle for
 * the account's counters, uncountThrottle for the address's, which holds others' failures too).
 * Attempts in flight together thus skip the delays but never pass the lock: the number verified
 * before a lock is exact, and a user's own concurrent sign-ins are not refused for being many.
 */
export interface ThrottleStore {
  /** The stored counters among `keys` (absent ones are not returned). */
  throttleStates(keys: readonly string[]): Promise<ThrottleState[]>;
  /**
   * In one transaction: refuses if a checked entry is blocked at `at`, else counts the attempt on
   * every counted entry, locking it for lockDuration when the count reaches lockAfter. The check
   * and the count of an entry are one atomic statement, so concurrent attempts, on any instance,
   * are counted exactly.
   */
  claimThrottle(at: number, entries: readonly ThrottleEntry[]): Promise<ThrottleClaim>;
  /** After a wrong password: each counter past its free failures waits per its rule (penaltyAfter), from `at`. */
  confirmThrottleFailures(at: number, entries: readonly { key: string; rule: ThrottleRule }[]): Promise<void>;
  /** Forgets these counters. */
  clearThrottle(keys: readonly string[]): Promise<void>;
  /** Takes one counted attempt back from each of these counters. */
  uncountThrottle(keys: readonly string[]): Promise<void>;
  /** Writes a marker row (no failures, not blocked) last seen at `at`. */
  markThrottleSeen(key: string, at: number): Promise<void>;
  /** Deletes the rows whose key starts with `prefix`, last written before `lastBefore` and not blocked at `at`; how many. */
  pruneThrottle(prefix: string, lastBefore: number, at: number): Promise<number>;
}
