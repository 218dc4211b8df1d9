/**
 * An account's second factors as its owner sees and manages them (issue 14 §2): listed without
 * their secrets, removed one at a time, each change an audit event whose reason is the kind.
 */
import { nowSeconds } from '../../clock.js';
import { recordChange } from '../../sessions/audit-log.js';
import type { FactorDeps } from './deps.js';
import { newRecoveryCodes } from './recovery-codes.js';
import type { Factor, FactorKind } from './store.js';

/** What the account page shows of a factor: never its secret, public key or counter. */
export interface FactorView {
  id: string;
  kind: FactorKind;
  label: string;
  createdAt: number;
  lastUsedAt?: number | undefined;
  /** For a passkey: whether it syncs to the account holder's other devices. */
  synced?: boolean | undefined;
}

const view = (f: Factor): FactorView => ({
  id: f.id,
  kind: f.kind,
  label: f.label,
  createdAt: f.createdAt,
  lastUsedAt: f.lastUsedAt,
  ...(f.kind === 'passkey' ? { synced: f.deviceType === 'multiDevice' } : {}),
});

const confirmed = (factors: Factor[]): Factor[] => factors.filter((f) => f.confirmedAt !== undefined);

/** The account's confirmed factors, oldest first, and how many recovery codes are left. */
export const listFactors = async (deps: Pick<FactorDeps, 'factors'>, accountId: string): Promise<{ factors: FactorView[]; recoveryCodesLeft: number }> => ({
  factors: confirmed(await deps.factors.factorsOf(accountId)).map(view),
  recoveryCodesLeft: await deps.factors.recoveryCodesLeft(accountId),
});

/** Whether the account has a confirmed TOTP app or passkey (the password policy asks, issue 14 §4). */
export const hasSecondFactor = async (deps: Pick<FactorDeps, 'factors'>, accountId: string): Promise<boolean> =>
  confirmed(await deps.factors.factorsOf(accountId)).length > 0;

/**
 * Removes one factor of the account. When it was the last, the recovery codes go too: they stand
 * in for a second factor the account no longer has. False when the account has no such factor.
 */
export const removeFactor = async (deps: Pick<FactorDeps, 'factors' | 'events' | 'clock'>, accountId: string, factorId: string, actor = 'user'): Promise<boolean> => {
  const factor = await deps.factors.factorOf(accountId, factorId);
  if (!factor || !(await deps.factors.deleteFactor(accountId, factorId, nowSeconds(deps.clock)))) return false;
  if (factor.confirmedAt === undefined) return true;
  await recordChange(deps, 'factor.removed', { accountId, reason: factor.kind, actor });
  if (!(await hasSecondFactor(deps, accountId))) await deps.factors.replaceRecoveryCodes(accountId, [], nowSeconds(deps.clock));
  return true;
};

/**
 * After a factor is confirmed: its factor.enrolled event and, when it is the account's first,
 * the recovery codes to show once (`hadFactor` is read before confirming it).
 */
export const enrolled = async (
  deps: Pick<FactorDeps, 'factors' | 'events' | 'clock'>,
  accountId: string,
  kind: FactorKind,
  hadFactor: boolean,
): Promise<string[] | undefined> => {
  await recordChange(deps, 'factor.enrolled', { accountId, reason: kind, actor: 'user' });
  return hadFactor ? undefined : newRecoveryCodes(deps, accountId);
};
