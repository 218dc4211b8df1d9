import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { loadConfig } from '../config/load.js';
import type { Config } from '../config/schema.js';
import { DEV_KEK_FILE, KEK_ENV, resolveKeyEncryptionKey } from '../tokens/key-encryption.js';
import { BackupRefused, backupSqlite, restoreSqlite } from '../store/sqlite/backup.js';
import { CONFIG_OPTION, CommandFailure, UsageError, parse } from './args.js';

/** What must travel with every copy of the store: the key that opens its sealed secrets. */
const KEK_NOTICE =
  'The store holds the private signing keys and TOTP secrets sealed with the key-encryption key ' +
  '(SIGNOFF_KEY_ENCRYPTION_KEY, keys.encryptionKeyFile, or in development the key file generated ' +
  'beside the store); keep that key as carefully as the backup, but not beside it: ' +
  'a restored store needs the same key, and without it the sealed keys are useless.';

export const BACKUP_USAGE = `Usage: signoff backup --to FILE [--force] [--config FILE]

Copies the SQLite store of --config to FILE with SQLite's online backup: a consistent snapshot,
taken while the provider runs and writes. FILE is not overwritten unless --force.
${KEK_NOTICE}
A PostgreSQL store is backed up with pg_dump (see the README, "Backups and upgrades").`;

export const RESTORE_USAGE = `Usage: signoff restore --from FILE [--force] [--config FILE]

Puts the backup FILE in place of the SQLite store of --config. Stop the provider first (every
instance on the store): a store in use is refused. The backup must be a Signoff store of this
version or an earlier one (the next start migrates it), with its signing keys sealed under the
key-encryption key this configuration uses (when that key is set). The store it replaces is kept as
STORE.before-restore unless --force.
${KEK_NOTICE}`;

/** The SQLite store of --config; a PostgreSQL store is pg_dump's to copy, not ours. */
const sqliteStore = (configFile: string | undefined, command: 'backup' | 'restore'): { path: string; config: Readonly<Config> } => {
  const config = loadConfig({ file: configFile ?? process.env.SIGNOFF_CONFIG });
  const { store } = config;
  if ('postgres' in store) {
    throw new CommandFailure(
      command === 'backup'
        ? 'the store is PostgreSQL: back it up with pg_dump (e.g. pg_dump --format=custom --file=signoff.dump URL), and keep the key-encryption key with it'
        : 'the store is PostgreSQL: restore a pg_dump backup with pg_restore (e.g. pg_restore --clean --if-exists --dbname=URL signoff.dump), with the same key-encryption key',
    );
  }
  if (store.sqlite === ':memory:') throw new CommandFailure(`the store is in memory: there is nothing to ${command}`);
  return { path: resolve(store.sqlite), config };
};

/**
 * The key-encryption key a provider on this configuration will use, when it is set (the variable,
 * the configured file, or the development file already beside the store) — never generating one.
 */
const configuredKekId = (config: Readonly<Config>, storePath: string): string | undefined => {
  const set = !!process.env[KEK_ENV] || config.keys.encryptionKeyFile !== undefined || (config.development && existsSync(join(dirname(storePath), DEV_KEK_FILE)));
  return set ? resolveKeyEncryptionKey(config, process.env).id : undefined;
};

const sealedLine = (ids: string[]): string =>
  ids.length === 0 ? 'it holds no sealed signing keys yet' : `its signing keys are sealed under key-encryption key ${ids.join(', ')}`;

const refusedAsFailure = async <T>(fn: () => Promise<T>): Promise<T> => {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof BackupRefused) throw new CommandFailure(err.message);
    throw err;
  }
};

export const backupCommand = async (argv: string[]): Promise<number> => {
  const { values, positionals } = parse(argv, { ...CONFIG_OPTION, to: { type: 'string' }, force: { type: 'boolean' } });
  if (values.help) return console.log(BACKUP_USAGE), 0;
  if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0]}"\n\n${BACKUP_USAGE}`);
  if (!values.to) throw new UsageError(`backup needs --to FILE\n\n${BACKUP_USAGE}`);
  const source = sqliteStore(values.config, 'backup').path;
  const target = resolve(values.to);
  const { version, sealedUnder } = await refusedAsFailure(() => backupSqlite(source, target, { force: values.force === true }));
  console.log(`backed up the store ${source} (schema version ${version}) to ${target}; ${sealedLine(sealedUnder)}`);
  console.log(KEK_NOTICE);
  return 0;
};

export const restoreCommand = async (argv: string[]): Promise<number> => {
  const { values, positionals } = parse(argv, { ...CONFIG_OPTION, from: { type: 'string' }, force: { type: 'boolean' } });
  if (values.help) return console.log(RESTORE_USAGE), 0;
  if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0]}"\n\n${RESTORE_USAGE}`);
  if (!values.from) throw new UsageError(`restore needs --from FILE\n\n${RESTORE_USAGE}`);
  const { path: target, config } = sqliteStore(values.config, 'restore');
  const source = resolve(values.from);
  const kekId = configuredKekId(config, target);
  const { version, keptAs, sealedUnder } = await refusedAsFailure(() => restoreSqlite(source, target, { force: values.force === true, kekId }));
  console.log(`restored ${source} (schema version ${version}) to the store ${target}; ${sealedLine(sealedUnder)}`);
  if (keptAs) console.log(`the store it replaced is kept as ${keptAs}`);
  console.log(KEK_NOTICE);
  return 0;
};
