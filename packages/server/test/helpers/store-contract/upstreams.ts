/**
 * The contract of UpstreamStore (issue 15) — so far its logout-token memory (Back-Channel Logout
 * 1.0 §2.6 step 8: a replayed jti is refused).
 */
import assert from 'node:assert/strict';
import { describe } from 'node:test';
import { type MakeStore, NOW, storeTest } from './samples.js';

export const upstreamStoreContract = (makeStore: MakeStore): void => {
  const test = storeTest(makeStore);

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
