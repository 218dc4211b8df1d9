import type { StoreConfig } from '../config/schema.js';
import { PostgresStore } from './postgres/store.js';
import { SqliteStore } from './sqlite/store.js';
import type { Store } from './types.js';

/** Opens the store the configuration names and applies pending migrations. */
export const openStore = async (config: StoreConfig): Promise<Store> =>
  'sqlite' in config ? new SqliteStore(config.sqlite) : PostgresStore.open(config.postgres, config.poolSize);
