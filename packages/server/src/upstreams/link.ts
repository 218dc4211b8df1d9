import { createHash, randomUUID } from 'node:crypto';
import type { Account, AccountStore } from '../accounts/store.js';
import { NO_PASSWORD } from '../accounts/passwords.js';
import { type Clock, nowSeconds } from '../clock.js';
import { type AuditDeps, recordChange } from '../sessions/audit-log.js';
import type { UpstreamConfig } from './config.js';
import type { UpstreamIdentity } from './relying-party.js';
import type { UpstreamStore } from './store.js';

export interface LinkDeps extends AuditDeps {
  accounts: Pick<AccountStore, 'accountById' | 'accountByUsername'>;
  upstreams: Pick<UpstreamStore, 'linkedAccountId' | 'linkAccount' | 'accountsWithClaim'>;
  clock: Clock;
}

export type LinkOutcome = { kind: 'account'; account: Account } | { kind: 'refused'; description: string };

/** A claim value an account may keep: a short string, a boolean or a number (OIDC Core §5.1 types). */
const keepable = (v: unknown): boolean => (typeof v === 'string' && v.length <= 1000) || typeof v === 'boolean' || (typeof v === 'number' && Number.isFinite(v));

/** The account's claims from the upstream's, through the configured mapping (local ← upstream). */
export const mappedClaims = (mapping: Readonly<Record<string, string>>, claims: Readonly<Record<string, unknown>>): Record<string, unknown> => {
  const out: Record<string, unknown> = {};
  for (const [local, upstream] of Object.entries(mapping)) {
    const v = Object.hasOwn(claims, upstream) ? claims[upstream] : undefined;
    if (keepable(v)) out[local] = v;
  }
  return out;
};

/** The claim that may link, when the upstream says it verified it (OIDC Core §5.1 `email_verified`, `phone_number_verified`). */
const verifiedLinkValue = (upstream: UpstreamConfig, claims: Readonly<Record<string, unknown>>): string | undefined => {
  const claim = upstream.link_by;
  if (claim === undefined) return undefined;
  const value = claims[claim];
  return typeof value === 'string' && value.length > 0 && value.length <= 320 && claims[`${claim}_verified`] === true ? value : undefined;
};

/**
 * The username of a just-in-time account: the upstream's verified email or preferred_username,
 * under the upstream's id (`corp/alice@example.com`), so it never takes a local account's name;
 * `corp/<sub>` when that is taken or unusable.
 */
const usernamesFor = (upstream: UpstreamConfig, identity: UpstreamIdentity): string[] => {
  const { claims } = identity;
  const email = claims.email_verified === true && typeof claims.email === 'string' ? claims.email : undefined;
  const preferred = typeof claims.preferred_username === 'string' ? claims.preferred_username : undefined;
  const usable = (name: string) => /^[^\s]{1,128}$/u.test(name);
  // A sub may be 255 characters (OIDC Core §2); past what a username holds, its hash names the account.
  const hashed = createHash('sha256').update(identity.subject).digest('base64url');
  return [email, preferred, identity.subject, hashed].filter((n): n is string => n !== undefined).map((n) => `${upstream.id}/${n}`).filter(usable);
};

/**
 * The local account of an upstream identity (issue 15 §1): the one linked to (issuer, sub);
 * else, when the configuration names a linking claim the upstream verified, the one local account
 * with that claim (never one of several); else a new account, just in time, with the mapped
 * claims and no password. A disabled or deleted account refuses the sign-in.
 */
export const accountForIdentity = async (deps: LinkDeps, upstream: UpstreamConfig, identity: UpstreamIdentity): Promise<LinkOutcome> => {
  const resolved = async (accountId: string): Promise<LinkOutcome> => {
    const account = await deps.accounts.accountById(accountId);
    if (!account || account.deletedAt !== undefined || account.disabled) return { kind: 'refused', description: 'This account is disabled.' };
    return { kind: 'account', account };
  };
  const linked = await deps.upstreams.linkedAccountId(identity.issuer, identity.subject);
  if (linked !== undefined) return resolved(linked);
  const now = nowSeconds(deps.clock);
  const link = { issuer: identity.issuer, subject: identity.subject, upstreamId: upstream.id, createdAt: now };
  const value = verifiedLinkValue(upstream, identity.claims);
  const candidates = value === undefined ? [] : await deps.upstreams.accountsWithClaim(upstream.link_by ?? 'email', value);
  if (candidates.length === 1 && candidates[0] !== undefined) {
    const accountId = await deps.upstreams.linkAccount({ ...link, accountId: candidates[0] });
    if (accountId === candidates[0]) await recordChange(deps, 'account.linked', { accountId, reason: upstream.id, actor: `upstream:${upstream.id}` });
    return resolved(accountId);
  }
  for (const username of usernamesFor(upstream, identity)) {
    if (await deps.accounts.accountByUsername(username)) continue;
    const account: Account = {
      id: randomUUID(),
      username,
      passwordHash: NO_PASSWORD,
      claims: mappedClaims(upstream.claims, identity.claims),
      disabled: false,
      createdAt: now,
      updatedAt: now,
    };
    let accountId: string;
    try {
      accountId = await deps.upstreams.linkAccount({ ...link, accountId: account.id }, account);
    } catch (err) {
      // The username was taken meanwhile, or the identity linked by a sign-in at the same moment.
      const raced = await deps.upstreams.linkedAccountId(identity.issuer, identity.subject);
      if (raced !== undefined) return resolved(raced);
      if (await deps.accounts.accountByUsername(username)) continue;
      throw err;
    }
    if (accountId === account.id) {
      await recordChange(deps, 'account.created', { accountId, reason: upstream.id, actor: `upstream:${upstream.id}` });
      await recordChange(deps, 'account.linked', { accountId, reason: upstream.id, actor: `upstream:${upstream.id}` });
    }
    return resolved(accountId);
  }
  return { kind: 'refused', description: 'No account name could be made for this identity.' };
};
