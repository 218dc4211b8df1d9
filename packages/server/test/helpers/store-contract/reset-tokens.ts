/**
 * The password-reset token contract (ResetTokenStore, issue 17 §4): a token is found by its hash
 * until it expires, taken once, and taking it drops every other token of its account; the
 * per-account limit is checked and written together; accounts are found by their email claim;
 * housekeeping deletes the expired ones in one statement.
 */
import assert from 'node:assert/strict';
import { describe } from 'node:test';
import { type MakeStore, NOW, sampleAccount, storeTest } from './samples.js';

const TTL = 900;
const LIMIT = { since: NOW - TTL, max: 3 };

export const resetTokenStoreContract = (makeStore: MakeStore): void => {
  const test = storeTest(makeStore);
  const token = (hash: string, accountId: string, createdAt = NOW) => ({ hash, accountId, createdAt, expiresAt: createdAt + TTL });

  describe('password-reset tokens (issue 17 §4)', () => {
    test('a token is found by its hash until it expires, and taken once', async (store) => {
      const a = sampleAccount();
      await store.insertAccount(a);
      assert.equal(await store.insertResetToken(token('h1', a.id), LIMIT), true);
      assert.equal(await store.peekResetToken('h1', NOW + 10), a.id);
      assert.equal(await store.peekResetToken('nope', NOW + 10), undefined);
      assert.equal(await store.peekResetToken('h1', NOW + TTL), undefined, 'expired at expiresAt');
      assert.equal(await store.takeResetToken('h1', NOW + TTL), undefined, 'an expired token cannot be taken');
      assert.equal(await store.insertResetToken(token('h2', a.id), LIMIT), true);
      assert.equal(await store.takeResetToken('h2', NOW + 1), a.id);
      assert.equal(await store.takeResetToken('h2', NOW + 2), undefined, 'taken once');
      assert.equal(await store.peekResetToken('h2', NOW + 2), undefined);
    });

    test("taking a token drops every other token of its account, and no other account's", async (store) => {
      const [a, b] = [sampleAccount(), sampleAccount()];
      await store.insertAccount(a);
      await store.insertAccount(b);
      await store.insertResetToken(token('a1', a.id), LIMIT);
      await store.insertResetToken(token('a2', a.id), LIMIT);
      await store.insertResetToken(token('b1', b.id), LIMIT);
      assert.equal(await store.takeResetToken('a2', NOW + 1), a.id);
      assert.equal(await store.peekResetToken('a1', NOW + 1), undefined);
      assert.equal(await store.peekResetToken('b1', NOW + 1), b.id);
    });

    test('at most `max` tokens per account since `since`: the next is refused, two concurrent ones cannot both pass the last place', async (store) => {
      const [a, b] = [sampleAccount(), sampleAccount()];
      await store.insertAccount(a);
      await store.insertAccount(b);
      assert.equal(await store.insertResetToken(token('x1', a.id), LIMIT), true);
      assert.equal(await store.insertResetToken(token('x2', a.id), LIMIT), true);
      const race = await Promise.all([store.insertResetToken(token('x3', a.id), LIMIT), store.insertResetToken(token('x4', a.id), LIMIT)]);
      assert.deepEqual([...race].sort(), [false, true]);
      assert.equal(await store.peekResetToken(race[0] ? 'x4' : 'x3', NOW), undefined, 'the refused one is not stored');
      assert.equal(await store.insertResetToken(token('y1', b.id), LIMIT), true, 'another account has its own limit');
      // Past the window, a new token is allowed again (and the old ones, expired, are dropped).
      const later = NOW + TTL + 1;
      assert.equal(await store.insertResetToken(token('x5', a.id, later), { since: later - TTL, max: 3 }), true);
    });

    test('deleteExpiredResetTokens deletes every token expired before `now`, of every account, and no live one', async (store) => {
      const [a, b] = [sampleAccount(), sampleAccount()];
      await store.insertAccount(a);
      await store.insertAccount(b);
      const later = NOW + TTL;
      await store.insertResetToken(token('old-a', a.id), LIMIT);
      await store.insertResetToken(token('old-b', b.id), LIMIT);
      await store.insertResetToken(token('edge', a.id, NOW + 1), LIMIT);
      await store.insertResetToken(token('live', b.id, later - 10), { since: later - 10 - TTL, max: 3 });
      // At `later`, old-a and old-b expired at exactly `later` (kept until the next second), edge and live are valid.
      assert.equal(await store.deleteExpiredResetTokens(later), 0, 'a token expiring at `now` is not yet past it');
      assert.equal(await store.deleteExpiredResetTokens(later + 1), 2, 'both accounts\' expired tokens, in one call');
      assert.equal(await store.deleteExpiredResetTokens(later + 1), 0, 'they are gone');
      assert.equal(await store.peekResetToken('edge', later), a.id, 'a live token stays');
      assert.equal(await store.peekResetToken('live', later + 1), b.id, 'a live token stays');
      assert.equal(await store.takeResetToken('live', later + 1), b.id, 'and can still be used');
    });

    test('accountIdsByEmail finds live accounts by their email claim, exactly', async (store) => {
      const a = sampleAccount({ claims: { email: 'one@example.test' } });
      const b = sampleAccount({ claims: { email: 'shared@example.test' } });
      const c = sampleAccount({ claims: { email: 'shared@example.test' } });
      const d = sampleAccount({ claims: { email: 'gone@example.test' } });
      for (const x of [a, b, c, d]) await store.insertAccount(x);
      await store.updateAccount(d.id, { deletedAt: NOW });
      assert.deepEqual(await store.accountIdsByEmail('one@example.test'), [a.id]);
      assert.deepEqual(await store.accountIdsByEmail('ONE@example.test'), []);
      assert.equal((await store.accountIdsByEmail('shared@example.test')).length, 2);
      assert.deepEqual(await store.accountIdsByEmail("' OR 1=1 --"), []);
      assert.deepEqual(await store.accountIdsByEmail('gone@example.test'), [], 'a deleted account is no one');
    });
  });
};
