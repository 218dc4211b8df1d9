import { chmodSync, existsSync, mkdirSync } from 'node:fs';
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
    this.db = path === ':memory:' ? new Database(path) : openPrivately(path);
    try {
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

/**
 * Opens a SQLite file readable by its owner only (issue 10 §5): a data directory it creates is
 * 0700, and the database, its -wal and -shm files are 0600 — created under umask 077 (SQLite
 * gives -wal and -shm the mode of the database file) and tightened when an earlier version left
 * them 0644. An existing directory is left alone: it may be shared, such as /tmp.
 */
const openPrivately = (path: string): Database.Database => {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const files = [path, `${path}-wal`, `${path}-shm`];
  const tighten = () => {
    for (const f of files) {
      try {
        chmodSync(f, 0o600);
      } catch (err) {
        // Absent, or just removed by another process closing the store (SQLite deletes -wal and -shm then).
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      }
    }
  };
  tighten();
  // The umask is process-wide, but nothing else runs while this synchronous block does.
  const previous = process.umask(0o077);
  try {
    const db = new Database(path);
    db.pragma('journal_mode = WAL');
    tighten();
    return db;
  } finally {
    process.umask(previous);
  }
};

/** A WHERE clause of `column = ?` for each filter that is set, plus fixed conditions. */
export const whereSql = (equal: Record<string, unknown>, fixed: string[] = []): [string, unknown[]] => {
  const set = Object.entries(equal).filter(([, v]) => v !== undefined);
  const conditions = [...set.map(([column]) => `${column} = ?`), ...fixed];
  return [conditions.length ? `WHERE ${conditions.join(' AND ')}` : '', set.map(([, v]) => v)];
};

/** Column conversions every part shares: NULL is an absent field; scopes are stored space-separated. */
export const opt = <T>(v: unknown): T | undefined => (v === null || v === undefined ? undefined : (v as T));
export const splitScope = (v: unknown): string[] => (v as string).split(' ').filter(Boolean);
export const joinScope = (s: readonly string[]): string => s.join(' ');
