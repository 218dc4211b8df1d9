/** Consent: what an account approved for a client, and its storage port. */

export interface Grant {
  accountId: string;
  clientId: string;
  scope: string[];
  createdAt: number;
}

export interface GrantStore {
  grantFor(accountId: string, clientId: string): Promise<Grant | undefined>;
  upsertGrant(grant: Grant): Promise<void>;
}
