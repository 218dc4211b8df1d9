import type { AccountStore } from '../../accounts/store.js';
import type { SessionPolicy } from '../../sessions/policy.js';
import type { SessionStore } from '../../sessions/store.js';
import type { TokenSettings } from '../../tokens/issue.js';

/** What the token-endpoint grants read: the token settings plus accounts and sessions. */
export interface GrantDeps extends TokenSettings {
  accounts: AccountStore;
  sessions: SessionStore;
  policy: SessionPolicy;
}
