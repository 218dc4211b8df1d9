/** Scopes this provider understands (OIDC Core §5.4 for profile/email, §11 for offline_access). */
export const SUPPORTED_SCOPES: readonly string[] = ['openid', 'profile', 'email', 'offline_access'];

/** The claims each scope releases (OIDC Core §5.4). */
export const SCOPE_CLAIMS: Readonly<Record<string, readonly string[]>> = {
  profile: [
    'name', 'family_name', 'given_name', 'middle_name', 'nickname', 'preferred_username', 'profile',
    'picture', 'website', 'gender', 'birthdate', 'zoneinfo', 'locale', 'updated_at',
  ],
  email: ['email', 'email_verified'],
};

export const CLAIMS_SUPPORTED: readonly string[] = [
  'sub', 'iss', 'aud', 'exp', 'iat', 'auth_time', 'nonce', 'acr', 'amr', 'sid', 'azp', 'at_hash',
  ...Object.values(SCOPE_CLAIMS).flat(),
];

/** The claims of `claims` released by `scopes`. */
export const claimsForScopes = (scopes: readonly string[], claims: Readonly<Record<string, unknown>>): Record<string, unknown> => {
  const out: Record<string, unknown> = {};
  for (const scope of scopes) {
    for (const name of SCOPE_CLAIMS[scope] ?? []) {
      if (claims[name] !== undefined) out[name] = claims[name];
    }
  }
  return out;
};
