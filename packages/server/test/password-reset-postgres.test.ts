/**
 * The password-reset tests (test/helpers/password-reset-suite.ts) on the PostgreSQL store: the
 * whole flow — the reset ending the account's sessions (password_changed) with the back-channel
 * logout delivered, a link used once, two concurrent uses of one link of which exactly one
 * succeeds — on a database of its own on the harness's server (test/helpers/postgres.ts),
 * dropped after the last test; never a skip.
 */
import { passwordResetSuite } from './helpers/password-reset-suite.js';
import { freshDatabase, usePostgres } from './helpers/postgres.js';

const server = usePostgres();

passwordResetSuite('PostgreSQL', async () => {
  const db = await freshDatabase(await server());
  return { config: { postgres: db.url, poolSize: 4 }, drop: () => db.drop() };
});
