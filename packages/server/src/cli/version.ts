import { readFileSync } from 'node:fs';

/**
 * The installed package's version, read from its package.json at run time (from
 * dist/src/cli/ three levels up), so that the version printed is the one installed — in a
 * container image, an npm install or a checkout — and never a number someone forgot to bump.
 */
export const packageVersion = (): string => {
  const raw: unknown = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8'));
  const version = raw && typeof raw === 'object' && 'version' in raw ? raw.version : undefined;
  if (typeof version !== 'string') throw new Error('the package.json of signoff names no version');
  return version;
};

/** `signoff version` and `signoff --version`: the version alone on standard output, exit 0. */
export const versionCommand = async (): Promise<number> => {
  console.log(packageVersion());
  return 0;
};
