/** The AccountStore contract (accounts/store.ts). */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe } from 'node:test';
import { type MakeStore, NOW, same, sampleAccount, storeTest } from './samples.js';

export const accountStoreContract = (makeStore: MakeStore): void => {
  const test = storeTest(makeStore);

  describe('accounts', () => {
    test('round-trips an account by id and by username', async (store) => {
      const a = sampleAccount({ disabled: true });
      await store.insertAccount(a);
      same(await store.accountById(a.id), a);
      same(await store.accountByUsername(a.username), a);
      assert.equal(await store.accountById(randomUUID()), undefined);
      assert.equal(await store.accountByUsername('nobody'), undefined);
    });

    test('rejects a second account with the same username', async (store) => {
      const a = sampleAccount({ username: 'same' });
      await store.insertAccount(a);
      await assert.rejects(store.insertAccount(sampleAccount({ username: 'same' })));
      assert.equal((await store.listAccounts()).length, 1);
    });

    test('lists accounts ordered by username', async (store) => {
      for (const username of ['carol', 'alice', 'bob']) await store.insertAccount(sampleAccount({ username }));
      same((await store.listAccounts()).map((a) => a.username), ['alice', 'bob', 'carol']);
    });

    test('pages accounts by username in byte order after a username, and leaves deleted ones out (issue 12 §3)', async (store) => {
      for (const username of ['b', 'B', 'a', 'é', 'c']) await store.insertAccount(sampleAccount({ username }));
      const gone = sampleAccount({ username: 'deleted x' });
      await store.insertAccount(gone);
      assert.equal(await store.updateAccount(gone.id, { deletedAt: NOW }), true);
      same((await store.pageAccounts({ limit: 10 })).map((a) => a.username), ['B', 'a', 'b', 'c', 'é']);
      same((await store.pageAccounts({ after: 'a', limit: 2 })).map((a) => a.username), ['b', 'c']);
      same((await store.pageAccounts({ after: 'é', limit: 2 })), []);
      same((await store.listAccounts()).map((a) => a.username), ['B', 'a', 'b', 'c', 'é']);
    });

    test('a deleted account keeps its record but never changes again (issue 12 §3)', async (store) => {
      const a = sampleAccount({ username: 'to-delete' });
      await store.insertAccount(a);
      const tomb = { username: `deleted ${a.id}`, passwordHash: '', claims: {}, disabled: true, deletedAt: NOW + 5, updatedAt: NOW + 5 };
      same(await store.changeAccount(a.id, tomb), { found: true, ended: [] });
      same(await store.accountById(a.id), { ...a, ...tomb });
      assert.equal(await store.accountByUsername('to-delete'), undefined, 'the username is free');
      await store.insertAccount(sampleAccount({ username: 'to-delete' }));
      assert.equal(await store.updateAccount(a.id, { disabled: false }), false);
      same(await store.changeAccount(a.id, { disabled: false }), { found: false, ended: [] });
      assert.equal((await store.accountById(a.id))?.disabled, true);
    });

    test('updates only the patched fields and reports whether the account exists', async (store) => {
      const a = sampleAccount();
      await store.insertAccount(a);
      assert.equal(await store.updateAccount(a.id, { disabled: true, updatedAt: NOW + 10 }), true);
      same(await store.accountById(a.id), { ...a, disabled: true, updatedAt: NOW + 10 });
      assert.equal(await store.updateAccount(a.id, { passwordHash: 'new-hash', claims: { name: 'X' } }), true);
      same(await store.accountById(a.id), { ...a, disabled: true, updatedAt: NOW + 10, passwordHash: 'new-hash', claims: { name: 'X' } });
      assert.equal(await store.updateAccount(randomUUID(), { disabled: true }), false);
    });

    test('rehashPassword replaces the hash only while it is the expected one, never a deleted account\'s (issue 18: a sign-in\'s rehash never undoes a password change)', async (store) => {
      const a = sampleAccount({ username: 'rehash' });
      await store.insertAccount(a);
      assert.equal(await store.rehashPassword(a.id, 'not-the-hash', 'stale'), false);
      assert.equal((await store.accountById(a.id))?.passwordHash, a.passwordHash);
      assert.equal(await store.rehashPassword(a.id, a.passwordHash, 'rehashed'), true);
      same(await store.accountById(a.id), { ...a, passwordHash: 'rehashed' }, 'only the hash changes: not updatedAt, nothing else');
      // A password change landed between a sign-in's verification and its rehash: the rehash loses.
      await store.updateAccount(a.id, { passwordHash: 'changed-by-the-user' });
      assert.equal(await store.rehashPassword(a.id, 'rehashed', 'old-password-rehashed'), false);
      assert.equal((await store.accountById(a.id))?.passwordHash, 'changed-by-the-user');
      await store.changeAccount(a.id, { deletedAt: NOW, passwordHash: '', disabled: true, username: `deleted ${a.id}` });
      assert.equal(await store.rehashPassword(a.id, '', 'revived'), false, 'a tombstone never changes again');
      assert.equal(await store.rehashPassword(randomUUID(), 'x', 'y'), false);
    });
  });
};
