import { landingEn } from './landing-en.js';
import { pagesEn } from './pages-en.js';
import { resetEn } from './reset-en.js';

/**
 * The English catalogue: every message a page shows, by key. It is the reference: another
 * language may leave a key out, and English is shown for it (issue 13 §2), never the key.
 * `{name}` is a parameter.
 */
export const en = {
  // The sign-in, chooser, consent, logout and error pages (issue 13 §2): pages-en.ts
  ...pagesEn,
  // The password-reset pages and the mail (issue 17 §4): reset-en.ts
  ...resetEn,
  // The landing page at the issuer's root (issue 17 §1): landing-en.ts
  ...landingEn,
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
  'sessions.factor.upstream': 'Sign-in provider',
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
  // The security page (issue 14 §2)
  'sessions.security_link': 'Sign-in security: passkeys and authenticator apps',
  'security.title': 'Sign-in security',
  'security.intro': 'A second step when {account} signs in: a passkey, or a code from an authenticator app.',
  'security.methods': 'Your second steps',
  'security.none': 'No second step is set up yet.',
  'security.kind.totp': 'Authenticator app',
  'security.kind.passkey': 'Passkey',
  'security.passkey.synced': 'Passkey, synced across your devices',
  'security.kind': 'Type',
  'security.added': 'Added',
  'security.last_used': 'Last used',
  'security.never_used': 'not yet',
  'security.remove': 'Remove',
  'security.removed': 'It is removed: it no longer signs you in.',
  'security.not_found': 'Nothing was changed: that is not one of your sign-in methods.',
  'security.csrf': 'Nothing was changed: the form had expired. Please try again.',
  'security.label': 'Name',
  'security.bad_label': 'Nothing was added: give it a name of 1 to 64 characters.',
  'security.totp.heading': 'Authenticator app',
  'security.totp.default_label': 'Authenticator app',
  'security.totp.start': 'Set up an authenticator app',
  'security.totp.scan': 'Scan this code with your authenticator app, or type the key below into it. Then enter the 6-digit code it shows.',
  'security.totp.qr': 'QR code for your authenticator app',
  'security.totp.secret': 'Key',
  'security.totp.code': 'Code from the app',
  'security.totp.confirm': 'Confirm',
  'security.totp.wrong': 'That code is not right. Check the time on your phone and enter the code it shows now.',
  'security.totp.done': 'Your authenticator app is set up.',
  'security.passkey.heading': 'Passkeys',
  'security.passkey.default_label': 'Passkey',
  'security.passkey.add': 'Add a passkey',
  'security.passkey.done': 'Your passkey is added.',
  'security.passkey.failed': 'No passkey was added. Please try again.',
  'security.recovery.heading': 'Recovery codes',
  'security.recovery.left': 'Recovery codes left: {count}.',
  'security.recovery.new': 'Make new recovery codes',
  'security.recovery.shown_once': 'Keep these codes somewhere safe. Each one signs you in once if you lose your second step. They are shown only now.',
} as const;

export type MessageKey = keyof typeof en;
