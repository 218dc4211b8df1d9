import type { MessageKey } from './en.js';
import { pagesDe } from './pages-de.js';

/** Deutsch. A key left out here is shown in English. */
export const de: Partial<Record<MessageKey, string>> = {
  ...pagesDe,
  'sessions.title': 'Wo Sie angemeldet sind',
  'sessions.intro': 'Auf diesen Geräten und Browsern ist {account} angemeldet. Wenn Sie eines nicht kennen, melden Sie es ab.',
  'sessions.switch': 'Konto',
  'sessions.switch.button': 'Anzeigen',
  'sessions.this_device': 'Dieses Gerät',
  'sessions.unknown_browser': 'Unbekannter Browser',
  'sessions.unknown_os': 'unbekanntes System',
  'sessions.device.mobile': 'Telefon',
  'sessions.device.tablet': 'Tablet',
  'sessions.device.desktop': 'Computer',
  'sessions.ip': 'IP-Adresse',
  'sessions.signed_in_at': 'Angemeldet',
  'sessions.last_active': 'Zuletzt aktiv',
  'sessions.apps': 'Angemeldet bei',
  'sessions.apps.none': 'noch keiner Anwendung',
  'sessions.end': 'Dieses Gerät abmelden',
  'sessions.end_others': 'Alle anderen Geräte abmelden',
  'sessions.end_here': 'Hier abmelden',
  'sessions.none_other': 'Sie sind nirgendwo sonst angemeldet.',
  'sessions.ended_one': 'Das Gerät ist abgemeldet. Seine Anwendungen wurden benachrichtigt.',
  'sessions.ended_others': '{count} andere Geräte sind abgemeldet. Ihre Anwendungen wurden benachrichtigt.',
  'sessions.not_found': 'Nichts wurde abgemeldet: Diese Sitzung gehört nicht zu Ihrem Konto oder ist bereits beendet.',
  'sessions.browser_on_os': '{browser} unter {os}',
  'sessions.device': 'Gerät',
  'sessions.device.other': 'Gerät',
  'sessions.signin_needed': 'Melden Sie sich an, um zu sehen, wo Sie angemeldet sind.',
  'sessions.csrf': 'Nichts wurde abgemeldet: Das Formular war abgelaufen. Bitte versuchen Sie es erneut.',
};
