import type { FactorStore } from '../accounts/factors/store.js';
import type { AccountStore } from '../accounts/store.js';
import type { ThrottleStore } from '../accounts/throttle-store.js';
import type { ResetTokenStore } from '../accounts/reset-store.js';
import type { ClientStore } from '../clients/store.js';
import type { DeliveryStore } from '../logout/back-channel/outbox.js';
import type { InteractionStore } from '../oauth/authorize/interaction-store.js';
import type { GrantStore } from '../oauth/grants.js';
import type { EventStore } from '../sessions/events.js';
import type { StreamStore } from '../signals/store.js';
import type { SessionStore } from '../sessions/store.js';
import type { KeyStore } from '../tokens/key-store.js';
import type { TokenStore } from '../tokens/token-store.js';
import type { UpstreamStore } from '../upstreams/store.js';

/**
 * Which store was opened, for the operator: a mistyped SQLite path would otherwise silently start
 * an empty store (issue 10 §8), so `signoff start` names it and warns when it was just created.
 */
export interface StoreOrigin {
  kind: 'sqlite' | 'postgres';
  /** The absolute file path (or `:memory:`), or the database URL without its password. */
  location: string;
  /** True when opening created it: no data of an earlier run is in it. */
  created: boolean;
}

/**
 * The whole store: every domain's port (each domain owns its records and port), which every
 * backend implements and the contract suite (test/helpers/store-contract/) checks. Every method
 * is atomic on its own; operations that must change several records together are single methods
 * (redeemCode, markRefreshTokenUsed, endSessions), never a transaction held across awaits.
 */
export interface Store
  extends AccountStore,
    FactorStore,
    ClientStore,
    KeyStore,
    SessionStore,
    InteractionStore,
    GrantStore,
    TokenStore,
    EventStore,
    DeliveryStore,
    ThrottleStore,
    ResetTokenStore,
    UpstreamStore,
    StreamStore {
  readonly origin: StoreOrigin;
  ping(): Promise<boolean>;
  /**
   * Starts the upkeep a serving instance runs beside its requests (SQLite: WAL checkpoints on a
   * thread of their own, sqlite/checkpointer.ts; PostgreSQL: none) and returns its stop; `close`
   * stops it too. `problem` hears what went wrong in it.
   */
  startUpkeep(problem: (message: string) => void): () => Promise<void>;
  close(): Promise<void>;
}
