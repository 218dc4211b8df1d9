import type { LandingMessageKey } from './landing-en.js';

/** Deutsch: the landing page (issue 17 §1); the compiler refuses a missing message. */
export const landingDe: Record<LandingMessageKey, string> = {
  'landing.title': 'Anmeldedienst',
  'landing.heading': 'Anmeldung bei {product}',
  'landing.intro': 'Anwendungen leiten Sie hierher, damit Sie sich mit Ihrem {product}-Konto anmelden. Um sich anzumelden, öffnen Sie die Anwendung, die Sie verwenden möchten.',
  'landing.account': 'Wo bin ich angemeldet? Ihre Geräte ansehen und abmelden',
  'landing.developers': 'Für Entwickler',
  'landing.issuer': 'Aussteller (Issuer)',
  'landing.discovery': 'OpenID-Connect-Discovery-Dokument',
};
