/**
 * The admin API's tests (test/helpers/admin-suite.ts) on the SQLite store: startProvider's own
 * file, fresh for this run.
 */
import { adminSuite } from './helpers/admin-suite.js';

adminSuite('SQLite', async () => ({}));
