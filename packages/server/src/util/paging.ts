import { fail } from '../errors.js';

/**
 * Lists in pages (issue 12 §3): `limit` (default 50, at most 200) and an opaque `cursor` that is
 * the key of the page's last row, base64url JSON. A store is asked for one row more than the page
 * holds: that row says whether a next page follows, without a count.
 */
export const DEFAULT_LIMIT = 50;
export const MAX_LIMIT = 200;

export type PageKey = readonly (string | number)[];

export const encodeCursor = (key: PageKey): string => Buffer.from(JSON.stringify(key)).toString('base64url');

/** The key a cursor holds, checked by `read`; anything else is the one `invalid_request`. */
export const decodeCursor = <K>(cursor: string, read: (parts: readonly unknown[]) => K | undefined): K => {
  try {
    const parts: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    const key = Array.isArray(parts) ? read(parts) : undefined;
    if (key !== undefined) return key;
  } catch {
    // falls through to the one error below
  }
  return fail('invalid_request', 'The cursor is not one this provider issued.');
};

/** A key part that is a non-empty string of at most 200 characters. */
export const isKeyString = (v: unknown): v is string => typeof v === 'string' && v.length > 0 && v.length <= 200;
export const isKeyNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

export const pageLimit = (limit: number | undefined): number => {
  if (limit === undefined) return DEFAULT_LIMIT;
  if (!Number.isInteger(limit) || limit < 1) fail('invalid_request', 'The limit must be a positive integer.');
  return Math.min(limit, MAX_LIMIT);
};

/** Cuts the `limit + 1` rows a store returned into the page and the cursor of the next one (null at the end). */
export const cutPage = <R>(rows: readonly R[], limit: number, keyOf: (row: R) => PageKey): { rows: R[]; next_cursor: string | null } => {
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  return { rows: page, next_cursor: rows.length > limit && last !== undefined ? encodeCursor(keyOf(last)) : null };
};
