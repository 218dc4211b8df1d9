/**
 * The contract of AccountStore.changeAccount (issue 12 §1): an account change and the ending of
 * the account's sessions in one transaction, the account's offline_access families revoked only
 * when asked; and the `{ accountId }` ending with revokeOfflineTokens ("log out everywhere").
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe } from 'node:test';
import type { AccountChangeEnding } from '../../../src/accounts/store.js';
import type { Store } from '../../../src/store/types.js';
import { type MakeStore, NOW, insertOnNewBrowser, same, seedParticipants, storeTest } from './samples.js';

const CHANGE: AccountChangeEnding = { reason: 'password_changed', actor: 'admin:test', at: NOW + 100 };

/** An account with two open sessions (one with the `bcl` and `plain` participants and families) and another account like it. */
const seedTwoAccounts = async (store: Store) => {
  const a = await seedParticipants(store);
  const second = await insertOnNewBrowser(store, a.account.id);
  const other = await seedParticipants(store);
  return { a, second, other };
};

const revokedAt = async (store: Store, familyId: string | undefined): Promise<number | undefined> =>
  (await store.familyById(familyId as string))?.revokedAt;

export const accountChangeContract = (makeStore: MakeStore): void => {
  const test = storeTest(makeStore);

  describe('an account change with its ending (changeAccount, issue 12 §1)', () => {
    test('issue 12 §1: an unknown account changes nothing and ends nothing', async (store) => {
      const { a, other } = await seedTwoAccounts(store);
      same(await store.changeAccount(randomUUID(), { disabled: true, updatedAt: NOW + 100 }, { ...CHANGE, revokeOfflineTokens: true }), { found: false, ended: [] });
      same(await store.accountById(a.account.id), a.account);
      assert.equal((await store.listSessions({ limit: 10 })).length, 3, 'every session stays open');
      for (const id of [a.families.bcl, a.families.plain, other.families.bcl, other.families.plain]) assert.equal(await revokedAt(store, id), undefined);
      same(await store.listDeliveries({ limit: 10 }), []);
      same((await store.listEvents({ limit: 10 })).filter((e) => e.type === 'session.ended'), []);
    });

    test('issue 12 §1: the patch is applied and every session of the account ended with the reason and actor, in the same transaction', async (store) => {
      const { a, second } = await seedTwoAccounts(store);
      const result = await store.changeAccount(a.account.id, { passwordHash: 'new-hash', updatedAt: NOW + 100 }, CHANGE);
      assert.equal(result.found, true);
      assert.deepEqual(result.ended.map((s) => s.id).sort(), [a.session.id, second.id].sort());
      assert.deepEqual(result.ended.find((s) => s.id === a.session.id)?.participants.map((p) => p.clientId).sort(), ['bcl', 'plain']);
      same(await store.accountById(a.account.id), { ...a.account, passwordHash: 'new-hash', updatedAt: NOW + 100 });
      for (const id of [a.session.id, second.id]) {
        const s = await store.sessionById(id);
        assert.deepEqual([s?.endedAt, s?.endReason, s?.endedBy], [NOW + 100, 'password_changed', 'admin:test']);
        const events = (await store.listEvents({ sessionId: id, limit: 10 })).filter((e) => e.type === 'session.ended');
        assert.deepEqual(events.map((e) => [e.reason, e.actor]), [['password_changed', 'admin:test']]);
      }
      assert.deepEqual((await store.listDeliveries({ sessionId: a.session.id, limit: 10 })).map((d) => [d.clientId, d.reason]), [['bcl', 'password_changed']]);
    });

    test('issue 12 §1: without revokeOfflineTokens the offline_access family survives (OIDC Core §11); the bound one dies with its session', async (store) => {
      const { a } = await seedTwoAccounts(store);
      await store.changeAccount(a.account.id, { disabled: true, updatedAt: NOW + 100 }, { ...CHANGE, reason: 'account_disabled' });
      assert.equal(await revokedAt(store, a.families.bcl), NOW + 100);
      assert.equal(await revokedAt(store, a.families.plain), undefined);
    });

    test('issue 12 §1: with revokeOfflineTokens every family of the account is revoked, offline_access ones too, also those of sessions that ended before', async (store) => {
      const { a } = await seedTwoAccounts(store);
      await store.endSessions({ sessionId: a.session.id }, { reason: 'logout', actor: 'user', at: NOW + 50 });
      assert.equal(await revokedAt(store, a.families.plain), undefined, 'the logout spared the offline family');
      const result = await store.changeAccount(a.account.id, { disabled: true, updatedAt: NOW + 100 }, { ...CHANGE, reason: 'account_disabled', revokeOfflineTokens: true });
      assert.equal(result.ended.length, 1, 'only the session still open ends');
      assert.equal(await revokedAt(store, a.families.plain), NOW + 100, 'the offline family is revoked');
      assert.equal(await revokedAt(store, a.families.bcl), NOW + 50, 'a family revoked before keeps its time');
    });

    test('issue 12 §1: other accounts are untouched', async (store) => {
      const { a, other } = await seedTwoAccounts(store);
      await store.changeAccount(a.account.id, { disabled: true, updatedAt: NOW + 100 }, { ...CHANGE, revokeOfflineTokens: true });
      same(await store.accountById(other.account.id), other.account);
      assert.equal((await store.sessionById(other.session.id))?.endedAt, undefined);
      for (const id of [other.families.bcl, other.families.plain]) assert.equal(await revokedAt(store, id), undefined);
      same(await store.listDeliveries({ sessionId: other.session.id, limit: 10 }), []);
    });

    test('issue 12 §1: without an ending only the account changes', async (store) => {
      const { a } = await seedTwoAccounts(store);
      same(await store.changeAccount(a.account.id, { disabled: false, updatedAt: NOW + 100 }), { found: true, ended: [] });
      assert.equal((await store.accountById(a.account.id))?.updatedAt, NOW + 100);
      assert.equal((await store.listSessions({ accountId: a.account.id, limit: 10 })).length, 2);
      assert.equal(await revokedAt(store, a.families.bcl), undefined);
    });

    test('issue 12 §1: log out everywhere ({ accountId }) revokes the offline_access families only with revokeOfflineTokens', async (store) => {
      const { a, other } = await seedTwoAccounts(store);
      await store.endSessions({ accountId: a.account.id }, { reason: 'logout', actor: 'user', at: NOW + 100 });
      assert.equal(await revokedAt(store, a.families.plain), undefined, 'by default the offline family survives');
      same(await store.endSessions({ accountId: a.account.id }, { reason: 'logout', actor: 'user', at: NOW + 200, revokeOfflineTokens: true }), []);
      assert.equal(await revokedAt(store, a.families.plain), NOW + 200, 'asked: revoked, even with no session left open');
      assert.equal(await revokedAt(store, other.families.plain), undefined, 'another account keeps its own');
    });
  });
};
