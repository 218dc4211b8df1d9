/** The anonymous pre-authentication state of one authorization request (consumed once). */
export interface Interaction {
  id: string;
  /** SHA-256 of the secret in the browser's interaction cookie: binds it to that browser. */
  bindingHash: string;
  csrfToken: string;
  request: Record<string, unknown>;
  createdAt: number;
  expiresAt: number;
  /** The session the step is about: the one to ask consent for, or to step up. */
  sessionId?: string | undefined;
  /**
   * What the user is asked: to sign in, to choose among the signed-in accounts, for a further
   * factor, or for consent, or gone to sign in at an upstream provider; `logout` marks an
   * end-session request awaiting the user's confirmation, `federated-logout` one whose browser
   * went to sign out at an upstream and comes back (issue 15 §2). The typed view is
   * oauth/authorize/interaction.ts's.
   */
  step: 'login' | 'choose' | 'second-factor' | 'consent' | 'upstream' | 'logout' | 'federated-logout';
  /** The step's own state as JSON (a second-factor step's pending sign-in). */
  state?: Record<string, unknown> | undefined;
}

export interface InteractionStore {
  insertInteraction(i: Interaction): Promise<void>;
  interactionById(id: string): Promise<Interaction | undefined>;
  updateInteraction(id: string, patch: Partial<Pick<Interaction, 'sessionId' | 'step' | 'request' | 'state'>>): Promise<void>;
  /** Deletes and reports whether it existed: consuming is single-use. */
  deleteInteraction(id: string): Promise<boolean>;
  deleteExpiredInteractions(now: number): Promise<number>;
}
