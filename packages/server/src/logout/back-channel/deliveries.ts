import type { Clock } from '../../clock.js';
import { nowSeconds } from '../../clock.js';
import type { ClientStore } from '../../clients/store.js';
import { recordChange } from '../../sessions/audit-log.js';
import type { EventStore } from '../../sessions/events.js';
import { cutPage, decodeCursor, isKeyNumber, isKeyString, pageLimit } from '../../util/paging.js';
import type { DeliveryStatus, DeliveryStore, LogoutDelivery } from './outbox.js';

/**
 * An operator's view and retries of back-channel notifications, for every adapter (the CLI and
 * the admin API): values in, values out. A retried row is due now, its attempts and give-up
 * window start again; running providers pick it up at their next poll (on PostgreSQL, at once).
 * Each retry is an audit event (`delivery.retried`, its reason the delivery id or `all`).
 */
type Deps = { store: DeliveryStore & Pick<ClientStore, 'clientById'> & Pick<EventStore, 'appendEvent'>; clock: Clock };

const audit = (deps: Deps, actor: string, reason: string, clientId?: string) =>
  recordChange({ events: deps.store, clock: deps.clock }, 'delivery.retried', { actor, reason, clientId });

/** Retries the named rows, all or none: `unknown` names those that are not pending or failed. */
export const retryDeliveries = async (deps: Deps, ids: readonly string[], actor: string): Promise<{ retried: number; unknown: string[] }> => {
  const result = await deps.store.retryDeliveries(ids, nowSeconds(deps.clock));
  if (result.unknown.length === 0) await audit(deps, actor, ids.join(','));
  return result;
};

/** Retries every pending or failed row of one client; `unknown_client` when there is no such client. */
export const retryClientDeliveries = async (deps: Deps, clientId: string, actor: string): Promise<number | 'unknown_client'> => {
  const n = await deps.store.retryClientDeliveries(clientId, nowSeconds(deps.clock));
  // Nothing retried says nothing about the client: only then is its existence worth a read.
  if (n === 0 && !(await deps.store.clientById(clientId))) return 'unknown_client';
  if (n > 0) await audit(deps, actor, 'all', clientId);
  return n;
};

/** A page of rows, oldest first; the cursor is the (created_at, id) of the page's last row. */
export const listDeliveryPage = async (
  store: Pick<DeliveryStore, 'listDeliveries'>,
  q: { status?: DeliveryStatus | undefined; clientId?: string | undefined; sessionId?: string | undefined; cursor?: string | undefined; limit?: number | undefined },
): Promise<{ deliveries: LogoutDelivery[]; next_cursor: string | null }> => {
  const limit = pageLimit(q.limit);
  const after = q.cursor === undefined ? undefined : decodeCursor(q.cursor, ([createdAt, id]) => (isKeyNumber(createdAt) && isKeyString(id) ? { createdAt, id } : undefined));
  const rows = await store.listDeliveries({ status: q.status, clientId: q.clientId, sessionId: q.sessionId, after, limit: limit + 1 });
  const page = cutPage(rows, limit, (d) => [d.createdAt, d.id]);
  return { deliveries: page.rows, next_cursor: page.next_cursor };
};
