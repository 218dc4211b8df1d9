import { loadConfig } from '../config/load.js';
import { type Provider, openProvider } from '../provider.js';

/**
 * Opens the store of the configuration named by --config (or SIGNOFF_CONFIG, or the development
 * configuration), runs fn and closes it.
 */
export const withProvider = async <T>(configFile: string | undefined, fn: (p: Provider) => Promise<T>): Promise<T> => {
  const provider = await openProvider(loadConfig({ file: configFile ?? process.env.SIGNOFF_CONFIG }));
  try {
    return await fn(provider);
  } finally {
    await provider.store.close();
  }
};

export const iso = (seconds: number | undefined): string => (seconds === undefined ? '-' : new Date(seconds * 1000).toISOString());
