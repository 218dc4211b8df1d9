import { type JWTPayload, SignJWT, decodeProtectedHeader, jwtVerify } from 'jose';
import type { Alg, KeyRing } from './keys.js';

/** Signs claims with the provider's current key for `alg`, with the given `typ` header. */
export const signJwt = async (keys: KeyRing, alg: Alg, claims: JWTPayload, typ?: string): Promise<string> => {
  const { kid, key } = await keys.signingKey(alg);
  return new SignJWT(claims).setProtectedHeader(typ ? { alg, kid, typ } : { alg, kid }).sign(key);
};

/**
 * Verifies a JWT this provider issued: signature by one of its keys (by `kid`), issuer, and
 * optionally `typ` and expiry. Returns undefined for anything that does not verify. A store that
 * cannot be read is not a token that does not verify: its error goes up (a 503, issue 11 §2),
 * so a client is not told that a good token is invalid while the database is away.
 */
export const verifyOwnJwt = async (
  keys: KeyRing,
  token: string,
  opts: { issuer: string; typ?: string; ignoreExpiry?: boolean; nowSeconds: number },
): Promise<JWTPayload | undefined> => {
  let header: ReturnType<typeof decodeProtectedHeader>;
  try {
    header = decodeProtectedHeader(token);
  } catch {
    return undefined;
  }
  if (typeof header.kid !== 'string') return undefined;
  const entry = await keys.verificationKey(header.kid);
  if (!entry || header.alg !== entry.alg) return undefined;
  try {
    const { payload } = await jwtVerify(token, entry.key, {
      issuer: opts.issuer,
      algorithms: [entry.alg],
      currentDate: new Date(opts.nowSeconds * 1000),
      ...(opts.typ ? { typ: opts.typ } : {}),
      ...(opts.ignoreExpiry ? { clockTolerance: Number.MAX_SAFE_INTEGER } : {}),
    });
    return payload;
  } catch {
    return undefined;
  }
};
