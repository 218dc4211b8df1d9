import { pagesEn } from './pages-en.js';

/**
 * The English catalogue: every message a page shows, by key. It is the reference: another
 * language may leave a key out, and English is shown for it (issue 13 §2), never the key.
 * `{name}` is a parameter.
 */
export const en = {
  // The sign-in, chooser, consent, logout and error pages (issue 13 §2): pages-en.ts
  ...pagesEn,
  // The devices page (issue 13 §1)
  'sessions.title': 'Where you are signed in',
  'sessions.intro': 'These are the devices and browsers where {account} is signed in. If you do not recognise one, sign it out.',
  'sessions.switch': 'Account',
  'sessions.switch.button': 'Show',
  'sessions.this_device': 'This device',
  'sessions.unknown_browser': 'Unknown browser',
  'sessions.unknown_os': 'unknown system',
  'sessions.device.mobile': 'Phone',
  'sessions.device.tablet': 'Tablet',
  'sessions.device.desktop': 'Computer',
  'sessions.ip': 'IP address',
  'sessions.signed_in_at': 'Signed in',
  'sessions.factors': 'Verified with',
  'sessions.factor.password': 'Password',
  'sessions.factor.totp': 'Authenticator app code',
  'sessions.factor.recovery_code': 'Recovery code',
  'sessions.factor.passkey': 'Passkey',
  'sessions.last_active': 'Last active',
  'sessions.apps': 'Signed in to',
  'sessions.apps.none': 'no application yet',
  'sessions.end': 'Sign out this device',
  'sessions.end_others': 'Sign out all other devices',
  'sessions.end_here': 'Sign out here',
  'sessions.none_other': 'You are not signed in anywhere else.',
  'sessions.ended_one': 'That device is signed out. Its applications have been told.',
  'sessions.ended_others': '{count} other devices are signed out. Their applications have been told.',
  'sessions.not_found': 'Nothing was signed out: that session is not one of yours, or it has already ended.',
  'sessions.browser_on_os': '{browser} on {os}',
  'sessions.device': 'Device',
  'sessions.device.other': 'Device',
  'sessions.signin_needed': 'Sign in to see where you are signed in.',
  'sessions.csrf': 'Nothing was signed out: the form had expired. Please try again.',
} as const;

export type MessageKey = keyof typeof en;
