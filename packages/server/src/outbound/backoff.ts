/** Retry schedule (Back-Channel Logout 1.0 §2.7: retry recoverable failures after a delay). */
export const FIRST_RETRY_MS = 1000;
export const MAX_RETRY_MS = 10 * 60 * 1000;

/**
 * The delay before the next attempt after `attempts` failed ones: 1 s doubling up to 10 min,
 * scaled by a random factor in [0.75, 1.25) so that the applications that came back after an
 * outage are not hit by every provider at the same instant.
 */
export const retryDelayMs = (attempts: number, random: () => number = Math.random): number => {
  const base = Math.min(MAX_RETRY_MS, FIRST_RETRY_MS * 2 ** Math.max(0, Math.min(attempts - 1, 30)));
  return Math.min(MAX_RETRY_MS, Math.round(base * (0.75 + random() / 2)));
};
