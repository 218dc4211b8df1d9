import { KEY_PREFIX } from './accounts/throttle.js';
import { nowSeconds } from './clock.js';
import { type Provider, endingDeps } from './provider.js';
import { sweepExpiredSessions } from './sessions/sweep.js';

/**
 * Every `session.sweepInterval`: ends expired sessions through the ending path, removes
 * abandoned interactions, expired authorization codes and WebAuthn challenges, the upstream
 * sessions (sealed ID tokens) of sessions that ended, TOTP
 * enrolments never confirmed and expired password-reset tokens, forgets sign-in throttle counters quiet for
 * `signIn.throttle.resetAfter` and addresses not signed in from for `knownAddressFor`. Safe with several instances on one
 * store: each step is a single idempotent statement or transaction.
 */
export const startHousekeeping = (
  p: Provider,
  log: { info(obj: object, msg: string): void; error(obj: object, msg: string): void },
  everyMs = p.config.session.sweepInterval * 1000,
): (() => void) => {
  const run = async () => {
    const ended = await sweepExpiredSessions(endingDeps(p));
    if (ended > 0) log.info({ ended }, 'ended expired sessions');
    const now = nowSeconds(p.clock);
    await p.store.deleteExpiredInteractions(now);
    // Codes are kept a while past expiry so a late replay is still recognised and revokes.
    await p.store.deleteExpiredCodes(now - 3600);
    await p.store.deleteExpiredChallenges(now);
    // An ended session's upstream session (its sealed ID token) outlives the ending only for the
    // federated logout that reads it at once (issue 15 §2); an interaction's lifetime is ample.
    await p.store.forgetEndedUpstreamSessions(now - p.config.interactionTtl);
    // A TOTP enrolment not confirmed within a day was abandoned: its sealed secret goes.
    await p.store.deleteUnconfirmedFactors(now - 86_400);
    // A reset link nobody can use any more (issue 17 §4): its hash is kept no longer than a sweep.
    await p.store.deleteExpiredResetTokens(now);
    // A counter past its reset time would start again from zero anyway; a lock still running is kept.
    const throttle = p.config.signIn.throttle;
    for (const prefix of [KEY_PREFIX.account, KEY_PREFIX.pair, KEY_PREFIX.address, KEY_PREFIX.factor]) await p.store.pruneThrottle(prefix, now - throttle.resetAfter, now);
    await p.store.pruneThrottle(KEY_PREFIX.known, now - throttle.knownAddressFor, now);
  };
  // One run at a time: with the store away a run can outlast the interval (a statement timeout),
  // and runs piling up would take the pool's connections from the requests (issue 11 §2).
  let running = false;
  const tick = () => {
    if (running) return;
    running = true;
    void run()
      .catch((err: unknown) => log.error({ err }, 'housekeeping failed; retrying at the next interval'))
      .finally(() => (running = false));
  };
  const timer = setInterval(tick, everyMs);
  timer.unref();
  return () => clearInterval(timer);
};
