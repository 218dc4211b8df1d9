import type { StoreConfig } from '../config/schema.js';
import { ConfigError } from '../config/validate.js';
import { SqliteStore } from './sqlite/store.js';
import type { Store } from './types.js';

/** Opens the store the configuration names and applies pending migrations. */
export const openStore = (config: StoreConfig): Store => {
  if ('sqlite' in config) return new SqliteStore(config.sqlite);
  throw new ConfigError('store.postgres', 'the PostgreSQL store is not available in this version; use {"sqlite": PATH}');
};
