/**
 * Signoff's store as the bench reaches it: through the store's own interface (the calls the
 * provider makes), never with SQL of its own, so the bench follows whichever backend it is. A
 * store is named as in Signoff's configuration: `{ sqlite: PATH }` or `{ postgres: URL, poolSize }`,
 * and opened by the provider's own opener (store/open.ts).
 */
const OPEN_MODULE = '../../packages/server/dist/src/store/open.js';

/** Runs `fn(store)` on Signoff's store (the provider may be running on it), then closes it. */
export const withStore = async (storeConfig, fn) => {
  const { openStore } = await import(OPEN_MODULE);
  const store = await openStore(storeConfig);
  try {
    return await fn(store);
  } finally {
    await store.close();
  }
};

export const accountIdOf = (storeConfig, username) => withStore(storeConfig, async (store) => (await store.accountByUsername(username))?.id);

/** The RS256 key signing now, as stored (its private JWK sealed under the key-encryption key); keys come newest first. */
export const currentRs256Key = (storeConfig) =>
  withStore(storeConfig, async (store) => (await store.listKeys()).find((k) => k.alg === 'RS256' && k.retiredAt === undefined));
