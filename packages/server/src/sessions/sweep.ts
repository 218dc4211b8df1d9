import type { Clock } from '../clock.js';
import { nowSeconds } from '../clock.js';
import type { SessionStore } from '../store/types.js';
import { endSessions } from './end.js';

/**
 * Ends the sessions whose idle or absolute expiry has passed, through the ending path, so their
 * clients are told (an expired session is already unusable; this makes it final and notifies).
 * Several instances may sweep one store: a session already ended is not ended again.
 */
export const sweepExpiredSessions = async (deps: { sessions: Pick<SessionStore, 'endSessions'>; clock: Clock; wake?: (() => void) | undefined }): Promise<number> => {
  const now = nowSeconds(deps.clock);
  const absolute = await endSessions(deps, { absoluteExpiredBy: now }, 'expired_absolute', 'system');
  const idle = await endSessions(deps, { idleExpiredBy: now }, 'expired_idle', 'system');
  return absolute.length + idle.length;
};
