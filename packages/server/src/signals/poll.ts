import type { KeyRing } from '../tokens/keys.js';
import { type SetDeps, signSet } from './set.js';
import { POLL } from './store.js';
import { type SsfDeps, ownStream } from './streams.js';

/** RFC 8936 §2.4: a poll request, after the route's schema checked its shape. */
export interface PollRequest {
  maxEvents?: number | undefined;
  returnImmediately?: boolean | undefined;
  ack?: string[] | undefined;
  setErrs?: Record<string, { err: string; description: string }> | undefined;
}

/** The most SETs one poll response carries, whatever maxEvents asks. */
export const MAX_EVENTS_PER_POLL = 100;

/**
 * One poll (RFC 8936 §2.4): acknowledgements and reported errors first — both remove the SET (an
 * errored SET will not get better by being sent again; §2.4.2 asks the transmitter to record it,
 * which `report` does) — then up to maxEvents waiting SETs, oldest first, with `moreAvailable`.
 * `maxEvents: 0` only acknowledges (§2.4.1). A paused stream returns no SETs (its events wait);
 * Signoff always answers at once (returnImmediately is honoured; long polling is not offered).
 */
export const poll = async (
  deps: SsfDeps & SetDeps & { keys: KeyRing },
  clientId: string,
  streamId: string,
  req: PollRequest,
  report: (jti: string, err: { err: string; description: string }) => void,
): Promise<{ sets: Record<string, string>; moreAvailable: boolean }> => {
  const stream = await ownStream(deps, clientId, streamId);
  const errs = Object.entries(req.setErrs ?? {});
  for (const [jti, e] of errs) report(jti, e);
  const done = [...new Set([...(req.ack ?? []), ...errs.map(([jti]) => jti)])];
  if (done.length > 0) await deps.store.acknowledgeEvents(streamId, done);
  if (stream.config.delivery.method !== POLL || stream.status !== 'enabled') return { sets: {}, moreAvailable: false };
  const max = Math.min(req.maxEvents ?? MAX_EVENTS_PER_POLL, MAX_EVENTS_PER_POLL);
  if (max === 0) return { sets: {}, moreAvailable: false };
  const { events, more } = await deps.store.pollEvents(streamId, max);
  const sets: Record<string, string> = Object.create(null) as Record<string, string>;
  for (const e of events) sets[e.jti] = await signSet(deps, stream, e.jti, e.createdAt, e.event);
  return { sets: { ...sets }, moreAvailable: more };
};
