/**
 * Signoff's store as the bench reaches it: through the store's own interface (the calls the
 * provider makes), never with SQL of its own, so the bench follows whichever backend it is.
 */
const STORE_MODULE = '../../packages/server/dist/src/store/sqlite/store.js';

/** Runs `fn(store)` on Signoff's SQLite store at `sqlitePath` (the provider may be running on it), then closes it. */
export const withStore = async (sqlitePath, fn) => {
  const { SqliteStore } = await import(STORE_MODULE);
  const store = new SqliteStore(sqlitePath);
  try {
    return await fn(store);
  } finally {
    await store.close();
  }
};

export const accountIdOf = (sqlitePath, username) => withStore(sqlitePath, async (store) => (await store.accountByUsername(username))?.id);

/** The RS256 key signing now, as stored (its private JWK sealed under the key-encryption key); keys come newest first. */
export const currentRs256Key = (sqlitePath) =>
  withStore(sqlitePath, async (store) => (await store.listKeys()).find((k) => k.alg === 'RS256' && k.retiredAt === undefined));
