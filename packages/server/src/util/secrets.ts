import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** A URL-safe random string with `bytes` bytes of entropy (default 32 = 256 bits). */
export const randomToken = (bytes = 32): string => randomBytes(bytes).toString('base64url');

/** Whether a value has the shape randomToken() gives with its default 32 bytes (43 base64url characters): anything else is refused before a lookup. */
export const isRandomToken = (value: string): boolean => /^[A-Za-z0-9_-]{43}$/.test(value);

/** SHA-256 as base64url: how every bearer secret is kept at rest (codes, tokens, cookies). */
export const sha256 = (value: string): string => createHash('sha256').update(value).digest('base64url');

/**
 * Compares two secrets in time independent of their content and length: both sides are hashed
 * to equal-length digests first, then compared with timingSafeEqual.
 */
export const constantTimeEqual = (a: string, b: string): boolean =>
  timingSafeEqual(createHash('sha256').update(a).digest(), createHash('sha256').update(b).digest());
