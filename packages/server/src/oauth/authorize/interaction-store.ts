/** The anonymous pre-authentication state of one authorization request (consumed once). */
export interface Interaction {
  id: string;
  /** SHA-256 of the secret in the browser's interaction cookie: binds it to that browser. */
  bindingHash: string;
  csrfToken: string;
  request: Record<string, unknown>;
  createdAt: number;
  expiresAt: number;
  /** Set once the user has signed in, before consent. */
  sessionId?: string | undefined;
  /**
   * What the user is asked before that: to sign in, or to choose among the signed-in accounts;
   * `logout` marks an end-session request awaiting the user's confirmation.
   */
  step: 'login' | 'choose' | 'logout';
}

export interface InteractionStore {
  insertInteraction(i: Interaction): Promise<void>;
  interactionById(id: string): Promise<Interaction | undefined>;
  updateInteraction(id: string, patch: Partial<Pick<Interaction, 'sessionId' | 'step' | 'request'>>): Promise<void>;
  /** Deletes and reports whether it existed: consuming is single-use. */
  deleteInteraction(id: string): Promise<boolean>;
  deleteExpiredInteractions(now: number): Promise<number>;
}
