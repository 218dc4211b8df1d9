import { nowSeconds } from '../clock.js';
import { type EndingDeps, endSessions } from './end.js';

/**
 * Ends the sessions whose idle or absolute expiry has passed, through the ending path, so their
 * clients are told (an expired session is already unusable; this makes it final and notifies).
 * Several instances may sweep one store: a session already ended is not ended again.
 */
export const sweepExpiredSessions = async (deps: EndingDeps): Promise<number> => {
  const now = nowSeconds(deps.clock);
  const absolute = await endSessions(deps, { absoluteExpiredBy: now }, 'expired_absolute', 'system');
  const idle = await endSessions(deps, { idleExpiredBy: now }, 'expired_idle', 'system');
  return absolute.length + idle.length;
};
