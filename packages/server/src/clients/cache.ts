import type { Client } from './store.js';

/** Clients held at most; past it a read goes to the store (ids are not attacker-chosen rows: only registered clients are kept). */
const MAX_CACHED = 10_000;

/** Freezes the object and everything in it: one copy is shared by every request that reads the client. */
const deepFreeze = <T>(value: T): T => {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
};

/**
 * The registered clients held in the process (issue 18, P1: the client row was a sixth of the
 * store time of an authorization with a live session), under the store's `clientsVersion`: a
 * number that moves with every write to the clients by this process and, before this process
 * can see it, by any other (SQLite: `PRAGMA data_version`; PostgreSQL: a NOTIFY sent in the
 * writing transaction). While the store cannot vouch for a version (undefined: PostgreSQL with
 * its LISTEN connection not confirmed), every read goes to the store, so a removed client or a
 * changed redirect URI is never served from a copy the store could not invalidate. Unknown ids
 * are not cached: a miss is an error path, and the cache cannot be filled with made-up ids.
 */
export const cachedClientById = (
  version: () => number | undefined,
  read: (id: string) => Promise<Client | undefined>,
): ((id: string) => Promise<Client | undefined>) => {
  const held = new Map<string, Client>();
  let heldAt: number | undefined;
  return async (id) => {
    const before = version();
    if (before === undefined) return read(id);
    if (before !== heldAt) {
      held.clear();
      heldAt = before;
    }
    const hit = held.get(id);
    if (hit) return hit;
    const client = await read(id);
    // Kept only if no write was seen while it was read: a copy read before a change must not outlive it.
    if (client && version() === before && held.size < MAX_CACHED) held.set(id, deepFreeze(client));
    return client;
  };
};
