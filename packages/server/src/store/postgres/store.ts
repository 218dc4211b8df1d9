import type { Store, StoreOrigin } from '../types.js';
import { postgresAccounts } from './accounts.js';
import { postgresClients } from './clients.js';
import { Db, redactUrl } from './db.js';
import { postgresEvents } from './events.js';
import { postgresFactors } from './factors.js';
import { postgresGrants } from './grants.js';
import { postgresInteractions } from './interactions.js';
import { postgresKeys } from './keys.js';
import { migrate } from './migrations.js';
import { CLIENTS_CHANNEL, KEYS_CHANNEL, OutboxNotifications } from './notifications.js';
import { postgresOutbox } from './outbox.js';
import { postgresSessions } from './sessions.js';
import { postgresThrottle } from './throttle.js';
import { postgresResetTokens } from './reset-tokens.js';
import { postgresTokens } from './tokens.js';
import { postgresStreams } from './streams.js';
import { postgresUpstreams } from './upstreams.js';

type Ports = Omit<Store, 'origin' | 'ping' | 'startUpkeep' | 'close'>;

/** The LISTEN connections of one instance: the outbox's wake-ups, and the key and client changes its copies are checked against. */
interface Channels {
  outbox: OutboxNotifications;
  keys: OutboxNotifications;
  clients: OutboxNotifications;
}

/** Every port on one pool: the adapters share nothing but it. */
const ports = (db: Db, channels: Channels): Ports => ({
  ...postgresAccounts(db),
  ...postgresFactors(db),
  ...postgresClients(db, channels.clients),
  ...postgresKeys(db, channels.keys),
  ...postgresSessions(db),
  ...postgresInteractions(db),
  ...postgresGrants(db),
  ...postgresTokens(db),
  ...postgresEvents(db),
  ...postgresOutbox(db, channels.outbox),
  ...postgresThrottle(db),
  ...postgresResetTokens(db),
  ...postgresUpstreams(db),
  ...postgresStreams(db),
});

/** A connection error says what failed without the host when several addresses were tried (AggregateError). */
const reason = (err: unknown): string => {
  if (err instanceof AggregateError && err.errors.length > 0) return reason(err.errors[0]);
  if (err instanceof Error) return err.message || String((err as { code?: unknown }).code ?? err.name);
  return String(err);
};

// The class carries the ports' methods, assigned from ports() (which the compiler checks is all of them).
export interface PostgresStore extends Ports {}

/**
 * The shared store: PostgreSQL through node-postgres, for several instances on one database
 * (issue 11). Each method is one statement or one transaction on the pool.
 */
export class PostgresStore implements Store {
  readonly origin: StoreOrigin;
  private readonly channels: Channels;

  private constructor(private readonly db: Db, created: boolean) {
    this.origin = { kind: 'postgres', location: redactUrl(db.url), created };
    this.channels = {
      outbox: new OutboxNotifications(db.url),
      keys: new OutboxNotifications(db.url, undefined, KEYS_CHANNEL),
      clients: new OutboxNotifications(db.url, undefined, CLIENTS_CHANNEL),
    };
    Object.assign(this, ports(db, this.channels));
  }

  /**
   * Connects and applies pending migrations. An unreachable database fails here with a message
   * naming it (never a crash loop of stack traces), as does a schema newer than this code.
   */
  static async open(url: string, poolSize = 10): Promise<PostgresStore> {
    const db = new Db(url, poolSize);
    try {
      const client = await db.pool.connect();
      // A connection lost during the migrations fails them (caught below); unheard, its 'error'
      // event would crash the process with a stack trace instead (the pool hears idle clients only).
      let lost: Error | undefined;
      const onError = (err: Error) => {
        lost ??= err;
      };
      client.on('error', onError);
      try {
        const from = await migrate(client);
        return new PostgresStore(db, from === 0);
      } finally {
        client.removeListener('error', onError);
        client.release(lost);
      }
    } catch (err) {
      await db.pool.end().catch(() => undefined);
      throw new Error(`cannot open the PostgreSQL store ${redactUrl(url)}: ${reason(err)}`, { cause: err });
    }
  }

  async ping(): Promise<boolean> {
    try {
      return (await this.db.one('SELECT 1 AS ok'))?.ok === 1;
    } catch {
      return false;
    }
  }

  startUpkeep(): () => Promise<void> {
    return async () => undefined;
  }

  async close(): Promise<void> {
    await Promise.all(Object.values(this.channels).map((c) => c.close()));
    await this.db.pool.end().catch(() => undefined);
  }
}
