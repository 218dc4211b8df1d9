/** The SessionStore contract (sessions/store.ts): browsers, sessions, participants; the ending path is session-ending.ts. */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe } from 'node:test';
import type { Browser } from '../../../src/sessions/store.js';
import { ENDING, type MakeStore, NOW, insertOnNewBrowser, same, sampleAccount, sampleCode, sampleSession, seedParticipants, seedSession, storeTest } from './samples.js';

export const sessionStoreContract = (makeStore: MakeStore): void => {
  const test = storeTest(makeStore);

  describe('browsers, sessions and participants', () => {
    test('round-trips a browser and replaces its secret hash', async (store) => {
      const b: Browser = { id: randomUUID(), secretHash: 'h1', createdAt: NOW };
      await store.insertBrowser(b);
      same(await store.browserById(b.id), b);
      await store.updateBrowserSecret(b.id, 'h2');
      same(await store.browserById(b.id), { ...b, secretHash: 'h2' });
      assert.equal(await store.browserById(randomUUID()), undefined);
    });

    test('round-trips a session with its lists and flags', async (store) => {
      const { session } = await seedSession(store, { rememberMe: true, amr: ['pwd', 'hwk'] });
      same(await store.sessionById(session.id), session);
      assert.equal(await store.sessionById(randomUUID()), undefined);
    });

    test('lists the open sessions of one browser, newest authentication first, without ended ones', async (store) => {
      const { browser, account, session: first } = await seedSession(store, { authTime: NOW - 100 });
      const other = sampleAccount();
      await store.insertAccount(other);
      const second = sampleSession(browser.id, other.id, { authTime: NOW });
      await store.insertSession(second);
      const third = sampleAccount();
      await store.insertAccount(third);
      const ended = sampleSession(browser.id, third.id, { authTime: NOW + 5, endedAt: NOW + 6, endReason: 'logout' });
      await store.insertSession(ended);
      await seedSession(store); // another browser's session
      same((await store.openSessionsOfBrowser(browser.id)).map((s) => s.id), [second.id, first.id]);
      assert.equal(first.accountId, account.id);
      same(await store.openSessionsOfBrowser(randomUUID()), []);
    });

    test('browserWithOpenSessions reads the browser with its open sessions, newest authentication first, and their accounts, each once, in one call (issue 18, P1)', async (store) => {
      const { browser, session: first, account } = await seedSession(store, { authTime: NOW - 100 });
      const other = sampleAccount();
      await store.insertAccount(other);
      const second = sampleSession(browser.id, other.id, { authTime: NOW, amr: ['pwd', 'otp'] });
      await store.insertSession(second);
      const third = sampleAccount();
      await store.insertAccount(third);
      await store.insertSession(sampleSession(browser.id, third.id, { authTime: NOW + 5, endedAt: NOW + 6, endReason: 'logout' }));
      same(await store.browserWithOpenSessions(browser.id), { browser, sessions: [second, first], accounts: [other, account] });
      // A disabled account is still returned with its session: whether it counts is the caller's decision (signedInAccounts).
      await store.updateAccount(other.id, { disabled: true });
      same((await store.browserWithOpenSessions(browser.id))?.accounts, [{ ...other, disabled: true }, account]);
      const empty: Browser = { id: randomUUID(), secretHash: 'h', createdAt: NOW };
      await store.insertBrowser(empty);
      same(await store.browserWithOpenSessions(empty.id), { browser: empty, sessions: [], accounts: [] });
      assert.equal(await store.browserWithOpenSessions(randomUUID()), undefined);
      assert.equal(await store.browserWithOpenSessions("x' OR '1'='1"), undefined, 'hostile input is only a value');
    });

    test('updates only the patched session fields; an ended session leaves the open list', async (store) => {
      const { session, browser } = await seedSession(store);
      await store.updateSession(session.id, { lastSeen: NOW + 60, idleExpiresAt: NOW + 1860, lastIp: '10.0.0.1', rememberMe: true, amr: ['pwd', 'otp', 'x'] });
      same(await store.sessionById(session.id), {
        ...session, lastSeen: NOW + 60, idleExpiresAt: NOW + 1860, lastIp: '10.0.0.1', rememberMe: true, amr: ['pwd', 'otp', 'x'],
      });
      await store.endSessions({ sessionId: session.id }, { reason: 'expired_idle', actor: 'system', at: NOW + 70 });
      const ended = await store.sessionById(session.id);
      assert.equal(ended?.endedAt, NOW + 70);
      assert.equal(ended?.endReason, 'expired_idle');
      assert.equal(ended?.endedBy, 'system');
      same(await store.openSessionsOfBrowser(browser.id), []);
    });

    test('upsertParticipant keeps the first sid and first authentication and moves the last one', async (store) => {
      const { session } = await seedSession(store);
      const first = await store.upsertParticipant({ sessionId: session.id, clientId: 'web', sid: 'sid-first', firstAuthAt: NOW, lastAuthAt: NOW, lastSeenAt: NOW });
      same(first, { sessionId: session.id, clientId: 'web', sid: 'sid-first', firstAuthAt: NOW, lastAuthAt: NOW, lastSeenAt: NOW });
      const again = await store.upsertParticipant({ sessionId: session.id, clientId: 'web', sid: 'sid-second', firstAuthAt: NOW + 50, lastAuthAt: NOW + 50, lastSeenAt: NOW + 50 });
      same(again, { sessionId: session.id, clientId: 'web', sid: 'sid-first', firstAuthAt: NOW, lastAuthAt: NOW + 50, lastSeenAt: NOW + 50 });
      same(await store.participantBySid('sid-first'), again);
      assert.equal(await store.participantBySid('sid-second'), undefined);
    });

    test('recordAuthorization with a participant new to the session stores it and a code carrying its sid (issue 18, P1)', async (store) => {
      const { session, account } = await seedSession(store);
      const code = sampleCode(session.id, account.id, { sid: 'sid-new' });
      const p = { sessionId: session.id, clientId: 'web', sid: 'sid-new', firstAuthAt: NOW, lastAuthAt: NOW, lastSeenAt: NOW };
      assert.equal(await store.recordAuthorization({ participant: p, code }), 'sid-new');
      same(await store.participantsOf(session.id), [p]);
      same((await store.redeemCode(code.hash, NOW + 1, randomUUID()))?.code, code);
    });

    test('recordAuthorization upserting a participant another request made first keeps its sid, for the code too, and moves its last authentication', async (store) => {
      const { session, account } = await seedSession(store);
      await store.upsertParticipant({ sessionId: session.id, clientId: 'web', sid: 'sid-won', firstAuthAt: NOW, lastAuthAt: NOW, lastSeenAt: NOW });
      const code = sampleCode(session.id, account.id, { sid: 'sid-lost' });
      const p = { sessionId: session.id, clientId: 'web', sid: 'sid-lost', firstAuthAt: NOW + 90, lastAuthAt: NOW + 90, lastSeenAt: NOW + 90 };
      assert.equal(await store.recordAuthorization({ participant: p, code }), 'sid-won');
      same(await store.participantsOf(session.id), [{ ...p, sid: 'sid-won', firstAuthAt: NOW }]);
      same((await store.redeemCode(code.hash, NOW + 91, randomUUID()))?.code, { ...code, sid: 'sid-won' });
    });

    test('recordAuthorization without a participant writes the code alone and leaves the participant as it was', async (store) => {
      const { session, account } = await seedSession(store);
      const stored = await store.upsertParticipant({ sessionId: session.id, clientId: 'web', sid: 'sid-web', firstAuthAt: NOW, lastAuthAt: NOW, lastSeenAt: NOW });
      const code = sampleCode(session.id, account.id, { sid: 'sid-web' });
      assert.equal(await store.recordAuthorization({ code }), 'sid-web');
      same(await store.participantsOf(session.id), [stored]);
      same((await store.redeemCode(code.hash, NOW + 1, randomUUID()))?.code, code);
    });

    test('recordAuthorization is all or nothing: a code that cannot be stored leaves no participant behind', async (store) => {
      const { session, account } = await seedSession(store);
      const code = sampleCode(session.id, account.id);
      await store.insertCode(code);
      const p = { sessionId: session.id, clientId: 'other', sid: 'sid-other', firstAuthAt: NOW, lastAuthAt: NOW, lastSeenAt: NOW };
      await assert.rejects(store.recordAuthorization({ participant: p, code: { ...code, clientId: 'other', sid: 'sid-other' } }));
      same(await store.participantsOf(session.id), []);
    });

    test('each client of a session is its own participant with its own sid', async (store) => {
      const { session } = await seedSession(store);
      const a = await store.upsertParticipant({ sessionId: session.id, clientId: 'a', sid: 'sid-a', firstAuthAt: NOW, lastAuthAt: NOW, lastSeenAt: NOW });
      const b = await store.upsertParticipant({ sessionId: session.id, clientId: 'b', sid: 'sid-b', firstAuthAt: NOW, lastAuthAt: NOW, lastSeenAt: NOW });
      assert.equal(a.sid, 'sid-a');
      assert.equal(b.sid, 'sid-b');
      assert.equal((await store.participantBySid('sid-b'))?.clientId, 'b');
    });

    test('countLiveSessions counts sessions neither ended nor past an expiry (the signoff_sessions_open gauge)', async (store) => {
      const { account, session } = await seedSession(store);
      await insertOnNewBrowser(store, account.id, { idleExpiresAt: NOW + 10 });
      await insertOnNewBrowser(store, account.id, { absoluteExpiresAt: NOW + 20 });
      assert.equal(await store.countLiveSessions(NOW), 3);
      assert.equal(await store.countLiveSessions(NOW + 10), 2, 'idle expiry at the instant itself: no longer live');
      assert.equal(await store.countLiveSessions(NOW + 20), 1);
      await store.endSessions({ sessionId: session.id }, ENDING);
      assert.equal(await store.countLiveSessions(NOW), 2);
    });

    test('listSessions filters by account and browser, newest first, with or without ended ones', async (store) => {
      const a = await seedSession(store, { createdAt: NOW });
      const b = await insertOnNewBrowser(store, a.account.id, { createdAt: NOW + 1 });
      const other = sampleAccount();
      await store.insertAccount(other);
      const c = sampleSession(a.browser.id, other.id, { createdAt: NOW + 2 });
      await store.insertSession(c);
      await seedSession(store);
      same((await store.listSessions({ accountId: a.account.id, limit: 10 })).map((s) => s.id), [b.id, a.session.id]);
      same((await store.listSessions({ browserId: a.browser.id, limit: 1 })).map((s) => s.id), [c.id]);
      await store.endSessions({ sessionId: b.id }, ENDING);
      same((await store.listSessions({ accountId: a.account.id, limit: 10 })).map((s) => s.id), [a.session.id]);
      same((await store.listSessions({ accountId: a.account.id, includeEnded: true, limit: 10 })).map((s) => s.id), [b.id, a.session.id]);
    });

    test('pageSessions pages in (created_at DESC, id) order after a key, ties by id', async (store) => {
      const a = await seedSession(store, { createdAt: NOW });
      const same1 = await insertOnNewBrowser(store, a.account.id, { createdAt: NOW + 1 });
      const same2 = await insertOnNewBrowser(store, a.account.id, { createdAt: NOW + 1 });
      const newest = await insertOnNewBrowser(store, a.account.id, { createdAt: NOW + 2 });
      const tied = [same1, same2].sort((x, y) => (x.id < y.id ? -1 : 1));
      const order = [newest.id, tied[0]!.id, tied[1]!.id, a.session.id];
      same((await store.pageSessions({ accountId: a.account.id, limit: 10 })).map((s) => s.id), order);
      const first = await store.pageSessions({ accountId: a.account.id, limit: 2 });
      same(first.map((s) => s.id), order.slice(0, 2));
      const last = first.at(-1)!;
      same((await store.pageSessions({ accountId: a.account.id, after: { createdAt: last.createdAt, id: last.id }, limit: 2 })).map((s) => s.id), order.slice(2));
      same(await store.pageSessions({ accountId: a.account.id, after: { createdAt: a.session.createdAt, id: a.session.id }, limit: 2 }), []);
    });

    test('pageSessions filters by account, by a client signed in through the session, and by liveness at a time', async (store) => {
      const live = await seedSession(store, { createdAt: NOW });
      const idle = await insertOnNewBrowser(store, live.account.id, { createdAt: NOW + 1, idleExpiresAt: NOW + 10 });
      const ended = await insertOnNewBrowser(store, live.account.id, { createdAt: NOW + 2 });
      await store.endSessions({ sessionId: ended.id }, ENDING);
      const other = await seedSession(store, { createdAt: NOW + 3 });
      await store.upsertParticipant({ sessionId: live.session.id, clientId: 'web', sid: `sid-${randomUUID()}`, firstAuthAt: NOW, lastAuthAt: NOW, lastSeenAt: NOW });
      await store.upsertParticipant({ sessionId: live.session.id, clientId: 'spa', sid: `sid-${randomUUID()}`, firstAuthAt: NOW, lastAuthAt: NOW, lastSeenAt: NOW });
      await store.upsertParticipant({ sessionId: other.session.id, clientId: 'web', sid: `sid-${randomUUID()}`, firstAuthAt: NOW, lastAuthAt: NOW, lastSeenAt: NOW });
      const ids = async (q: Omit<Parameters<typeof store.pageSessions>[0], 'limit'>) => (await store.pageSessions({ ...q, limit: 10 })).map((s) => s.id);
      same(await ids({ accountId: live.account.id }), [ended.id, idle.id, live.session.id]);
      same(await ids({ clientId: 'web' }), [other.session.id, live.session.id], 'each session once, however many clients');
      same(await ids({ clientId: 'web', accountId: live.account.id }), [live.session.id]);
      same(await ids({ accountId: live.account.id, live: { live: true, at: NOW + 10 } }), [live.session.id], 'idle expiry at the instant itself: no longer live');
      same(await ids({ accountId: live.account.id, live: { live: true, at: NOW + 9 } }), [idle.id, live.session.id]);
      same(await ids({ accountId: live.account.id, live: { live: false, at: NOW + 10 } }), [ended.id, idle.id]);
    });

    test('touchParticipant only moves last-seen forward; participantsOf lists a session\'s clients', async (store) => {
      const { session } = await seedParticipants(store);
      await store.touchParticipant(session.id, 'bcl', NOW + 30);
      await store.touchParticipant(session.id, 'bcl', NOW + 10);
      const bcl = (await store.participantsOf(session.id)).find((p) => p.clientId === 'bcl');
      assert.equal(bcl?.lastSeenAt, NOW + 30);
      assert.equal(bcl?.lastAuthAt, NOW, 'a refresh is not an authentication');
    });
  });
};
