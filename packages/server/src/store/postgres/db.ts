import pg from 'pg';
import { SignoffError } from '../../errors.js';

export type Row = Record<string, unknown>;

/**
 * A statement sent as a named prepared statement (node-postgres `{ name, text, values }`): each
 * connection parses and plans it once, then only binds and executes it (issue 18, P1). For the
 * statements of every authorization only. Each names its columns rather than `*`: a prepared
 * `SELECT *` fails ("cached plan must not change result type") on the connections of an instance
 * still running when a newer one's migration adds a column.
 */
export interface Named {
  readonly name: string;
  readonly text: string;
}

export const named = (name: string, text: string): Named => ({ name, text });

/** The statements every part of the PostgreSQL store runs, on the pool or inside a transaction. */
export interface Q {
  one(text: string | Named, values?: unknown[]): Promise<Row | undefined>;
  all(text: string | Named, values?: unknown[]): Promise<Row[]>;
  /** The number of rows the statement changed. */
  run(text: string | Named, values?: unknown[]): Promise<number>;
}

/**
 * int8 (COUNT, bigserial) and numeric as JavaScript numbers: every such value here is a count, an
 * event id or a time in seconds, far below 2^53. Set on the pool, not globally, so an application
 * embedding Signoff keeps pg's defaults.
 */
const types = {
  getTypeParser: ((oid: number, format?: string) =>
    oid === 20 || oid === 1700 ? Number : pg.types.getTypeParser(oid, format as 'text')) as typeof pg.types.getTypeParser,
};

/**
 * SQLSTATE classes and codes, and socket errors, that mean the database cannot serve now: class 08
 * (connection exception), class 53 (insufficient resources: too many connections, disk full, out
 * of memory), an administrator's shutdown or a server starting up (57P01-57P03), a statement
 * cancelled by the server (57014, statement_timeout), a read-only server where a primary was
 * expected (25006: a failover under way, or a standby behind the URL), system and I/O errors (58).
 */
const UNREACHABLE_CODES = new Set(['25006', '57014', '57P01', '57P02', '57P03', 'ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH']);
const UNREACHABLE_CLASSES = ['08', '53', '58'];
const UNREACHABLE_MESSAGES = /Connection terminated|timeout exceeded when trying to connect|not queryable|Client was closed|Connection ended|Query read timeout/i;

export const isUnreachable = (err: unknown): boolean => {
  if (!(err instanceof Error)) return false;
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'string' && (UNREACHABLE_CLASSES.some((c) => code.startsWith(c)) || UNREACHABLE_CODES.has(code))) return true;
  return UNREACHABLE_MESSAGES.test(err.message);
};

/**
 * A lost database is a 503 for the caller (the error registry's temporarily_unavailable), never a
 * 500 or a crash; the pool reconnects by itself once the database is back (issue 11 §2).
 */
const unavailable = (err: unknown): unknown => {
  if (isUnreachable(err)) return new SignoffError('temporarily_unavailable', 'The service is temporarily unavailable; try again shortly.', `store: ${(err as Error).message}`);
  // 22021: a NUL byte (or another character outside UTF-8) in a parameter, which PostgreSQL's text
  // cannot hold — SQLite can, and finds nothing. The request is at fault: a 400, never a 500.
  if ((err as { code?: unknown }).code === '22021') return new SignoffError('invalid_request', 'The request holds a character that cannot be stored (a NUL byte).', `store: ${(err as Error).message}`);
  return err;
};

/** Transactions that lost a deadlock or a serialization race are retried this many times. */
const RETRIES = 3;
const RETRYABLE = new Set(['40001', '40P01']);

/**
 * How long to wait for a connection, and for a statement's answer. A network that drops packets
 * (no reset) would otherwise hold a request until the kernel's keepalive gives up, hours later;
 * every statement here is small, so one that has not answered in this time has lost its database
 * and the request gets a 503 (issue 11 §2). Migrations run without the statement limit.
 */
export interface DbTimeouts {
  connectMs: number;
  statementMs: number;
}

const DEFAULT_TIMEOUTS: DbTimeouts = { connectMs: 5000, statementMs: 15_000 };

