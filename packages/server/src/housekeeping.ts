import { nowSeconds } from './clock.js';
import type { Provider } from './provider.js';

/**
 * Removes abandoned interactions and expired authorization codes once a minute. Safe with
 * several instances on one store: each delete is a single idempotent statement.
 */
export const startHousekeeping = (p: Provider, everyMs = 60_000): (() => void) => {
  const run = async () => {
    const now = nowSeconds(p.clock);
    await p.store.deleteExpiredInteractions(now);
    // Codes are kept a while past expiry so a late replay is still recognised and revokes.
    await p.store.deleteExpiredCodes(now - 3600);
  };
  const timer = setInterval(() => void run().catch(() => undefined), everyMs);
  timer.unref();
  return () => clearInterval(timer);
};
