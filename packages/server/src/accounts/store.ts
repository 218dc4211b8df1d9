/** Accounts and their storage port. Times are seconds since the epoch; passwords only as hashes (accounts/passwords.ts). */

export interface Account {
  id: string;
  username: string;
  passwordHash: string;
  claims: Record<string, unknown>;
  disabled: boolean;
  createdAt: number;
  updatedAt: number;
}

export interface AccountStore {
  insertAccount(account: Account): Promise<void>;
  accountById(id: string): Promise<Account | undefined>;
  accountByUsername(username: string): Promise<Account | undefined>;
  listAccounts(): Promise<Account[]>;
  updateAccount(id: string, patch: Partial<Pick<Account, 'passwordHash' | 'claims' | 'disabled' | 'updatedAt'>>): Promise<boolean>;
}
