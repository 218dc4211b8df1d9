import { resolve } from 'node:path';
import type { Store, StoreOrigin } from '../types.js';
import { sqliteAccounts } from './accounts.js';
import { startCheckpointer } from './checkpointer.js';
import { sqliteClients } from './clients.js';
import { sqliteEvents } from './events.js';
import { sqliteFactors } from './factors.js';
import { sqliteGrants } from './grants.js';
import { sqliteInteractions } from './interactions.js';
import { sqliteKeys } from './keys.js';
import { sqliteOutbox } from './outbox.js';
import { sqliteSessions } from './sessions.js';
import { Sql } from './sql.js';
import { sqliteThrottle } from './throttle.js';
import { sqliteResetTokens } from './reset-tokens.js';
import { sqliteTokens } from './tokens.js';
import { sqliteStreams } from './streams.js';
import { sqliteUpstreams } from './upstreams.js';

type Ports = Omit<Store, 'origin' | 'ping' | 'startUpkeep' | 'close'>;

/** Every port on one connection: the adapters share nothing but it. */
const ports = (sql: Sql): Ports => ({
  ...sqliteAccounts(sql),
  ...sqliteFactors(sql),
  ...sqliteClients(sql),
  ...sqliteKeys(sql),
  ...sqliteSessions(sql),
  ...sqliteInteractions(sql),
  ...sqliteGrants(sql),
  ...sqliteTokens(sql),
  ...sqliteEvents(sql),
  ...sqliteOutbox(sql),
  ...sqliteThrottle(sql),
  ...sqliteResetTokens(sql),
  ...sqliteUpstreams(sql),
  ...sqliteStreams(sql),
});

// The class carries the ports' methods, assigned from ports() (which the compiler checks is all of them).
export interface SqliteStore extends Ports {}

/**
 * The embedded store: SQLite through better-sqlite3 in WAL mode. Calls are synchronous
 * underneath; the async interface is the one every store shares.
 */
export class SqliteStore implements Store {
  private readonly sql: Sql;
  readonly origin: StoreOrigin;
  private upkeep: (() => Promise<void>) | undefined;

  constructor(path: string) {
    try {
      this.sql = new Sql(path);
    } catch (err) {
      // better-sqlite3 says "file is not a database" or "unable to open database file" without the path.
      throw new Error(`cannot open the SQLite store ${path}: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
    }
    this.origin = { kind: 'sqlite', location: path === ':memory:' ? path : resolve(path), created: this.sql.created };
    Object.assign(this, ports(this.sql));
  }

  async ping(): Promise<boolean> {
    return this.sql.one('SELECT 1 AS ok')?.ok === 1;
  }

  startUpkeep(problem: (message: string) => void): () => Promise<void> {
    if (this.origin.location === ':memory:' || this.upkeep) return async () => undefined;
    const stop = startCheckpointer(this.sql, this.origin.location, (r) => {
      if (r.kind === 'failed') problem(`WAL checkpoint: ${r.message}`);
    });
    this.upkeep = stop;
    return () => {
      this.upkeep = undefined;
      return stop();
    };
  }

  async close(): Promise<void> {
    await this.upkeep?.();
    this.upkeep = undefined;
    if (this.sql.db.open) this.sql.db.close();
  }
}
