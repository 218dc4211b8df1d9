import type { Clock } from '../../clock.js';
import type { ThrottleConfig } from '../throttle.js';
import { KEY_PREFIX } from '../throttle.js';
import type { ThrottleStore } from '../throttle-store.js';

/**
 * Wrong second factors of one account, counted across sign-ins and instances (RFC 6238 §5.2:
 * "the verifier MUST [throttle]"): a six-digit code is one in a million, and each sign-in allows
 * only a few tries, but someone who knows the password could start sign-in after sign-in. The
 * account counter's rule applies (signIn.throttle.account): delays, then a lock a right code does
 * not pass. A right code clears it.
 */
export const factorAttempts = (deps: { throttle: ThrottleStore; clock: Clock; config: ThrottleConfig }) => {
  const key = (accountId: string) => `${KEY_PREFIX.factor}${accountId}`;
  const now = () => deps.clock.nowMs() / 1000;
  const rule = deps.config.account;
  return {
    /** Whether a factor may be checked now; the attempt is counted before it is. */
    async admit(accountId: string): Promise<boolean> {
      if (!deps.config.enabled) return true;
      const claim = await deps.throttle.claimThrottle(now(), [{ key: key(accountId), check: true, count: { rule, resetAfter: deps.config.resetAfter } }]);
      return claim.admitted;
    },
    async failed(accountId: string): Promise<void> {
      if (deps.config.enabled) await deps.throttle.confirmThrottleFailures(now(), [{ key: key(accountId), rule }]);
    },
    async succeeded(accountId: string): Promise<void> {
      if (deps.config.enabled) await deps.throttle.clearThrottle([key(accountId)]);
    },
  };
};

export type FactorAttempts = ReturnType<typeof factorAttempts>;
