import type { Client } from '../../clients/store.js';
import { type VerifiedFactor, isMultiFactor } from '../../sessions/factors.js';
import type { AuthorizationRequest } from './request.js';

/**
 * Authentication levels and the `acr` values that name them (OIDC Core §2, §3.1.2.1 `acr_values`,
 * §5.5.1.1 the `acr` claim request). The provider's values are configured in order, lowest
 * first, each saying the level it stands for (issue 14 §2); the defaults are DESIGN.md's.
 */
export const ACR_LEVELS = ['password', 'mfa', 'phishing-resistant'] as const;
export type AcrLevel = (typeof ACR_LEVELS)[number];

export interface AcrValue {
  value: string;
  level: AcrLevel;
}

export const DEFAULT_ACR_VALUES: readonly AcrValue[] = [
  { value: 'urn:signoff:acr:password', level: 'password' },
  { value: 'urn:signoff:acr:mfa', level: 'mfa' },
  { value: 'urn:signoff:acr:phishing-resistant', level: 'phishing-resistant' },
];

const rank = (level: AcrLevel): number => ACR_LEVELS.indexOf(level);

/**
 * The level factors reach: phishing-resistant takes a passkey (its signature is bound to this
 * origin, WebAuthn §13.4.4) within a multi-factor authentication; mfa two categories of factor
 * (NIST SP 800-63B §4.2); anything else one factor.
 */
export const levelOf = (factors: readonly VerifiedFactor[]): AcrLevel | undefined => {
  if (factors.length === 0) return undefined;
  if (!isMultiFactor(factors)) return 'password';
  // An upstream whose acr names Signoff's phishing-resistant value vouches for it (issue 15 §1: carried over).
  return factors.some((f) => f.method === 'passkey' || (f.method === 'upstream' && f.level === 'phishing-resistant')) ? 'phishing-resistant' : 'mfa';
};

export const meetsLevel = (reached: AcrLevel | undefined, wanted: AcrLevel): boolean => reached !== undefined && rank(reached) >= rank(wanted);

/** The `acr` a session's factors earn: the highest configured value at or below their level; "0" (OIDC Core §2) when none is. */
export const acrOf = (values: readonly AcrValue[], factors: readonly VerifiedFactor[]): string => {
  const reached = levelOf(factors);
  const earned = values.filter((v) => meetsLevel(reached, v.level));
  return earned.at(-1)?.value ?? '0';
};

/**
 * What an authorization request asks of the authentication (issue 14 §3):
 * - `must`: the level that has to be met or the request fails — the client's `require_acr` (a
 *   floor the request cannot lower) and an essential `acr` claim request (OIDC Core §5.5.1.1);
 * - `want`: the level asked for voluntarily — `acr_values`, else the client's `default_acr_values`;
 *   the provider tries to meet it and may answer with less (OIDC Core §3.1.2.1 "voluntary");
 * - `maxFactorAge`: the client's `max_factor_age`: a factor other than the password older than
 *   that does not count.
 * Each list is met by its lowest known value (any of them satisfies the request); an essential
 * request whose values are all unknown cannot be met at all (`impossible`).
 */
export interface AcrRequirement {
  must?: AcrLevel | undefined;
  want?: AcrLevel | undefined;
  maxFactorAge?: number | undefined;
  impossible?: string | undefined;
}

const lowestKnown = (values: readonly AcrValue[], asked: readonly string[]): AcrLevel | undefined =>
  values.find((v) => asked.includes(v.value))?.level;

const higher = (a: AcrLevel | undefined, b: AcrLevel | undefined): AcrLevel | undefined =>
  a === undefined ? b : b === undefined ? a : rank(a) >= rank(b) ? a : b;

export const requirementOf = (values: readonly AcrValue[], request: AuthorizationRequest, client: Client): AcrRequirement => {
  const floor = client.require_acr === undefined ? undefined : lowestKnown(values, [client.require_acr]);
  const essential = request.acrEssential ? request.acrValues ?? [] : [];
  const voluntary = request.acrEssential ? [] : request.acrValues ?? client.default_acr_values ?? [];
  const essentialLevel = lowestKnown(values, essential);
  const must = higher(floor, essentialLevel);
  let impossible: string | undefined;
  if (client.require_acr !== undefined && floor === undefined) impossible = `The application requires the unknown acr "${client.require_acr}".`;
  if (essential.length > 0 && essentialLevel === undefined) impossible = `None of the essential acr values requested is supported (${values.map((v) => v.value).join(', ')}).`;
  return { must, want: higher(must, lowestKnown(values, voluntary)), maxFactorAge: client.max_factor_age, impossible };
};

/**
 * The factors that still count at `now` under a max_factor_age: the first factor — the password
 * or the upstream sign-in — always (max_age governs it), the others while recent.
 */
export const countingFactors = (factors: readonly VerifiedFactor[], maxFactorAge: number | undefined, now: number): VerifiedFactor[] =>
  maxFactorAge === undefined ? [...factors] : factors.filter((f) => f.method === 'password' || f.method === 'upstream' || now - f.at <= maxFactorAge);
