/** The GrantStore contract (oauth/grants.ts). */
import assert from 'node:assert/strict';
import { describe } from 'node:test';
import { type MakeStore, NOW, same, storeTest } from './samples.js';

export const grantStoreContract = (makeStore: MakeStore): void => {
  const test = storeTest(makeStore);

  describe('grants', () => {
    test('a grant is absent until given, then replaced by a later one', async (store) => {
      assert.equal(await store.grantFor('acc', 'web'), undefined);
      await store.upsertGrant({ accountId: 'acc', clientId: 'web', scope: ['openid', 'email'], createdAt: NOW });
      same(await store.grantFor('acc', 'web'), { accountId: 'acc', clientId: 'web', scope: ['openid', 'email'], createdAt: NOW });
      await store.upsertGrant({ accountId: 'acc', clientId: 'web', scope: ['openid', 'profile'], createdAt: NOW + 5 });
      same((await store.grantFor('acc', 'web'))?.scope, ['openid', 'profile']);
      assert.equal(await store.grantFor('acc', 'other'), undefined);
      assert.equal(await store.grantFor('other', 'web'), undefined);
    });
  });
};
