import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { developmentConfig } from './development.js';
import { type Config, parseConfig } from './schema.js';
import { ConfigError } from './validate.js';

export interface LoadOptions {
  /** Path of the JSON configuration file; without it, the development configuration. */
  file?: string | undefined;
  /** Overrides from the command line (e.g. --port). */
  port?: number | undefined;
  env?: NodeJS.ProcessEnv;
}

/**
 * Reads the configuration file, applies the environment overrides for the essentials
 * (SIGNOFF_ISSUER, SIGNOFF_PORT, SIGNOFF_STORE, SIGNOFF_MANAGEMENT_PORT) and validates the result. Relative SQLite and
 * key-encryption-key file paths are resolved against the working directory.
 */
export const loadConfig = (opts: LoadOptions = {}): Readonly<Config> => {
  const env = opts.env ?? process.env;
  // The development configuration's issuer follows the port it runs on, so --port just works.
  const port = opts.port ?? (env.SIGNOFF_PORT && /^\d+$/.test(env.SIGNOFF_PORT) ? Number(env.SIGNOFF_PORT) : undefined);
  const raw: Record<string, unknown> = opts.file ? readJson(opts.file) : developmentConfig(port);
  if (env.SIGNOFF_ISSUER) raw.issuer = env.SIGNOFF_ISSUER;
  if (env.SIGNOFF_PORT) raw.port = env.SIGNOFF_PORT;
  if (env.SIGNOFF_STORE) {
    // A pool size set in the file stays when the environment names another database.
    const poolSize = typeof raw.store === 'object' && raw.store !== null ? (raw.store as Record<string, unknown>).poolSize : undefined;
    raw.store = /^postgres(ql)?:\/\//.test(env.SIGNOFF_STORE)
      ? { postgres: env.SIGNOFF_STORE, ...(poolSize !== undefined ? { poolSize } : {}) }
      : { sqlite: env.SIGNOFF_STORE };
  }
  if (env.SIGNOFF_MANAGEMENT_PORT) {
    const management = typeof raw.management === 'object' && raw.management !== null ? raw.management : {};
    raw.management = { ...management, port: env.SIGNOFF_MANAGEMENT_PORT === 'off' ? null : env.SIGNOFF_MANAGEMENT_PORT };
  }
  if (opts.port !== undefined) raw.port = opts.port;
  const config = parseConfig(raw);
  const keyFile = config.keys.encryptionKeyFile;
  const resolved = {
    ...config,
    ...('sqlite' in config.store && config.store.sqlite !== ':memory:' ? { store: Object.freeze({ sqlite: resolve(config.store.sqlite) }) } : {}),
    ...(keyFile !== undefined ? { keys: Object.freeze({ encryptionKeyFile: resolve(keyFile) }) } : {}),
  };
  return Object.freeze(resolved);
};

const readJson = (file: string): Record<string, unknown> => {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError('--config', `cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new ConfigError('--config', `${file} is not valid JSON: ${(err as Error).message}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new ConfigError('--config', `${file} must hold a JSON object`);
  }
  return parsed as Record<string, unknown>;
};
