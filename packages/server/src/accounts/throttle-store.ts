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

/** One counter of an attempt: checked (refused while blocked), counted (one more failure), or both. */
export interface ThrottleEntry {
  key: string;
  check: boolean;
  /** Counts a failure under this rule; a counter idle for `resetAfter` seconds starts again at one. */
  count?: { rule: ThrottleRule; resetAfter: number } | undefined;
}

export type ThrottleClaim =
  /** Nothing was blocked: every counted entry has one more failure (their states after it). */
  | { admitted: true; counted: ThrottleState[] }
  /** Some checked entries were blocked at that time (their keys): nothing was counted. */
  | { admitted: false; blocked: string[] };

export interface ThrottleStore {
  /** The stored counters among `keys` (absent ones are not returned). */
  throttleStates(keys: readonly string[]): Promise<ThrottleState[]>;
  /**
   * In one transaction: refuses if a checked entry is blocked at `at`, else adds a failure to
   * every counted entry and blocks it per its rule (penaltyAfter). The check and the count of an
   * entry are one atomic step, so concurrent attempts, on any instance, are counted exactly and
   * no more of them get through than the rule admits.
   */
  claimThrottle(at: number, entries: readonly ThrottleEntry[]): Promise<ThrottleClaim>;
  /** Forgets these counters. */
  clearThrottle(keys: readonly string[]): Promise<void>;
  /** Writes a marker row (no failures, not blocked) last seen at `at`. */
  markThrottleSeen(key: string, at: number): Promise<void>;
  /** Deletes the rows whose key starts with `prefix`, last written before `lastBefore` and not blocked at `at`; how many. */
  pruneThrottle(prefix: string, lastBefore: number, at: number): Promise<number>;
}
