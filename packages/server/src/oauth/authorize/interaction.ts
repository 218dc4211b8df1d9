import { randomUUID } from 'node:crypto';
import type { Clock } from '../../clock.js';
import { nowSeconds } from '../../clock.js';
import { fail } from '../../errors.js';
import { constantTimeEqual, randomToken, sha256 } from '../../util/secrets.js';
import type { Interaction, InteractionStore } from './interaction-store.js';
import type { AuthorizationRequest } from './request.js';

/** A binding secret as randomToken(32) makes it; anything else in the cookie is replaced. */
const BINDING_SECRET = /^[A-Za-z0-9_-]{43}$/;

/**
 * Starts the anonymous pre-authentication record of one authorization request (or of one
 * end-session request awaiting confirmation, step `logout`). It is bound to the browser by a
 * secret cookie (only its hash is stored) and carries a CSRF token for forms.
 *
 * One binding secret serves every interaction a browser starts while its cookie lives: the
 * browser then holds one small cookie however many sign-ins it starts or abandons (with one
 * cookie per interaction, ~170 abandoned flows pushed the Cookie header past 16 KB and locked
 * the browser out with 431 for the interaction lifetime), and parallel tabs still work.
 */
export const startInteraction = async (
  store: InteractionStore,
  clock: Clock,
  ttl: number,
  request: object,
  at: Pick<Interaction, 'step' | 'sessionId'>,
  browserBinding?: string,
): Promise<{ interaction: Interaction; bindingSecret: string }> => {
  const now = nowSeconds(clock);
  const bindingSecret = browserBinding !== undefined && BINDING_SECRET.test(browserBinding) ? browserBinding : randomToken(32);
  const interaction: Interaction = {
    id: randomUUID(),
    bindingHash: sha256(bindingSecret),
    csrfToken: randomToken(32),
    request: request as Record<string, unknown>,
    createdAt: now,
    expiresAt: now + ttl,
    ...at,
  };
  await store.insertInteraction(interaction);
  return { interaction, bindingSecret };
};

/**
 * Loads an interaction for this browser: unknown or expired ones are gone; one whose binding
 * cookie is missing or wrong was started elsewhere (a forwarded link, a cross-site post).
 */
export const loadInteraction = async (
  store: InteractionStore,
  clock: Clock,
  id: string,
  bindingSecret: string | undefined,
  kind: 'authorization' | 'logout' = 'authorization',
): Promise<Interaction> => {
  const interaction = /^[0-9a-f-]{36}$/.test(id) ? await store.interactionById(id) : undefined;
  if (!interaction || interaction.expiresAt <= nowSeconds(clock) || (interaction.step === 'logout') !== (kind === 'logout')) {
    fail('interaction_expired', 'This sign-in request has expired or was already completed. Return to the application and try again.');
  }
  if (!bindingSecret || !constantTimeEqual(interaction.bindingHash, sha256(bindingSecret))) {
    fail('csrf', 'This sign-in request was started in another browser or window. Return to the application and try again.');
  }
  return interaction;
};

/** Checks the form's CSRF token against the interaction's, in constant time. */
export const checkCsrf = (interaction: Interaction, token: string | undefined): void => {
  if (!token || !constantTimeEqual(interaction.csrfToken, token)) fail('csrf', 'The form has expired. Go back and try again.');
};

export const requestOf = (interaction: Interaction): AuthorizationRequest => interaction.request as unknown as AuthorizationRequest;

/** The stored form of a request (the store keeps it as opaque JSON). */
export const storedRequest = (request: AuthorizationRequest): Record<string, unknown> => request as unknown as Record<string, unknown>;
