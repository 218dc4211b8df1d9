/**
 * The contract of SessionStore.endSessions: the one ending path's transaction (DESIGN.md "One way
 * to end a session") — sessions, token families, outbox rows and events, all or nothing.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe } from 'node:test';
import type { Browser } from '../../../src/sessions/store.js';
import { ENDING, type MakeStore, NOW, insertOnNewBrowser, same, sampleAccount, sampleSession, seedParticipants, seedSession, storeTest } from './samples.js';

export const sessionEndingContract = (makeStore: MakeStore): void => {
  const test = storeTest(makeStore);

  describe('the one ending path (endSessions)', () => {
    test('endSessions marks the session ended with reason, actor and time, and returns it with its participants', async (store) => {
      const { session, browser, account } = await seedParticipants(store);
      const ended = await store.endSessions({ sessionId: session.id }, ENDING);
      assert.equal(ended.length, 1);
      assert.deepEqual([ended[0]?.id, ended[0]?.browserId, ended[0]?.accountId], [session.id, browser.id, account.id]);
      assert.deepEqual(ended[0]?.participants.map((p) => p.clientId).sort(), ['bcl', 'plain']);
      const stored = await store.sessionById(session.id);
      assert.deepEqual([stored?.endedAt, stored?.endReason, stored?.endedBy], [NOW + 100, 'logout', 'user']);
    });

    test('a session is ended once: a second call (another instance) ends nothing and writes nothing', async (store) => {
      const { session } = await seedParticipants(store);
      await store.endSessions({ sessionId: session.id }, ENDING);
      same(await store.endSessions({ sessionId: session.id }, { reason: 'admin', actor: 'admin:x', at: NOW + 200 }), []);
      assert.equal((await store.sessionById(session.id))?.endReason, 'logout', 'the first ending stands');
      assert.equal((await store.listDeliveries({ sessionId: session.id, limit: 10 })).length, 1);
      assert.equal((await store.listEvents({ sessionId: session.id, limit: 10 })).filter((e) => e.type === 'session.ended').length, 1);
    });

    test('in the same transaction: the bound token families are revoked, offline_access ones survive (OIDC Core §11)', async (store) => {
      const { session, families } = await seedParticipants(store);
      const other = await seedParticipants(store);
      await store.endSessions({ sessionId: session.id }, ENDING);
      assert.equal((await store.familyById(families.bcl as string))?.revokedAt, NOW + 100);
      assert.equal((await store.familyById(families.plain as string))?.revokedAt, undefined, 'offline_access survives');
      assert.equal((await store.familyById(other.families.bcl as string))?.revokedAt, undefined, 'another session is untouched');
    });

    test('in the same transaction: one pending outbox row per participant whose client has a backchannel_logout_uri (BCL §2.5)', async (store) => {
      const { session, account } = await seedParticipants(store);
      await store.endSessions({ sessionId: session.id }, ENDING);
      const rows = await store.listDeliveries({ sessionId: session.id, limit: 10 });
      assert.equal(rows.length, 1);
      const participant = (await store.participantsOf(session.id)).find((p) => p.clientId === 'bcl');
      const row = rows[0];
      assert.deepEqual(
        [row?.clientId, row?.sid, row?.accountId, row?.reason, row?.status, row?.attempts, row?.nextAttemptAt, row?.createdAt],
        ['bcl', participant?.sid, account.id, 'logout', 'pending', 0, NOW + 100, NOW + 100],
      );
      same(await store.listDeliveries({ status: 'pending', limit: 10 }), rows);
      same(await store.listDeliveries({ status: 'failed', limit: 10 }), []);
    });

    test('in the same transaction: one session.ended event per session, with reason and actor', async (store) => {
      const { session, account } = await seedParticipants(store);
      await store.endSessions({ sessionId: session.id }, { reason: 'admin', actor: 'admin:cli', at: NOW + 5 });
      const events = await store.listEvents({ sessionId: session.id, limit: 10 });
      assert.deepEqual(
        events.map((e) => [e.type, e.at, e.accountId, e.reason, e.actor]),
        [['session.ended', NOW + 5, account.id, 'admin', 'admin:cli']],
      );
    });

    test('selectors: a browser\'s sessions, an account\'s sessions on every browser', async (store) => {
      const a = await seedSession(store);
      const other = sampleAccount();
      await store.insertAccount(other);
      const sameBrowser = sampleSession(a.browser.id, other.id);
      await store.insertSession(sameBrowser);
      const elsewhere: Browser = { id: randomUUID(), secretHash: 'h', createdAt: NOW };
      await store.insertBrowser(elsewhere);
      const aElsewhere = sampleSession(elsewhere.id, a.account.id);
      await store.insertSession(aElsewhere);
      const byBrowser = await store.endSessions({ browserId: a.browser.id }, ENDING);
      assert.deepEqual(byBrowser.map((s) => s.id).sort(), [a.session.id, sameBrowser.id].sort());
      assert.equal((await store.sessionById(aElsewhere.id))?.endedAt, undefined);
      const byAccount = await store.endSessions({ accountId: a.account.id }, ENDING);
      assert.deepEqual(byAccount.map((s) => s.id), [aElsewhere.id]);
    });

    test('expiry selectors attribute each session to the limit it reached first', async (store) => {
      const idle = await seedSession(store, { idleExpiresAt: NOW + 10, absoluteExpiresAt: NOW + 1000 });
      const absolute = await seedSession(store, { idleExpiresAt: NOW + 50, absoluteExpiresAt: NOW + 50 });
      const live = await seedSession(store, { idleExpiresAt: NOW + 500, absoluteExpiresAt: NOW + 1000 });
      const at = NOW + 60;
      const a = await store.endSessions({ absoluteExpiredBy: at }, { reason: 'expired_absolute', actor: 'system', at });
      const i = await store.endSessions({ idleExpiredBy: at }, { reason: 'expired_idle', actor: 'system', at });
      assert.deepEqual(a.map((s) => s.id), [absolute.session.id]);
      assert.deepEqual(i.map((s) => s.id), [idle.session.id]);
      assert.equal((await store.sessionById(live.session.id))?.endedAt, undefined);
    });

    test('the session-limit selector ends the live sessions beyond the newest N, by creation then insertion order', async (store) => {
      const { account } = await seedSession(store, { createdAt: NOW - 10 });
      const ids = [];
      for (let i = 0; i < 3; i++) ids.push((await insertOnNewBrowser(store, account.id, { createdAt: NOW })).id);
      const expired = await insertOnNewBrowser(store, account.id, { createdAt: NOW - 20, idleExpiresAt: NOW - 1 });
      const ended = await store.endSessions({ overLimitOf: account.id, keep: 2, liveAt: NOW }, { reason: 'limit', actor: 'system', at: NOW });
      const open = await store.listSessions({ accountId: account.id, limit: 10 });
      assert.deepEqual(open.map((s) => s.id).filter((id) => id !== expired.id).sort(), [ids[1], ids[2]].sort(), 'the two newest stay');
      assert.equal(ended.length, 2, 'the oldest live one and the first of the same second');
      assert.equal((await store.sessionById(expired.id))?.endedAt, undefined, 'an expired session is left to the sweeper');
    });
  });
};
