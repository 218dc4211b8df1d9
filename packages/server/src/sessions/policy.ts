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
