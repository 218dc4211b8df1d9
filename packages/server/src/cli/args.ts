import { parseArgs } from 'node:util';

/** A command-line mistake (unknown flag or action, missing or malformed argument): exit code 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/**
 * The command was well formed but cannot be carried out — what it names does not exist, already
 * exists, or is not the command line's to change: exit code 1, like any other runtime failure.
 */
export class CommandFailure extends Error {
  override name = 'CommandFailure';
}

export type Options = Record<string, { type: 'string' | 'boolean'; short?: string; multiple?: boolean }>;

/** Parses flags strictly: an unknown flag or a missing value is a UsageError naming it. */
export const parse = <O extends Options>(argv: string[], options: O) => {
  try {
    return parseArgs({ args: argv, options: { ...options, help: { type: 'boolean', short: 'h' } }, allowPositionals: true, strict: true });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
};

export const CONFIG_OPTION = { config: { type: 'string', short: 'c' } } as const;

/** Reads all of standard input (for --password-stdin), without the trailing newline. */
export const readStdin = async (): Promise<string> => {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
};

/** Prints rows as aligned columns. */
export const table = (rows: readonly (readonly string[])[]): string => {
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length))) ?? [];
  return rows.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i] ?? 0))).join('  ')).join('\n');
};

/** The value of --limit: a positive number, 100 when absent. */
export const limitOf = (raw: string | undefined): number => {
  if (raw === undefined) return 100;
  if (!/^\d+$/.test(raw) || Number(raw) < 1) throw new UsageError(`--limit takes a positive number, got "${raw}"`);
  return Number(raw);
};

/**
 * `--help`, or no action at all: prints the usage and returns the exit code (0 when asked for,
 * 2 when the action is missing); undefined when the command should go on.
 */
export const usageExit = (help: boolean | undefined, action: string | undefined, usage: string): number | undefined => {
  if (!help && action) return undefined;
  console.log(usage);
  return help ? 0 : 2;
};
