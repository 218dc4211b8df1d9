/**
 * The Store contract run, unchanged, against the PostgreSQL store (issue 11 §1, §3): every test
 * gets a database of its own on the harness's server (test/helpers/postgres.ts) — the local one,
 * the one SIGNOFF_TEST_POSTGRES names, or an embedded one — never a skip.
 */
import { PostgresStore } from '../src/store/postgres/store.js';
import type { Store } from '../src/store/types.js';
import { freshDatabase, usePostgres } from './helpers/postgres.js';
import { runStoreContract } from './helpers/store-contract/index.js';

const server = usePostgres();

/** A migrated store on a new database, dropped when the store is closed. */
export const freshPostgresStore = async (): Promise<Store> => {
  const db = await freshDatabase(await server());
  const store = await PostgresStore.open(db.url, 4);
  const close = store.close.bind(store);
  store.close = async () => {
    await close();
    await db.drop();
  };
  return store;
};

runStoreContract('PostgresStore', freshPostgresStore);
