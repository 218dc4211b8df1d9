import type { LandingMessageKey } from './landing-en.js';

/** Français : la page d’accueil (issue 17 §1) ; le compilateur refuse un message manquant. */
export const landingFr: Record<LandingMessageKey, string> = {
  'landing.title': 'Service de connexion',
  'landing.heading': 'Connexion à {product}',
  'landing.intro': 'Les applications vous envoient ici pour vous connecter avec votre compte {product}. Pour vous connecter, ouvrez l’application que vous souhaitez utiliser.',
  'landing.account': 'Où suis-je connecté ? Voir vos appareils et les déconnecter',
  'landing.developers': 'Pour les développeurs',
  'landing.issuer': 'Émetteur (issuer)',
  'landing.discovery': 'Document de découverte OpenID Connect',
};
