import type { MessageKey } from './en.js';
import { pagesFr } from './pages-fr.js';

/** Français. A key left out here is shown in English. */
export const fr: Partial<Record<MessageKey, string>> = {
  ...pagesFr,
  'sessions.title': 'Où vous êtes connecté',
  'sessions.intro': 'Voici les appareils et navigateurs sur lesquels {account} est connecté. Si vous n’en reconnaissez pas un, déconnectez-le.',
  'sessions.switch': 'Compte',
  'sessions.switch.button': 'Afficher',
  'sessions.this_device': 'Cet appareil',
  'sessions.unknown_browser': 'Navigateur inconnu',
  'sessions.unknown_os': 'système inconnu',
  'sessions.device.mobile': 'Téléphone',
  'sessions.device.tablet': 'Tablette',
  'sessions.device.desktop': 'Ordinateur',
  'sessions.ip': 'Adresse IP',
  'sessions.signed_in_at': 'Connecté le',
  'sessions.last_active': 'Dernière activité',
  'sessions.apps': 'Connecté à',
  'sessions.apps.none': 'aucune application pour l’instant',
  'sessions.end': 'Déconnecter cet appareil',
  'sessions.end_others': 'Déconnecter tous les autres appareils',
  'sessions.end_here': 'Se déconnecter ici',
  'sessions.none_other': 'Vous n’êtes connecté nulle part ailleurs.',
  'sessions.ended_one': 'Cet appareil est déconnecté. Ses applications ont été prévenues.',
  'sessions.ended_others': '{count} autres appareils sont déconnectés. Leurs applications ont été prévenues.',
  'sessions.not_found': 'Rien n’a été déconnecté : cette session n’est pas la vôtre, ou elle est déjà terminée.',
  'sessions.browser_on_os': '{browser} sous {os}',
  'sessions.device': 'Appareil',
  'sessions.device.other': 'Appareil',
  'sessions.signin_needed': 'Connectez-vous pour voir où vous êtes connecté.',
  'sessions.csrf': 'Rien n’a été déconnecté : le formulaire avait expiré. Veuillez réessayer.',
};
