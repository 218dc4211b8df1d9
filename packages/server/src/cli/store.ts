import { loadConfig } from '../config/load.js';
import { type Provider, openProvider } from '../provider.js';
import type { StoreOrigin } from '../store/types.js';

/** "sqlite /abs/path (created)": which store, and whether it held anything before. */
export const storeLine = (origin: StoreOrigin): string => `${origin.kind} ${origin.location} (${origin.created ? 'created' : 'existing'})`;

/**
 * The warning owed when a new, empty store was just created: a mistyped path (or a forgotten
 * --config) otherwise looks like a store whose users and clients vanished (issue 10 §8).
 * Undefined for an existing store, or an in-memory one (always new).
 */
export const createdStoreWarning = (origin: StoreOrigin): string | undefined =>
  origin.created && origin.location !== ':memory:' ? `created a new, empty store at ${origin.location}` : undefined;

/**
 * Where to look when that store was not the one meant: the setting that named it. SIGNOFF_STORE
 * overrides the configuration file's store (config/load.ts); otherwise it is store.sqlite or
 * store.postgres of --config (issue 11 §3: a PostgreSQL store is not named by store.sqlite).
 */
export const storeSettingHint = (origin: StoreOrigin, env: NodeJS.ProcessEnv): string =>
  env.SIGNOFF_STORE ? 'check SIGNOFF_STORE, which overrides the store of --config' : `check --config and store.${origin.kind}`;

/**
 * Opens the store of the configuration named by --config (or SIGNOFF_CONFIG, or the development
 * configuration), runs fn and closes it.
 */
export const withProvider = async <T>(configFile: string | undefined, fn: (p: Provider) => Promise<T>): Promise<T> => {
  const provider = await openProvider(loadConfig({ file: configFile ?? process.env.SIGNOFF_CONFIG }));
  const created = createdStoreWarning(provider.store.origin);
  if (created) console.error(`signoff: warning: ${created} (if you expected existing data, ${storeSettingHint(provider.store.origin, process.env)})`);
  for (const notice of keyNotices(provider)) console.error(`signoff: ${notice}`);
  try {
    return await fn(provider);
  } finally {
    await provider.store.close();
  }
};

/** What an operator must hear about the key-encryption key when a store is opened. */
export const keyNotices = (p: Provider): string[] => [
  ...(p.kek.generatedFile === ':memory:' ? ['development: an ephemeral key-encryption key seals the signing keys of this in-memory store'] : []),
  ...(p.kek.generatedFile !== undefined && p.kek.generatedFile !== ':memory:'
    ? [`development: generated a key-encryption key in ${p.kek.generatedFile} (mode 0600); it seals the private signing keys ` +
       'in the store beside it. Outside development set SIGNOFF_KEY_ENCRYPTION_KEY or keys.encryptionKeyFile.']
    : []),
  ...(p.sealedAtOpen > 0 ? [`sealed ${p.sealedAtOpen} private signing key(s) stored in plain by an earlier version (key-encryption key ${p.kek.id})`] : []),
];

/** The actor of every change made from the command line, in the audit log and on ended sessions. */
export const CLI_ACTOR = 'admin:cli';

export const iso = (seconds: number | undefined): string => (seconds === undefined ? '-' : new Date(seconds * 1000).toISOString());
