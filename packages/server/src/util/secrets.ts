import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * Random bytes for tokens come from a pool that the CSPRNG refills 4 KiB at a time, as Node's own
 * randomUUID does: on an SSO authorization each call to randomBytes (the code, the session_state
 * salt) cost more than the bytes themselves (issue 18 P1, 3% of the run in a --cpu-prof profile).
 * Every byte is handed out once; a request larger than the pool goes to the CSPRNG directly.
 */
const POOL_SIZE = 4096;
let pool = Buffer.alloc(0);
let used = 0;
const randomSlice = (bytes: number): Buffer => {
  if (bytes > POOL_SIZE) return randomBytes(bytes);
  if (used + bytes > pool.length) {
    pool = randomBytes(POOL_SIZE);
    used = 0;
  }
  const slice = pool.subarray(used, used + bytes);
  used += bytes;
  return slice;
};

/** A URL-safe random string with `bytes` bytes of entropy (default 32 = 256 bits). */
export const randomToken = (bytes = 32): string => randomSlice(bytes).toString('base64url');

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
