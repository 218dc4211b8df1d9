/** Session lifetimes in seconds (DESIGN.md "Domain model"; configuration key `session`). */
export interface SessionPolicy {
  idleTimeout: number;
  absoluteLifetime: number;
  rememberMe: { idleTimeout: number; absoluteLifetime: number };
  maxSessionsPerAccount?: number | undefined;
}

export const lifetimesFor = (policy: SessionPolicy, rememberMe: boolean): { idleTimeout: number; absoluteLifetime: number } =>
  rememberMe ? policy.rememberMe : policy;

/**
 * Last-seen is written at most once a minute and at most once per tenth of the idle timeout:
 * activity costs few writes, yet short idle timeouts stay exact.
 */
export const touchInterval = (idleTimeout: number): number => Math.max(1, Math.min(60, Math.floor(idleTimeout / 10)));

/**
 * Whether an authorization must write its participant's last authentication and last-seen (issue
 * 18, P1): by the rule of touchInterval, against the shorter of the session's idle timeout and the
 * client's own `max_idle` — so a client's idle limit stays exact to a tenth of it — and always for
 * a client new to the session. Otherwise the code is the authorization's only write.
 */
export const participantTouchDue = (lastSeenAt: number | undefined, now: number, idleTimeout: number, clientMaxIdle?: number | undefined): boolean =>
  lastSeenAt === undefined || now - lastSeenAt >= touchInterval(clientMaxIdle === undefined ? idleTimeout : Math.min(idleTimeout, clientMaxIdle));
