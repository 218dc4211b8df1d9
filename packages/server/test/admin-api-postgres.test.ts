/**
 * The admin API's tests (test/helpers/admin-suite.ts) on the PostgreSQL store (issue 12 §4:
 * "npm test covers all of it on both stores"): a database of its own on the harness's server
 * (test/helpers/postgres.ts) — the local one, the one SIGNOFF_TEST_POSTGRES names, or an
 * embedded one — dropped after the last test; never a skip.
 */
import { adminSuite } from './helpers/admin-suite.js';
import { freshDatabase, usePostgres } from './helpers/postgres.js';

const server = usePostgres();

adminSuite('PostgreSQL', async () => {
  const db = await freshDatabase(await server());
  return { config: { postgres: db.url, poolSize: 4 }, drop: () => db.drop() };
});
