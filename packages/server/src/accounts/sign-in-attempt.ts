/**
 * A password sign-in attempt under the throttle (issue 14 §4 "No guessing"; accounts/throttle.ts
 * has the rules). Three counters: the username from anywhere (`account`), the username from this
 * address (`pair`), this address at any username (`address`). Every refusal is a wrong password
 * to the caller: same answer, same time.
 *
 * Why a lock cannot keep the real user out for long:
 * - the tight limits are on what only the attacker controls: the (username, address) pair and
 *   the address. An attacker elsewhere fills their own counters, not those of the user's address;
 * - the account-wide counter, which a distributed attacker does fill, is not checked from an
 *   address the account signed in from within `knownAddressFor` (Okta's "known device" exemption
 *   to lockout); from a new address its lock lasts `lockDuration` past the attacker's last failure;
 * - refused attempts are not counted, so the user retrying during a lock does not lengthen it;
 * - every lock is short (15 minutes by default) and ends by itself (Keycloak's temporary lockout,
 *   never its permanent one), and a quiet `resetAfter` forgets the count.
 */
import type { Clock } from '../clock.js';
import type { EventStore } from '../sessions/events.js';
import { checkPassword, rehashIfDue } from './accounts.js';
import { type PasswordHashing, verifyPassword } from './passwords.js';
import type { Account, AccountStore } from './store.js';
import { type ThrottleConfig, type ThrottleKind, kindOf, throttleKeys } from './throttle.js';
import type { ThrottleState, ThrottleStore } from './throttle-store.js';

export type SignInFailureReason = 'invalid_credentials' | 'throttled';

export interface SignInAttemptDeps {
  accounts: Pick<AccountStore, 'accountByUsername' | 'rehashPassword'>;
  throttle: ThrottleStore;
  events: Pick<EventStore, 'appendEvent'>;
  clock: Clock;
  config: Readonly<ThrottleConfig>;
  /** The configured argon2id cost: the dummy hash an unknown username is verified against has it too. */
  hashing?: Readonly<PasswordHashing> | undefined;
  /** Told of every failure and every lock (the metrics). */
  observe: { failed(reason: SignInFailureReason): void; locked(kind: ThrottleKind): void };
}

export interface PasswordAttempt {
  username: string;
  password: string;
  /** The client's address, as the trusted-proxy setting resolves it. */
  ip: string;
}

/** A known address is marked again at most this often: a sign-in costs no write for it otherwise. */
const KNOWN_REFRESH = 3600;

const failed = async (deps: SignInAttemptDeps, reason: SignInFailureReason, named: Account | undefined, at: number): Promise<void> => {
  deps.observe.failed(reason);
  await deps.events.appendEvent({ at: Math.floor(at), type: 'signin.failed', reason, accountId: named?.id });
};

/** The counters this failure locked (a count at the rule's lockAfter or past it: each failure past a lock locks again). */
const lockedBy = async (deps: SignInAttemptDeps, counted: readonly ThrottleState[], named: Account | undefined, at: number): Promise<void> => {
  for (const s of counted) {
    const kind = kindOf(s.key);
    if (!kind || s.failures < deps.config[kind].lockAfter) continue;
    deps.observe.locked(kind);
    await deps.events.appendEvent({ at: Math.floor(at), type: 'signin.locked', reason: kind, accountId: named?.id });
  }
};

/**
 * Checks a password under the throttle: the account, or undefined for a wrong password, an unknown
 * or disabled account, or a refusal while a counter is delayed or locked (a right password too).
 */
export const attemptPassword = async (deps: SignInAttemptDeps, attempt: PasswordAttempt): Promise<Account | undefined> => {
  const { config } = deps;
  const at = deps.clock.nowMs() / 1000;
  if (!config.enabled) {
    const { account, named } = await checkPassword(deps.accounts, attempt.username, attempt.password, deps.hashing);
    if (!account) await failed(deps, 'invalid_credentials', named, at);
    else await rehashIfDue(deps.accounts, account, attempt.password, deps.hashing);
    return account;
  }
  const keys = throttleKeys(attempt.username, attempt.ip);
  const [known] = await deps.throttle.throttleStates([keys.known]);
  const knownAddress = known !== undefined && known.lastFailureAt > at - config.knownAddressFor;
  const count = (kind: ThrottleKind) => ({ rule: config[kind], resetAfter: config.resetAfter });
  // Counted before the password is verified, in the same atomic step as the check, so attempts in
  // flight at once cannot all pass a check none of them has counted: they may skip the delays, but
  // the count that reaches a lock locks at once (accounts/throttle-store.ts). A right password
  // takes its count back below.
  const claim = await deps.throttle.claimThrottle(at, [
    { key: keys.account, check: !knownAddress, count: count('account') },
    { key: keys.pair, check: true, count: count('pair') },
    { key: keys.address, check: true, count: count('address') },
  ]);
  if (!claim.admitted) {
    const named = await deps.accounts.accountByUsername(attempt.username);
    // A refusal costs a verification against the dummy hash, as a wrong password does: the answer
    // is the same page, and its time must not tell the attacker that the throttle (rather than the
    // password) refused, nor when the lock ends. The cost is no more than the wrong passwords the
    // throttle stands for; holding off a flood of requests is a rate limiter's job in front.
    await verifyPassword(undefined, attempt.password, deps.hashing);
    await failed(deps, 'throttled', named, at);
    return undefined;
  }
  const { account, named } = await checkPassword(deps.accounts, attempt.username, attempt.password, deps.hashing);
  if (account) {
    // The account's own counters are forgotten (Keycloak resets the count on success); the
    // address's only loses this attempt: it holds the failures of others behind the same NAT.
    await deps.throttle.clearThrottle([keys.account, keys.pair]);
    await deps.throttle.uncountThrottle([keys.address]);
    if (!knownAddress || known.lastFailureAt < at - KNOWN_REFRESH) await deps.throttle.markThrottleSeen(keys.known, at);
    await rehashIfDue(deps.accounts, account, attempt.password, deps.hashing);
    return account;
  }
  await deps.throttle.confirmThrottleFailures(at, (['account', 'pair', 'address'] as const).map((kind) => ({ key: keys[kind], rule: config[kind] })));
  await failed(deps, 'invalid_credentials', named, at);
  await lockedBy(deps, claim.counted, named, at);
  return undefined;
};