const statements = (c: pg.Pool | pg.PoolClient, timeoutMs: number): Q => {
  // node-postgres takes a per-statement read timeout in the query config; its types omit it.
  const query = (text: string | Named, values?: unknown[]) =>
    c.query((typeof text === 'string' ? { text, values, query_timeout: timeoutMs } : { name: text.name, text: text.text, values, query_timeout: timeoutMs }) as unknown as pg.QueryConfig);
  return {
    async one(text, values) {
      return (await query(text, values)).rows[0] as Row | undefined;
    },
    async all(text, values) {
      return (await query(text, values)).rows as Row[];
    },
    async run(text, values) {
      return (await query(text, values)).rowCount ?? 0;
    },
  };
};

/** The connection string without its password, for messages and the store line. */
export const redactUrl = (url: string): string => {
  try {
    const u = new URL(url);
    u.password = '';
    return u.toString();
  } catch {
    return 'postgres://…';
  }
};

/**
 * A node-postgres pool with the statement helpers. TLS and its verification are what the URL's
 * `sslmode` asks (pg reads it); `poolSize` bounds the connections of this instance.
 */
export class Db implements Q {
  readonly pool: pg.Pool;
  private readonly q: Q;

  private readonly statementMs: number;

  constructor(readonly url: string, poolSize: number, timeouts: DbTimeouts = DEFAULT_TIMEOUTS) {
    this.pool = new pg.Pool({ connectionString: url, max: poolSize, types, connectionTimeoutMillis: timeouts.connectMs, idleTimeoutMillis: 30_000, keepAlive: true });
    // An idle connection the server dropped: the pool discards it, and the next query reconnects.
    this.pool.on('error', () => undefined);
    this.statementMs = timeouts.statementMs;
    this.q = statements(this.pool, this.statementMs);
  }

  one(text: string | Named, values?: unknown[]): Promise<Row | undefined> {
    return this.q.one(text, values).catch((e: unknown) => Promise.reject(unavailable(e)));
  }

  all(text: string | Named, values?: unknown[]): Promise<Row[]> {
    return this.q.all(text, values).catch((e: unknown) => Promise.reject(unavailable(e)));
  }

  run(text: string | Named, values?: unknown[]): Promise<number> {
    return this.q.run(text, values).catch((e: unknown) => Promise.reject(unavailable(e)));
  }

  /**
   * Runs `fn`, which makes exactly one statement, on the pool: atomic by itself, without the BEGIN
   * and COMMIT round trips of `tx`, and retried as `tx` is when it lost a deadlock or a
   * serialization race (the ending, ending.ts, issue 18 P4).
   */
  async statement<T>(fn: (q: Q) => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await fn(this.q);
      } catch (err) {
        const code = (err as { code?: unknown }).code;
        if (attempt < RETRIES && typeof code === 'string' && RETRYABLE.has(code)) continue;
        throw unavailable(err);
      }
    }
  }

  /** Runs fn in one READ COMMITTED transaction on one connection; all or nothing. */
  async tx<T>(fn: (q: Q) => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      let client: pg.PoolClient;
      try {
        client = await this.pool.connect();
      } catch (err) {
        throw unavailable(err);
      }
      let broken: Error | undefined;
      // The pool listens for errors only on idle clients: a connection lost while this one is
      // checked out would emit 'error' with no listener and crash the process (issue 11 §2). The
      // statement in flight fails on its own; the client is discarded at release.
      const lost = (err: Error) => {
        broken ??= err;
      };
      client.on('error', lost);
      try {
        const q = statements(client, this.statementMs);
        // Named, not left to the server's default_transaction_isolation: the ending and sign-in
        // transactions are written for READ COMMITTED (ending.ts, sign-in.ts).
        await q.run('BEGIN ISOLATION LEVEL READ COMMITTED');
        const result = await fn(q);
        await q.run('COMMIT');
        return result;
      } catch (err) {
        if (isUnreachable(err)) broken = err as Error;
        // A lost connection is discarded at release, and the server rolls back what it held; a
        // ROLLBACK sent on it could wait for ever on a network that drops packets.
        if (!broken) await client.query('ROLLBACK').catch(() => undefined);
        const code = (err as { code?: unknown }).code;
        if (attempt < RETRIES && typeof code === 'string' && RETRYABLE.has(code)) continue;
        throw unavailable(err);
      } finally {
        client.removeListener('error', lost);
        client.release(broken);
      }
    }
  }
}
