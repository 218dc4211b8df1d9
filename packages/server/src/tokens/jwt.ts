import { type JWTPayload, SignJWT, decodeProtectedHeader, jwtVerify } from 'jose';
import type { Alg, KeyRing } from './keys.js';

/** Signs claims with the provider's current key for `alg`, with the given `typ` header. */
export const signJwt = async (keys: KeyRing, alg: Alg, claims: JWTPayload, typ?: string): Promise<string> => {
  const { kid, key } = await keys.signingKey(alg);
  return new SignJWT(claims).setProtectedHeader(typ ? { alg, kid, typ } : { alg, kid }).sign(key);
};

/**
 * Verifies a JWT this provider issued: signature by one of its keys (by `kid`), issuer, and
 * optionally `typ` and expiry. Returns undefined for anything that does not verify.
 */
export const verifyOwnJwt = async (
  keys: KeyRing,
  token: string,
  opts: { issuer: string; typ?: string; ignoreExpiry?: boolean; nowSeconds: number },
): Promise<JWTPayload | undefined> => {
  try {
    const header = decodeProtectedHeader(token);
    const entry = await keys.verificationKey(header.kid);
    if (!entry || header.alg !== entry.alg) return undefined;
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
