/**
 * The English messages of the landing page at the issuer's root (issue 17 §1), spread into the
 * reference catalogue (en.ts). `{name}` is a parameter.
 */
export const landingEn = {
  'landing.title': 'Sign-in service',
  'landing.heading': '{product} sign-in',
  'landing.intro': 'Applications send you here to sign in with your {product} account. To sign in, open the application you want to use.',
  'landing.account': 'Where am I signed in? See your devices and sign them out',
  'landing.developers': 'For developers',
  'landing.issuer': 'Issuer',
  'landing.discovery': 'OpenID Connect discovery document',
} as const;

export type LandingMessageKey = keyof typeof landingEn;
