import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, renameSync, rmSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { MIGRATIONS } from './migrations.js';

/** A backup or restore that cannot be done, with the reason an operator can act on. */
export class BackupRefused extends Error {
  override name = 'BackupRefused';
}

/** A temp file beside `target`, so that the final rename stays on one file system (atomic). */
const tempBeside = (target: string): string => join(dirname(target), `.${basename(target)}.${randomBytes(6).toString('hex')}.partial`);

/** Whether two paths name one file (or one store: its -wal and -shm belong to it). */
const sameFile = (a: string, b: string): boolean => {
  const id = (p: string) => {
    try {
      const st = statSync(p);
      return `${st.dev}:${st.ino}`;
    } catch {
      return undefined;
    }
  };
  const base = (p: string) => resolve(p).replace(/-(wal|shm)$/, '');
  if (base(a) === base(b)) return true;
  const ia = id(a);
  return ia !== undefined && ia === id(b);
};

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
 * The key-encryption keys (their fingerprints) that the private signing keys in the store at
 * `path` are sealed under: a copy of the store opens only with one of them. Keys an early version
 * stored in plain are not counted (the next start seals them).
 */
export const sealedUnder = (path: string): string[] => {
  const db = new Database(path, { readonly: true, fileMustExist: true });
  try {
    const ids = new Set<string>();
    for (const { private_jwk: raw } of db.prepare('SELECT private_jwk FROM signing_keys').all() as { private_jwk: string }[]) {
      try {
        const jwk = JSON.parse(raw) as { enc?: unknown; kek?: unknown };
        if (jwk.enc === 'A256GCM' && typeof jwk.kek === 'string') ids.add(jwk.kek);
      } catch {
        // Not JSON: not a sealed key; the provider reports it when it reads the key.
      }
    }
    return [...ids].sort();
  } finally {
    db.close();
  }
};

export interface BackupResult {
  version: number;
  /** The key-encryption keys its signing keys are sealed under (see sealedUnder). */
  sealedUnder: string[];
}

/**
 * Copies the live store at `source` to `target` with SQLite's online backup (through
 * better-sqlite3): a consistent snapshot even while a provider writes to the store (WAL), without
 * stopping it. The copy is written beside `target` and renamed into place, so a crash leaves no
 * half-written backup under the name. Returns the schema version copied.
 */
export const backupSqlite = async (source: string, target: string, opts: { force: boolean }): Promise<BackupResult> => {
  requireDirectory(target, `cannot write the backup ${target}`);
  // Renamed over the live store, the backup would replace it under the running provider.
  if (sameFile(source, target)) throw new BackupRefused(`${target} is the store itself; name another file`);
  if (existsSync(target) && !opts.force) throw new BackupRefused(`${target} exists; use --force to replace it`);
  signoffSchemaVersion(source);
  const db = new Database(source, { fileMustExist: true });
  const temp = tempBeside(target);
  try {
    db.pragma('busy_timeout = 5000');
    await db.backup(temp);
    chmodSync(temp, 0o600); // it holds what the store holds: password hashes, sealed keys
    const version = signoffSchemaVersion(temp);
    const kekIds = sealedUnder(temp);
    renameSync(temp, target);
    return { version, sealedUnder: kekIds };
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

export interface RestoreResult extends BackupResult {
  /** Where the store it replaced was kept (absent with --force, or when there was none). */
  keptAs?: string;
}

/**
 * Puts the backup `source` in place of the store at `target`. The provider must be stopped: a
 * store in use is refused (see inUse). When the key-encryption key the provider will use is known
 * (`kekId`), a backup whose signing keys are sealed under another is refused: the provider would
 * not start on it. The backup is copied beside the target and renamed over it; the store it
 * replaces is kept as TARGET.before-restore unless `force`.
 */
export const restoreSqlite = async (source: string, target: string, opts: { force: boolean; kekId?: string | undefined }): Promise<RestoreResult> => {
  if (sameFile(source, target)) throw new BackupRefused(`${source} is the store itself`);
  const version = signoffSchemaVersion(source);
  const kekIds = sealedUnder(source);
  if (opts.kekId !== undefined && kekIds.length > 0 && !kekIds.includes(opts.kekId)) {
    throw new BackupRefused(
      `the signing keys in ${source} are sealed under key-encryption key ${kekIds.join(', ')}, but the configured one is ${opts.kekId}: ` +
        'a provider would not start on it; restore with the key-encryption key the backup was made with',
    );
  }
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
    return { version, sealedUnder: kekIds, ...(exists && !opts.force ? { keptAs } : {}) };
  } finally {
    db.close();
    removeQuietly(temp);
  }
};
