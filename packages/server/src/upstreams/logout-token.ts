import { errors, jwtVerify } from 'jose';
import type { UpstreamVerification } from './registry.js';

/**
 * An upstream's logout token, validated as OpenID Connect Back-Channel Logout 1.0 §2.6 requires
 * (issue 15 §2 "Inbound"), with jose: nothing here is hand-rolled cryptography.
 */

/** Larger tokens are refused before parsing (an RSA-signed logout token is well under 2 KB). */
export const MAX_LOGOUT_TOKEN_LENGTH = 16 * 1024;
/** Clock skew allowed on iat and exp, in seconds. */
export const LOGOUT_TOKEN_SKEW = 60;
/**
 * How old (by iat) a logout token may be. §2.6 validates iat "in the same way it is validated in
 * ID Tokens" (OIDC Core §3.1.3.7 step 10: tokens issued too far away from now may be rejected);
 * the bound also bounds how long a jti must be remembered when the token has no exp.
 */
export const LOGOUT_TOKEN_MAX_AGE = 10 * 60;

export const BACKCHANNEL_LOGOUT_EVENT = 'http://schemas.openid.net/event/backchannel-logout';

export type LogoutTokenResult =
  | { ok: true; sid?: string | undefined; sub?: string | undefined; jti: string; rememberUntil: number }
  | { ok: false; reason: string };

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const text = (v: unknown): v is string => typeof v === 'string' && v.length > 0 && v.length <= 255;

/** §2.4: `logout+jwt` recommended (RFC 8725 §3.11), optionally as `application/logout+jwt` (RFC 7515 §4.1.9); `JWT` or none allowed. */
const acceptableTyp = (typ: unknown): boolean =>
  typ === undefined || (typeof typ === 'string' && ['jwt', 'logout+jwt', 'application/logout+jwt'].includes(typ.toLowerCase()));

/**
 * §2.6, in order: (1) a JWS — JWE is not used here — (2) signed with a key of the upstream's
 * JWKS, with an asymmetric algorithm it advertises (`alg` never `none`, never HS*: the client
 * secret is not a logout key); (3) `iss`, `aud` (contains Signoff's client_id there) and `iat`
 * validated as for ID tokens, `exp` if present not passed; (4) `sub` and/or `sid`; (5) `events`
 * with the back-channel logout member, a JSON object; (6) no `nonce`; (7) `jti` present — its
 * replay check (step 8 is the caller's, through the store) needs `rememberUntil`.
 */
export const validateLogoutToken = async (token: string, v: UpstreamVerification, clientId: string, now: number): Promise<LogoutTokenResult> => {
  const refuse = (reason: string): LogoutTokenResult => ({ ok: false, reason });
  if (token.length > MAX_LOGOUT_TOKEN_LENGTH) return refuse('the logout token is too large');
  if (token.split('.').length !== 3) return refuse('the logout token is not a signed JWT (JWS compact serialization)');
  if (v.algorithms.length === 0) return refuse('the upstream advertises no asymmetric signing algorithm');
  let payload: Record<string, unknown>;
  let typ: unknown;
  try {
    const verified = await jwtVerify(token, v.keys, {
      algorithms: v.algorithms,
      issuer: v.issuer,
      audience: clientId,
      requiredClaims: ['iat'],
      clockTolerance: LOGOUT_TOKEN_SKEW,
      maxTokenAge: LOGOUT_TOKEN_MAX_AGE,
      currentDate: new Date(now * 1000),
    });
    payload = verified.payload;
    typ = verified.protectedHeader.typ;
  } catch (err) {
    if (err instanceof errors.JWTClaimValidationFailed) return refuse(`claim "${err.claim}": ${err.message}`);
    if (err instanceof errors.JWTExpired) return refuse('the logout token has expired');
    if (err instanceof errors.JOSEAlgNotAllowed) return refuse('the logout token is not signed with an algorithm the upstream advertises');
    if (err instanceof errors.JWKSNoMatchingKey || err instanceof errors.JWSSignatureVerificationFailed) return refuse("the logout token's signature does not verify with the upstream's keys");
    if (err instanceof errors.JOSEError) return refuse(`the logout token is invalid: ${err.message}`);
    throw err;
  }
  if (!acceptableTyp(typ)) return refuse('the logout token has an unexpected typ header');
  const iat = payload.iat as number;
  if (iat > now + LOGOUT_TOKEN_SKEW) return refuse('claim "iat": issued in the future');
  const sid = payload.sid;
  const sub = payload.sub;
  if (sid !== undefined && !text(sid)) return refuse('claim "sid" must be a string');
  if (sub !== undefined && !text(sub)) return refuse('claim "sub" must be a string');
  if (sid === undefined && sub === undefined) return refuse('the logout token names neither sid nor sub');
  const events = payload.events;
  if (!isObject(events) || !isObject(events[BACKCHANNEL_LOGOUT_EVENT])) return refuse(`claim "events" must contain ${BACKCHANNEL_LOGOUT_EVENT} with a JSON object value`);
  if ('nonce' in payload) return refuse('a logout token must not contain a nonce');
  if (!text(payload.jti)) return refuse('claim "jti" is required');
  const exp = typeof payload.exp === 'number' ? payload.exp : 0;
  return { ok: true, sid, sub, jti: payload.jti, rememberUntil: Math.max(exp, iat + LOGOUT_TOKEN_MAX_AGE) + LOGOUT_TOKEN_SKEW };
};
