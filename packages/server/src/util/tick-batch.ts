/**
 * Lookups made in the same turn of the event loop, gathered into one call of `fetchMany` (issue 18
 * P4): a claim of twenty deliveries starts twenty attempts at once, and each reads its client —
 * twenty round trips queued behind the store's pool, where one statement answers them all. Every
 * call still reads the store (nothing is kept past the batch), so a client removed or changed
 * since is seen by the next attempt exactly as before. A failed fetch fails every lookup of its
 * batch.
 */
export const tickBatched = <V>(fetchMany: (keys: string[]) => Promise<V[]>, keyOf: (v: V) => string): ((key: string) => Promise<V | undefined>) => {
  let open: { keys: Set<string>; found: Promise<Map<string, V>> } | undefined;
  return (key) => {
    if (!open) {
      const batch: { keys: Set<string>; found: Promise<Map<string, V>> } = { keys: new Set(), found: Promise.resolve(new Map()) };
      batch.found = new Promise<void>((resolve) => process.nextTick(resolve)).then(async () => {
        open = undefined;
        return new Map((await fetchMany([...batch.keys])).map((v) => [keyOf(v), v]));
      });
      open = batch;
    }
    open.keys.add(key);
    return open.found.then((found) => found.get(key));
  };
};
