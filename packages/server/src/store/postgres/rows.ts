/** Column conversions every part of the PostgreSQL store shares. */

/** NULL is an absent field. */
export const opt = <T>(v: unknown): T | undefined => (v === null || v === undefined ? undefined : (v as T));
/** Scopes are stored space-separated, as on SQLite. */
export const splitScope = (v: unknown): string[] => (v as string).split(' ').filter(Boolean);
export const joinScope = (s: readonly string[]): string => s.join(' ');

/** `WHERE column = $n` for each filter that is set, numbered from 1, plus fixed conditions. */
export const whereSql = (equal: Record<string, unknown>, fixed: string[] = []): [string, unknown[]] => {
  const set = Object.entries(equal).filter(([, v]) => v !== undefined);
  const conditions = [...set.map(([column], i) => `${column} = $${i + 1}`), ...fixed];
  return [conditions.length ? `WHERE ${conditions.join(' AND ')}` : '', set.map(([, v]) => v)];
};
