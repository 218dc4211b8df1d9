/**
 * The contract of UpstreamStore (issue 15): account links keyed by (issuer, sub), the upstream
 * session recorded with a sign-in and the ending selector over it (Back-Channel Logout §2.7), the
 * logout-token memory (§2.6 step 8: a replayed jti is refused), and forgetting ended sessions' ID tokens.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe } from 'node:test';
import type { Store } from '../../../src/store/types.js';
import { ENDING, type MakeStore, NOW, sampleAccount, sampleSession, storeTest } from './samples.js';

const SEALED = { enc: 'A256GCM', kek: 'k', iv: 'iv', tag: 'tag', ct: 'ct' } as const;

/** A sign-in through upstream `upstreamId` as (sub, sid): its own browser, a new account unless given. */
const signInThrough = async (store: Store, upstreamId: string, subject: string, sid: string | undefined, accountId?: string): Promise<string> => {
  let id = accountId;
  if (!id) {
    const account = sampleAccount({ username: `u-${randomUUID()}` });
    await store.insertAccount(account);
    id = account.id;
  }
  const browserId = randomUUID();
  const result = await store.recordSignIn({
    browser: { id: browserId, secretHash: `h-${randomUUID()}`, createdAt: NOW },
    session: sampleSession(browserId, id, { createdAt: NOW, authTime: NOW, lastSeen: NOW, idleExpiresAt: NOW + 1800, absoluteExpiresAt: NOW + 3600 }),
    upstream: { upstreamId, issuer: `https://${upstreamId}.example`, subject, sid, idToken: SEALED, at: NOW },
  });
  assert.ok(result);
  return result.session.id;
};

