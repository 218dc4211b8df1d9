/**
 * The sign-in throttle's rules (issue 14 §4 "No guessing"): which counters a password attempt
 * touches and what a count of failures costs. Anchors: Keycloak's brute-force detection (a
 * failure count that resets after a quiet time, growing waits up to a maximum, a temporary
 * lockout) and the OWASP Authentication Cheat Sheet ("Protect against automated attacks":
 * lockout by account, exponential back-off, and the warning that lockout is a denial of service
 * an attacker can cause). The state lives in the store (accounts/throttle-store.ts), so every
 * instance behind a load balancer counts the same failures (DESIGN.md "Storage").
 */
import { createHash } from 'node:crypto';
import ipaddr from 'ipaddr.js';

/** What a count of failures on one counter costs. Durations in seconds. */
export interface ThrottleRule {
  /** Failures within the count that cost nothing: typing mistakes. */
  freeFailures: number;
  /** The wait after the first failure past the free ones; it doubles with each further failure… */
  delay: number;
  /** …up to this. */
  maxDelay: number;
  /** At this many failures the counter locks: no attempt is verified, not even a right password. */
  lockAfter: number;
  /** How long a lock lasts; each failure after it ends locks again (one guess per lockDuration). */
  lockDuration: number;
}

/** `signIn.throttle` (config/schema.ts). */
export interface ThrottleConfig {
  enabled: boolean;
  /** A counter with no failure for this long starts again from zero (Keycloak's "failure reset time"). */
  resetAfter: number;
  /** How long an address the account signed in from stays exempt from the account-wide counter. */
  knownAddressFor: number;
  /** Every attempt at one username, from anywhere: distributed guessing at one account. */
  account: ThrottleRule;
  /** One username from one address: a single attacker at one account. */
  pair: ThrottleRule;
  /** One address, any username: one source spraying many accounts (looser: NATs share addresses). */
  address: ThrottleRule;
}

export type ThrottleKind = 'account' | 'pair' | 'address';

/**
 * The username as a throttle sees it: NFKC, trimmed, lower case. Two spellings that look alike
 * share a counter (more throttling, never less); whether an account has the name plays no part,
 * so a name that exists and one that does not are throttled alike (issue 14 §4).
 */
export const normaliseUsername = (username: string): string => username.normalize('NFKC').trim().toLowerCase();

/**
 * The address a counter is kept for: IPv4 as is (an IPv4-mapped IPv6 address as IPv4), IPv6 by
 * its /64, which RFC 7421 makes the usual smallest allocation: one subscriber holds all of it,
 * so counting single IPv6 addresses would give an attacker 2^64 fresh counters.
 */
export const addressOf = (ip: string): string => {
  if (!ipaddr.isValid(ip)) return ip;
  const parsed = ipaddr.parse(ip);
  if (parsed.kind() === 'ipv4') return parsed.toString();
  const v6 = parsed as ipaddr.IPv6;
  if (v6.isIPv4MappedAddress()) return v6.toIPv4Address().toString();
  return `${v6.toNormalizedString().split(':').slice(0, 4).join(':')}::/64`;
};

/** A fixed-length digest: a hostile username (megabytes, control characters, `__proto__`) becomes 43 plain characters. */
const digest = (...parts: string[]): string => createHash('sha256').update(parts.join('\n')).digest('base64url');

/** The prefixes of the counters' keys; `known` marks an address the account signed in from. */
export const KEY_PREFIX = { account: 'account:', pair: 'pair:', address: 'address:', known: 'known:', factor: 'factor:' } as const;

export interface ThrottleKeys {
  account: string;
  pair: string;
  address: string;
  known: string;
}

/** The counters of one attempt. Usernames are stored only as digests, so the table names no one. */
export const throttleKeys = (username: string, ip: string): ThrottleKeys => {
  const name = normaliseUsername(username);
  const address = addressOf(ip);
  return {
    account: KEY_PREFIX.account + digest(name),
    pair: KEY_PREFIX.pair + digest(name, address),
    address: KEY_PREFIX.address + address,
    known: KEY_PREFIX.known + digest(name, address),
  };
};

/** The kind of counter a key belongs to. */
export const kindOf = (key: string): ThrottleKind | undefined =>
  (['account', 'pair', 'address'] as const).find((k) => key.startsWith(KEY_PREFIX[k]));

/**
 * How long attempts on a counter are refused after its `failures`-th failure: nothing for the
 * free ones, then `delay` doubling up to `maxDelay`, and `lockDuration` from `lockAfter` on. The
 * stores compute the same in SQL (store/*\/throttle.ts): the lock in the statement that counts the
 * attempt, the delays once the failure is confirmed (accounts/throttle-store.ts says why); the
 * store contract checks they agree.
 */
export const penaltyAfter = (rule: ThrottleRule, failures: number): number | undefined => {
  if (failures >= rule.lockAfter) return rule.lockDuration;
  if (failures <= rule.freeFailures) return undefined;
  return Math.min(rule.maxDelay, rule.delay * 2 ** Math.min(failures - rule.freeFailures - 1, 30));
};
