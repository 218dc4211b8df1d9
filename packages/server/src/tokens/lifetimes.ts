/**
 * Lifetimes of signed tokens that the provider fixes rather than reads from the configuration.
 * They live beside the key ring because a retired key stays published until the longest-lived
 * token it signed has expired (keys.ts, publicationWindow).
 */

/** Back-Channel Logout 1.0 §2.4 (errata 2023): `exp` is required; two minutes is the lifetime the specification recommends. */
export const LOGOUT_TOKEN_TTL_SECONDS = 120;