export const upstreamStoreContract = (makeStore: MakeStore): void => {
  const test = storeTest(makeStore);

  describe('UpstreamStore account links (issue 15 §1: keyed by (issuer, sub))', () => {
    test('a link with a new account is one transaction; the identity then names that account', async (store) => {
      const account = sampleAccount({ username: 'op/carol' });
      const link = { issuer: 'https://op.example', subject: 's1', upstreamId: 'op', accountId: account.id, createdAt: NOW };
      assert.equal(await store.linkAccount(link, account), account.id);
      assert.equal(await store.linkedAccountId('https://op.example', 's1'), account.id);
      assert.equal((await store.accountById(account.id))?.username, 'op/carol');
      // The same sub at another issuer is another identity (OIDC Core §2: sub is unique per issuer).
      assert.equal(await store.linkedAccountId('https://corp.example', 's1'), undefined);
    });

    test('two first sign-ins of one identity at once: one link, one account; the loser gets the winner\'s account and its own is gone', async (store) => {
      const a = sampleAccount({ username: 'op/race-a' });
      const b = sampleAccount({ username: 'op/race-b' });
      const link = { issuer: 'https://op.example', subject: 'race', upstreamId: 'op', createdAt: NOW };
      const [first, second] = await Promise.all([store.linkAccount({ ...link, accountId: a.id }, a), store.linkAccount({ ...link, accountId: b.id }, b)]);
      assert.equal(first, second);
      const loser = first === a.id ? b : a;
      assert.equal(await store.accountById(loser.id), undefined, 'the account made for the lost race is not kept');
    });

    test('accountsWithClaim compares case-insensitively, skips deleted accounts, and returns at most two', async (store) => {
      const claim = (email: string) => sampleAccount({ username: `u-${randomUUID()}`, claims: { email } });
      const one = claim('Carol@Example.com');
      await store.insertAccount(one);
      const deleted = claim('carol@example.com');
      await store.insertAccount(deleted);
      await store.updateAccount(deleted.id, { deletedAt: NOW });
      assert.deepEqual(await store.accountsWithClaim('email', 'CAROL@example.COM'), [one.id]);
      await store.insertAccount(claim('carol@EXAMPLE.com'));
      await store.insertAccount(claim('carol@example.com'));
      assert.equal((await store.accountsWithClaim('email', 'carol@example.com')).length, 2);
      assert.deepEqual(await store.accountsWithClaim('phone_number', 'carol@example.com'), []);
    });
  });

  describe('UpstreamStore.upstreamSessionOf and the ending selector over it (Back-Channel Logout §2.7)', () => {
    test('a sign-in through an upstream records its upstream session with the SSO session', async (store) => {
      const id = await signInThrough(store, 'op', 'sub-1', 'up-sid-1');
      const u = await store.upstreamSessionOf(id);
      assert.deepEqual({ ...u }, { sessionId: id, upstreamId: 'op', issuer: 'https://op.example', subject: 'sub-1', sid: 'up-sid-1', idToken: { ...SEALED }, at: NOW });
    });

    test('by sid: only that upstream session\'s SSO session ends; by sub: every session of the sub through that upstream', async (store) => {
      const a = await signInThrough(store, 'op', 'sub-2', 'sid-a');
      const b = await signInThrough(store, 'op', 'sub-2', 'sid-b');
      const other = await signInThrough(store, 'corp', 'sub-2', 'sid-a');
      assert.deepEqual((await store.endSessions({ upstreamId: 'op', sid: 'sid-a' }, { ...ENDING, reason: 'upstream_logout' })).map((s) => s.id), [a]);
      assert.equal((await store.sessionById(other))?.endedAt, undefined, 'the same sid at another upstream is another session');
      const c = await signInThrough(store, 'op', 'sub-2', undefined);
      assert.deepEqual((await store.endSessions({ upstreamId: 'op', subject: 'sub-2' }, { ...ENDING, reason: 'upstream_logout' })).map((s) => s.id).sort(), [b, c].sort());
      assert.equal((await store.sessionById(b))?.endReason, 'upstream_logout');
    });

    test('sid and sub that do not belong together end nothing; neither ends nothing', async (store) => {
      const id = await signInThrough(store, 'op', 'sub-3', 'sid-3');
      assert.deepEqual(await store.endSessions({ upstreamId: 'op', sid: 'sid-3', subject: 'someone-else' }, ENDING), []);
      assert.deepEqual(await store.endSessions({ upstreamId: 'op' }, ENDING), []);
      assert.equal((await store.sessionById(id))?.endedAt, undefined);
    });

    test('forgetEndedUpstreamSessions drops the records (and sealed ID tokens) of sessions ended before the time, not of live ones or later endings', async (store) => {
      const ended = await signInThrough(store, 'op', 'sub-4', 'sid-4');
      const later = await signInThrough(store, 'op', 'sub-5', 'sid-5');
      const live = await signInThrough(store, 'op', 'sub-6', 'sid-6');
      await store.endSessions({ sessionId: ended }, { ...ENDING, at: NOW + 10 });
      await store.endSessions({ sessionId: later }, { ...ENDING, at: NOW + 100 });
      assert.equal(await store.forgetEndedUpstreamSessions(NOW + 50), 1);
      assert.equal(await store.upstreamSessionOf(ended), undefined);
      assert.ok(await store.upstreamSessionOf(later));
      assert.ok(await store.upstreamSessionOf(live));
    });
  });

  describe('UpstreamStore.rememberLogoutToken (Back-Channel Logout §2.6 step 8)', () => {
    test('a jti is accepted once; the same jti again from the same upstream is a replay', async (store) => {
      assert.equal(await store.rememberLogoutToken('op', 'jti-1', NOW + 600, NOW), true);
      assert.equal(await store.rememberLogoutToken('op', 'jti-1', NOW + 600, NOW + 10), false);
    });

    test('jtis are per upstream: the same jti from another upstream is not a replay', async (store) => {
      assert.equal(await store.rememberLogoutToken('op', 'jti-2', NOW + 600, NOW), true);
      assert.equal(await store.rememberLogoutToken('corp', 'jti-2', NOW + 600, NOW), true);
    });

    test('an expired memory is forgotten: after expiresAt the jti is accepted again', async (store) => {
      assert.equal(await store.rememberLogoutToken('op', 'jti-3', NOW + 60, NOW), true);
      assert.equal(await store.rememberLogoutToken('op', 'jti-3', NOW + 700, NOW + 61), true);
    });
  });
};
