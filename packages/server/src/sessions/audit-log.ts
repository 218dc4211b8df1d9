import { type Clock, nowSeconds } from '../clock.js';
import { decodeCursor, encodeCursor, pageLimit } from '../util/paging.js';
import type { AuditEvent, EventStore, EventType } from './events.js';

/**
 * The audit log as the operations layer writes and reads it. Every change an operator makes
 * (CLI or admin API) is an event whose actor is the caller (issue 12 §2): `admin:cli`, or
 * `client:ID` for an admin API client. Endings record their own `session.ended` events in the
 * ending's transaction (sessions/end.ts).
 */

export interface AuditDeps {
  events: Pick<EventStore, 'appendEvent'>;
  clock: Clock;
}

export const recordChange = (
  deps: AuditDeps,
  type: EventType,
  fields: Pick<AuditEvent, 'accountId' | 'clientId' | 'sessionId' | 'reason'> & { actor: string },
): Promise<void> => deps.events.appendEvent({ at: nowSeconds(deps.clock), type, ...fields });

export interface EventFollowQuery {
  /** The cursor of the previous page; none starts at the oldest event. */
  after?: string | undefined;
  accountId?: string | undefined;
  sessionId?: string | undefined;
  type?: EventType | undefined;
  limit?: number | undefined;
}

/**
 * The events after a cursor, oldest first, so that a collector can follow the log: `next_cursor`
 * is where the next call continues, also when this page is empty (the collector is caught up and
 * asks again later with the same cursor).
 */
export const followEvents = async (store: Pick<EventStore, 'listEvents'>, q: EventFollowQuery): Promise<{ events: AuditEvent[]; next_cursor: string }> => {
  const afterId = q.after === undefined ? 0 : decodeCursor(q.after, ([id]) => (Number.isSafeInteger(id) && (id as number) >= 0 ? (id as number) : undefined));
  const events = await store.listEvents({ afterId, accountId: q.accountId, sessionId: q.sessionId, type: q.type, limit: pageLimit(q.limit) });
  return { events, next_cursor: encodeCursor([events.at(-1)?.id ?? afterId]) };
};
