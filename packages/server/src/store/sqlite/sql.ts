import { existsSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { migrate } from './migrations.js';

export type Row = Record<string, unknown>;

/**
 * One SQLite connection (better-sqlite3, WAL) with its migrations applied, and the statement
 * helpers every part of the SQLite store uses. Statements are prepared once and reused:
 * preparation dominates small queries otherwise.
 */
export class Sql {
  readonly db: Database.Database;
  /** True when this connection created the database file. */
  readonly created: boolean;
  private readonly stmts = new Map<string, Database.Statement>();

  constructor(path: string) {
    this.created = path === ':memory:' || !existsSync(path);
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
    this.db = new Database(path);
    try {
      this.db.pragma('journal_mode = WAL');
      this.db.pragma('synchronous = NORMAL');
      this.db.pragma('busy_timeout = 5000');
      this.db.pragma('foreign_keys = ON');
      migrate(this.db);
    } catch (err) {
      this.db.close();
      throw err;
    }
  }

  private q(sql: string): Database.Statement {
    let stmt = this.stmts.get(sql);
    if (!stmt) {
      stmt = this.db.prepare(sql);
      this.stmts.set(sql, stmt);
    }
    return stmt;
  }

  one(sql: string, ...args: unknown[]): Row | undefined {
    return this.q(sql).get(...args) as Row | undefined;
  }

  all(sql: string, ...args: unknown[]): Row[] {
    return this.q(sql).all(...args) as Row[];
  }

  run(sql: string, ...args: unknown[]): number {
    return this.q(sql).run(...args).changes;
  }
}

/** A WHERE clause of `column = ?` for each filter that is set, plus fixed conditions. */
export const whereSql = (equal: Record<string, unknown>, fixed: string[] = []): [string, unknown[]] => {
  const set = Object.entries(equal).filter(([, v]) => v !== undefined);
  const conditions = [...set.map(([column]) => `${column} = ?`), ...fixed];
  return [conditions.length ? `WHERE ${conditions.join(' AND ')}` : '', set.map(([, v]) => v)];
};
