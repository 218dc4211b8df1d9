import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, renameSync, rmSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import Database from 'better-sqlite3';
import { MIGRATIONS } from './migrations.js';

/** A backup or restore that cannot be done, with the reason an operator can act on. */
export class BackupRefused extends Error {
  override name = 'BackupRefused';
}

/** A temp file beside `target`, so that the final rename stays on one file system (atomic). */
const tempBeside = (target: string): string => join(dirname(target), `.${basename(target)}.${randomBytes(6).toString('hex')}.partial`);

const removeQuietly = (path: string): void => rmSync(path, { force: true });

/** The directory `file` would be written in must exist (no silent mkdir -p of a mistyped path). */
const requireDirectory = (file: string, what: string): void => {
  const dir = dirname(file);
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new BackupRefused(`${what}: the directory ${dir} does not exist`);
};

/**
 * Opens `path` as a Signoff SQLite store, read-only, and returns its schema version. Refuses a file
 * that is not SQLite, one without schema_migrations (not Signoff's), a damaged one, and one whose
 * schema is newer than this code (it would refuse to start on it). An older version is fine: the
 * next start migrates it.
 */
export const signoffSchemaVersion = (path: string): number => {
  if (!existsSync(path)) throw new BackupRefused(`no such file: ${path}`);
  if (!statSync(path).isFile()) throw new BackupRefused(`not a file: ${path}`);
  let db: Database.Database;
  try {
    db = new Database(path, { readonly: true, fileMustExist: true });
  } catch (err) {
    throw new BackupRefused(`${path} cannot be opened as SQLite: ${err instanceof Error ? err.message : String(err)}`);
  }
  try {
    let version: number;
    try {
      const table = db.prepare("SELECT 1 AS ok FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'").get();
      if (!table) throw new BackupRefused(`${path} is an SQLite database but not a Signoff store (no schema_migrations table)`);
      version = Number((db.prepare('SELECT MAX(version) AS v FROM schema_migrations').get() as { v: number | null }).v ?? 0);
      const check = db.pragma('quick_check', { simple: true });
      if (check !== 'ok') throw new BackupRefused(`${path} is damaged (SQLite quick_check: ${String(check)})`);
    } catch (err) {
      if (err instanceof BackupRefused) throw err;
      // "file is not a database": better-sqlite3 opens lazily and fails on the first read.
      throw new BackupRefused(`${path} is not a Signoff SQLite store: ${err instanceof Error ? err.message : String(err)}`);
    }
    if (version < 1) throw new BackupRefused(`${path} is not a Signoff store (schema_migrations is empty)`);
    if (version > MIGRATIONS.length) {
      throw new BackupRefused(`${path} has schema version ${version}, newer than this Signoff (version ${MIGRATIONS.length}); restore it with the Signoff that wrote it`);
    }
    return version;
  } finally {
    db.close();
  }
};

/**
 * Copies the live store at `source` to `target` with SQLite's online backup (through
 * better-sqlite3): a consistent snapshot even while a provider writes to the store (WAL), without
 * stopping it. The copy is written beside `target` and renamed into place, so a crash leaves no
 * half-written backup under the name. Returns the schema version copied.
 */
export const backupSqlite = async (source: string, target: string, opts: { force: boolean }): Promise<number> => {
  requireDirectory(target, `cannot write the backup ${target}`);
  if (existsSync(target) && !opts.force) throw new BackupRefused(`${target} exists; use --force to replace it`);
  signoffSchemaVersion(source);
  const db = new Database(source, { fileMustExist: true });
  const temp = tempBeside(target);
  try {
    db.pragma('busy_timeout = 5000');
    await db.backup(temp);
    chmodSync(temp, 0o600); // it holds what the store holds: password hashes, sealed keys
    const version = signoffSchemaVersion(temp);
    renameSync(temp, target);
    return version;
  } finally {
    db.close();
    removeQuietly(temp);
  }
};

/**
 * Whether another connection — a running provider — has the store at `path` open. A connection
 * in WAL mode holds a shared lock on the database file while it is open, so an exclusive lock
 * taken without waiting fails exactly then. The check closes its connection cleanly, which
 * checkpoints the WAL into the file and removes -wal and -shm.
 */
const inUse = (path: string): boolean => {
  const db = new Database(path, { fileMustExist: true, timeout: 0 });
  try {
    db.pragma('locking_mode = EXCLUSIVE');
    db.exec('BEGIN EXCLUSIVE');
    db.prepare('SELECT COUNT(*) FROM sqlite_master').get();
    db.exec('COMMIT');
    return false;
  } catch (err) {
    if ((err as { code?: string }).code?.startsWith('SQLITE_BUSY')) return true;
    throw err;
  } finally {
    db.close();
  }
};

export interface RestoreResult {
  version: number;
  /** Where the store it replaced was kept (absent with --force, or when there was none). */
  keptAs?: string;
}

/**
 * Puts the backup `source` in place of the store at `target`. The provider must be stopped: a
 * store in use is refused (see inUse). The backup is copied beside the target and renamed over
 * it; the store it replaces is kept as TARGET.before-restore unless `force`.
 */
export const restoreSqlite = async (source: string, target: string, opts: { force: boolean }): Promise<RestoreResult> => {
  const version = signoffSchemaVersion(source);
  requireDirectory(target, `cannot restore to ${target}`);
  const exists = existsSync(target);
  const keptAs = `${target}.before-restore`;
  if (exists) {
    if (inUse(target)) throw new BackupRefused(`the store ${target} is in use; stop the provider (every instance on it) before restoring`);
    if (!opts.force && existsSync(keptAs)) throw new BackupRefused(`${keptAs} exists from an earlier restore; move it away or use --force`);
  }
  const db = new Database(source, { readonly: true, fileMustExist: true });
  const temp = tempBeside(target);
  try {
    await db.backup(temp);
    chmodSync(temp, 0o600);
    signoffSchemaVersion(temp);
    // A -wal or -shm left beside the target belongs to the store being replaced; SQLite would
    // apply it to the restored file. inUse() closed cleanly, so normally there is none.
    if (exists && !opts.force) renameSync(target, keptAs);
    for (const f of [`${target}-wal`, `${target}-shm`]) removeQuietly(f);
    renameSync(temp, target);
    return { version, ...(exists && !opts.force ? { keptAs } : {}) };
  } finally {
    db.close();
    removeQuietly(temp);
  }
};
