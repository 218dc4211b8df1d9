/**
 * The factors a session was authenticated with, each with the time it was verified (Okta's
 * `lastFactorVerification`, Auth0's `authentication.methods`; issue 14 §2), and the RFC 8176
 * Authentication Method Reference values they amount to.
 */

export const FACTOR_METHODS = ['password', 'totp', 'recovery_code', 'passkey', 'upstream'] as const;
export type FactorMethod = (typeof FACTOR_METHODS)[number];

export interface VerifiedFactor {
  method: FactorMethod;
  /** When it was verified (seconds since the epoch). */
  at: number;
  /** A passkey's authenticator verified the user (PIN or biometric: WebAuthn §6.1 flag UV). */
  userVerified?: boolean | undefined;
  /** A passkey bound to one device (WebAuthn §6.1.3 backup eligibility not set), not a synced one. */
  deviceBound?: boolean | undefined;
  /** A sign-in through an upstream provider (issue 15 §1): its id, and the RFC 8176 values its ID token stated. */
  upstream?: string | undefined;
  amr?: string[] | undefined;
  /** The level of the upstream's `acr`, when it is one of Signoff's configured values (an upstream Signoff, or an operator who configured the upstream's values). */
  level?: 'password' | 'mfa' | 'phishing-resistant' | undefined;
}

/** The RFC 8176 §2 registry: what an upstream's `amr` may carry over (anything else is dropped). */
const RFC8176 = ['face', 'fpt', 'geo', 'hwk', 'iris', 'kba', 'mca', 'mfa', 'otp', 'pin', 'pop', 'pwd', 'rba', 'retina', 'sc', 'sms', 'swk', 'tel', 'user', 'vbm', 'wia'];

/** An upstream's `amr` claim as a factor keeps it: registered values only, each once. */
export const carriedAmr = (amr: unknown): string[] => (Array.isArray(amr) ? [...new Set(amr.filter((v): v is string => typeof v === 'string' && RFC8176.includes(v)))] : []);

/** RFC 8176 §2 values of one factor: a passkey is proof of possession of a key, hardware- or software-secured. */
const amrOfFactor = (f: VerifiedFactor): string[] => {
  switch (f.method) {
    case 'password':
      return ['pwd'];
    // A recovery code is a one-time password as RFC 8176 §2 defines `otp` (RFC 4949).
    case 'totp':
    case 'recovery_code':
      return ['otp'];
    case 'passkey':
      return [f.deviceBound ? 'hwk' : 'swk', 'pop', ...(f.userVerified ? ['user'] : [])];
    // RFC 8176 §2 `fed`: a federated assertion, with what the upstream said it verified.
    case 'upstream':
      return ['fed', ...(f.amr ?? [])];
  }
};

/**
 * The categories of NIST SP 800-63B §4 a factor stands for. A passkey verified with the user's
 * PIN or biometric is two (the authenticator is possessed, the user is verified on it), so it
 * alone is multi-factor (WebAuthn §6.2.3; NIST SP 800-63B §5.1.9 multi-factor cryptographic device).
 */
const categoriesOf = (f: VerifiedFactor): string[] => {
  if (f.method === 'password') return ['knowledge'];
  if (f.method === 'upstream') return f.level === 'mfa' || f.level === 'phishing-resistant' ? ['knowledge', 'possession'] : upstreamCategories(f.amr ?? []);
  if (f.method === 'passkey' && f.userVerified) return ['possession', 'verified'];
  return ['possession'];
};

/**
 * What an upstream sign-in stands for, as its `amr` states it (issue 15 §1: carried over): `mfa`
 * is two categories; otherwise each value's category. An upstream that says nothing is one factor
 * of its own kind, so one local factor of any kind beside it makes two.
 */
const upstreamCategories = (amr: readonly string[]): string[] => {
  if (amr.includes('mfa')) return ['knowledge', 'possession'];
  const categories = new Set<string>();
  for (const v of amr) {
    if (['pwd', 'pin', 'kba'].includes(v)) categories.add('knowledge');
    else if (['otp', 'sms', 'tel', 'hwk', 'swk', 'sc', 'pop'].includes(v)) categories.add('possession');
    else if (['fpt', 'face', 'iris', 'retina', 'vbm', 'user'].includes(v)) categories.add('inherence');
  }
  return categories.size > 0 ? [...categories] : ['federated'];
};

/** True when the factors span two categories: RFC 8176 `mfa`. */
export const isMultiFactor = (factors: readonly VerifiedFactor[]): boolean => new Set(factors.flatMap(categoriesOf)).size >= 2;

/** The RFC 8176 `amr` of a session: each factor's values, once, and `mfa` when they span two categories. */
export const amrOf = (factors: readonly VerifiedFactor[]): string[] => {
  const values = new Set(factors.flatMap(amrOfFactor));
  if (isMultiFactor(factors)) values.add('mfa');
  return [...values];
};

/**
 * Adds newly verified factors to a session's: a method verified again replaces its older entry,
 * so each method appears once with the time it was last verified.
 */
export const withFactors = (current: readonly VerifiedFactor[], added: readonly VerifiedFactor[]): VerifiedFactor[] => [
  ...current.filter((f) => !added.some((a) => a.method === f.method)),
  ...added,
];

/**
 * A stored session's factors. Sessions signed in before factors were recorded hold `[]` and the
 * amr they had: a password one counts as a password verified at its auth_time, so a step-up asks
 * it for the second factor only.
 */
export const storedFactors = (raw: unknown, amr: readonly string[], authTime: number): VerifiedFactor[] => {
  const factors = parseFactors(raw);
  return factors.length === 0 && amr.includes('pwd') ? [{ method: 'password', at: authTime }] : factors;
};

/** Parses the stored JSON of a session's factors, dropping anything that is not one (older rows hold `[]`). */
export const parseFactors = (raw: unknown): VerifiedFactor[] => {
  const parsed: unknown = typeof raw === 'string' ? JSON.parse(raw) : raw;
  if (!Array.isArray(parsed)) return [];
  return parsed.filter(
    (f): f is VerifiedFactor =>
      typeof f === 'object' && f !== null && (FACTOR_METHODS as readonly string[]).includes((f as VerifiedFactor).method) && typeof (f as VerifiedFactor).at === 'number',
  );
};
