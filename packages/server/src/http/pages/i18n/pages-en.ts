/**
 * The English messages of the sign-in, account chooser, consent, logout and error pages (issue
 * 13 §2), spread into the reference catalogue (en.ts). `{name}` is a parameter.
 */
export const pagesEn = {
  // Every page
  'page.support': 'Help and support',
  'page.sessions_link': 'Where am I signed in?',
  'page.to_continue': 'to continue to {client}',

  // Sign-in
  'login.title': 'Sign in',
  'login.heading': 'Sign in',
  'login.username': 'Username',
  'login.password': 'Password',
  'login.show_password': 'Show password',
  'login.remember': 'Keep me signed in',
  'login.remember_hint': 'You stay signed in on this device after closing the browser. Do not use this on a shared or public computer.',
  'login.submit': 'Sign in',
  'login.forgot_password': 'Forgot password?',
  'login.error.invalid': 'Invalid username or password.',
  'login.error.other_account': 'The application asked for a different account. Sign in with that account.',
  'login.passkey': 'Sign in with a passkey',
  'login.error.upstream': 'Signing in with that provider did not complete. Try again, or sign in another way.',
  'login.upstream': 'Sign in with {provider}',
  'login.upstreams': 'Or sign in with',
  'passkey.failed': 'The passkey could not be used. Try again, or sign in another way.',

  // Second factor (issue 14 §2)
  'factor.title': 'Verify it is you',
  'factor.heading': 'One more step',
  'factor.intro': '{client} asks for a second factor for {user}.',
  'factor.passkey': 'Use your passkey',
  'factor.totp_label': 'Code from your authenticator app',
  'factor.totp_submit': 'Verify',
  'factor.recovery': 'Use a recovery code instead',
  'factor.recovery_label': 'Recovery code',
  'factor.recovery_submit': 'Use recovery code',
  'factor.error.invalid': 'That did not work. Check it and try again.',

  // Account chooser
  'choose.title': 'Choose an account',
  'choose.heading': 'Choose an account',
  'choose.another': 'Use another account',

  // Consent
  'consent.title': 'Allow access',
  'consent.heading': 'Allow {client}?',
  'consent.signed_in_as': 'Signed in as {user}',
  'consent.would_like': '{client} would like to:',
  'consent.scope.openid': 'Know who you are',
  'consent.scope.profile': 'See your name and profile',
  'consent.scope.email': 'See your email address',
  'consent.scope.offline_access': 'Stay connected when you are not using it',
  'consent.policy': 'Privacy policy of {client}',
  'consent.tos': 'Terms of service of {client}',
  'consent.allow': 'Allow',
  'consent.deny': 'Deny',

  // Logout confirmation (RP-Initiated Logout 1.0 §2)
  'logout.title': 'Sign out',
  'logout.heading': 'Sign out?',
  'logout.asked_by': '{client} asked to sign you out.',
  'logout.choices': 'What to sign out',
  'logout.scope.session': 'Sign out {account} on this browser',
  'logout.scope.browser': 'Sign out all {count} accounts on this browser',
  'logout.scope.everywhere': 'Sign out {account} on every device',
  'logout.scope.others': 'Sign out of my other devices, stay signed in here',
  'logout.submit': 'Sign out',
  'logout.stay': 'Stay signed in',

  // After signing out (Front-Channel Logout 1.0 §3)
  'signed_out.title': 'Signed out',
  'signed_out.heading': 'You are signed out',
  'signed_out.notifying': 'Signing you out of your applications…',
  'signed_out.done': 'You are signed out.',
  'signed_out.close': 'You can close this page.',
  'signed_out.continue': 'Continue',
  'signed_out.upstream_remains': 'You are signed out here, but your session at {providers} may still be active: that provider offers no way to sign out from here. Sign out there too, or close the browser.',
  'signed_out.frame': 'sign-out notice',

  // "Sign out of my other devices"
  'others_out.title': 'Other devices signed out',
  'others_out.heading': 'Your other devices are signed out',
  'others_out.body': 'You are still signed in on this browser. The applications on your other devices have been told.',
  'others_out.none': 'You were not signed in on any other device. Nothing was changed.',

  // "Stay signed in"
  'still.title': 'Still signed in',
  'still.heading': 'You are still signed in',
  'still.body': 'Nothing was changed. You can close this page.',

  // Errors (the OAuth error code is shown as it is)
  'error.title': 'Something went wrong',
  'error.heading': 'Something went wrong',
  'error.code': 'Error:',
  'error.request': 'Request:',
  'error.close': 'You can close this page and return to the application.',

  // OAuth 2.0 Form Post Response Mode
  'form_post.title': 'Continue',
  'form_post.heading': 'Returning to the application…',
  'form_post.continue': 'Continue',
} as const;

export type PageMessageKey = keyof typeof pagesEn;
