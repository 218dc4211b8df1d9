import type { Clock } from '../../clock.js';
import { nowSeconds } from '../../clock.js';
import type { ClientStore } from '../../clients/store.js';
import type { DeliveryStore } from './outbox.js';

/**
 * An operator's retries of back-channel notifications, for every adapter (the CLI today, the
 * admin API next): values in, values out. A retried row is due now, its attempts and give-up
 * window start again; running providers pick it up at their next poll (on PostgreSQL, at once).
 */
type Deps = { store: DeliveryStore & Pick<ClientStore, 'clientById'>; clock: Clock };

/** Retries the named rows, all or none: `unknown` names those that are not pending or failed. */
export const retryDeliveries = (deps: Deps, ids: readonly string[]): Promise<{ retried: number; unknown: string[] }> =>
  deps.store.retryDeliveries(ids, nowSeconds(deps.clock));

/** Retries every pending or failed row of one client; `unknown_client` when there is no such client. */
export const retryClientDeliveries = async (deps: Deps, clientId: string): Promise<number | 'unknown_client'> => {
  const n = await deps.store.retryClientDeliveries(clientId, nowSeconds(deps.clock));
  // Nothing retried says nothing about the client: only then is its existence worth a read.
  if (n === 0 && !(await deps.store.clientById(clientId))) return 'unknown_client';
  return n;
};
