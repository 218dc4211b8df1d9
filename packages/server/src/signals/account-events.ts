import type { AccountPatch } from '../accounts/store.js';
import type { SignalType } from './events.js';

/**
 * The Shared Signals events an account change causes (issue 16 §2), written by the store in the
 * change's transaction: RISC account-disabled / account-enabled when the disabled state flips,
 * CAEP credential-change (password, update) when the password is set. A deletion disables too.
 */
export const accountSignals = (wasDisabled: boolean, patch: AccountPatch): (Record<string, unknown> & { type: SignalType })[] => {
  const events: (Record<string, unknown> & { type: SignalType })[] = [];
  if ((patch.disabled === true || patch.deletedAt !== undefined) && !wasDisabled) events.push({ type: 'account-disabled' });
  if (patch.disabled === false && wasDisabled && patch.deletedAt === undefined) events.push({ type: 'account-enabled' });
  if (patch.passwordHash !== undefined && patch.deletedAt === undefined) events.push({ type: 'credential-change', credentialType: 'password', changeType: 'update' });
  return events;
};

/**
 * CAEP credential-change for a second factor (CAEP 1.0 §3.2): a TOTP app is `app`; a passkey
 * synced across devices `fido2-platform`, one bound to its device (a security key) `fido2-roaming`.
 */
export const factorSignal = (kind: string, data: string | null | undefined, changeType: 'create' | 'delete'): Record<string, unknown> & { type: SignalType } => {
  let credentialType = 'app';
  if (kind === 'passkey') credentialType = (JSON.parse(data ?? '{}') as { deviceType?: string }).deviceType === 'singleDevice' ? 'fido2-roaming' : 'fido2-platform';
  return { type: 'credential-change', credentialType, changeType };
};
