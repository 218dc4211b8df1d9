import { sha256 } from '../util/secrets.js';
import type { ClientMetadata, ClientStore } from './store.js';

/** A client the configuration declares: its metadata and, for a confidential client, its secret in plain. */
export interface SeedClient {
  metadata: ClientMetadata;
  secret?: string;
}

/**
 * The configuration is the source of truth for its clients: at start-up they are written to the
 * store (secrets as hashes), and clients that came from an earlier configuration but are gone
 * from this one are removed. Clients added with `signoff clients add` are left alone.
 */
export const syncConfigClients = async (store: ClientStore, seeds: readonly SeedClient[]): Promise<void> => {
  const wanted = new Set(seeds.map((s) => s.metadata.client_id));
  for (const existing of await store.listClients()) {
    if (existing.source === 'config' && !wanted.has(existing.client_id)) await store.removeClient(existing.client_id);
  }
  for (const seed of seeds) {
    await store.upsertClient({
      ...seed.metadata,
      client_secret_hash: seed.secret === undefined ? undefined : sha256(seed.secret),
      source: 'config',
    });
  }
};
