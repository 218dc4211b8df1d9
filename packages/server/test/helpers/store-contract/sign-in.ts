/**
 * The sign-in contract (SessionStore.recordSignIn): issue 11 §1 "sign-in becomes one store
 * operation … and a unique index guarantees at most one open session per (browser, account)";
 * DESIGN.md "Domain model": a session is "one per (browser, account)".
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe } from 'node:test';
import type { SignInAuthorization, SignInRecord, SignInResult } from '../../../src/sessions/store.js';
import type { Store } from '../../../src/store/types.js';
import { type MakeStore, NOW, same, sampleAccount, sampleInteraction, sampleSession, seedFamily, seedSession, storeTest } from './samples.js';

/** A sign-in of `accountId` on `browserId` at `at`, with a fresh cookie hash and session id. */
const record = (browserId: string, accountId: string, at = NOW, over: Partial<SignInRecord> = {}): SignInRecord => ({
  browser: { id: browserId, secretHash: `hash-${randomUUID()}`, createdAt: at },
  session: sampleSession(browserId, accountId, {
    createdAt: at, authTime: at, lastSeen: at, idleExpiresAt: at + 1800, absoluteExpiresAt: at + 3600, amr: ['pwd', 'otp'], acr: 'mfa',
    factors: [{ method: 'password', at }, { method: 'totp', at }],
  }),
  ...over,
});

/** An authorization answered at sign-in: a stored interaction, a fresh sid and code hash. */
const answering = async (store: Store, clientId = 'web'): Promise<SignInAuthorization> => {
  const interaction = sampleInteraction();
  await store.insertInteraction(interaction);
  return {
    interactionId: interaction.id,
    clientId,
    sid: `sid-${randomUUID()}`,
    code: { hash: `code-${randomUUID()}`, redirectUri: 'https://app.example.test/cb', scope: ['openid', 'email'], nonce: 'n', codeChallenge: 'cc', expiresAt: NOW + 60 },
  };
};

/** A sign-in without an authorization always has a result. */
const recorded = async (store: Store, r: SignInRecord): Promise<SignInResult> => {
  const result = await store.recordSignIn(r);
  assert.ok(result);
  return result;
};

const eventsOf = async (store: Store, sessionId: string): Promise<string[]> =>
  (await store.listEvents({ sessionId, limit: 20 })).map((e) => e.type);

export const signInContract = (makeStore: MakeStore): void => {
  const test = storeTest(makeStore);

  describe('sign-in as one operation (issue 11 §1; DESIGN.md "Domain model": one session per (browser, account))', () => {
    test('issue 11 §1: a first sign-in writes the browser, the session and its session.created event together', async (store) => {
      const account = sampleAccount();
      await store.insertAccount(account);
      const r = record(randomUUID(), account.id);
      const result = await recorded(store, r);
      assert.equal(result.created, true);
      same(result.session, r.session);
      same(await store.browserById(r.browser.id), r.browser);
      same(await store.sessionById(r.session.id), r.session);
      same(await eventsOf(store, r.session.id), ['session.created']);
      same(result.endings, []);
    });

    test('DESIGN.md "Domain model": re-authentication updates the one open session of (browser, account) and replaces the cookie hash', async (store) => {
      const { browser, account, session } = await seedSession(store, { absoluteExpiresAt: NOW + 90_000 });
      const r = record(browser.id, account.id, NOW + 10);
      const result = await recorded(store, r);
      assert.equal(result.created, false);
      assert.equal(result.session.id, session.id);
      same(await store.sessionById(session.id), {
        ...session, authTime: NOW + 10, lastSeen: NOW + 10, amr: ['pwd', 'otp'], acr: 'mfa', factors: r.session.factors, rememberMe: r.session.rememberMe,
        idleExpiresAt: NOW + 1810, absoluteExpiresAt: NOW + 90_000, lastIp: r.session.lastIp, lastUserAgent: r.session.lastUserAgent,
      }, 'the absolute expiry is the later of the two');
      same(result.session, await store.sessionById(session.id));
      same(await store.browserById(browser.id), { ...browser, secretHash: r.browser.secretHash }, 'created_at kept, secret replaced');
      same(await eventsOf(store, session.id), ['session.reauthenticated']);
      assert.equal(await store.sessionById(r.session.id), undefined);
    });

    test('issue 14 §3: a step-up keeps the session (same id, so the same sids) with the new factors, and its event is session.stepped_up', async (store) => {
      const { browser, account, session } = await seedSession(store, { factors: [{ method: 'password', at: NOW }], amr: ['pwd'] });
      const factors = [{ method: 'password' as const, at: NOW }, { method: 'passkey' as const, at: NOW + 20, userVerified: true }];
      const r = record(browser.id, account.id, NOW + 20, { steppedUp: true });
      const result = await recorded(store, { ...r, session: { ...r.session, factors, amr: ['pwd', 'swk', 'pop', 'user', 'mfa'] } });
      assert.equal(result.session.id, session.id);
      same((await store.sessionById(session.id))?.factors, factors);
      same(await eventsOf(store, session.id), ['session.stepped_up']);
    });

    test('issue 11 §1: two concurrent sign-ins for the same (browser, account) end with one open session', async (store) => {
      const { browser, account } = await seedSession(store, { endedAt: NOW - 5, endReason: 'logout' });
      const results = await Promise.all([recorded(store, record(browser.id, account.id)), recorded(store, record(browser.id, account.id))]);
      const open = await store.openSessionsOfBrowser(browser.id);
      assert.equal(open.length, 1);
      same(results.map((r) => r.session.id), [open[0]?.id, open[0]?.id], 'both resolve to the one open session');
      same(results.map((r) => r.created).sort(), [false, true]);
      same(await eventsOf(store, open[0]?.id ?? ''), ['session.created', 'session.reauthenticated']);
    });

    test('issue 11 §1: the unique index refuses a second open session of one (browser, account), not an ended one', async (store) => {
      const { browser, account, session } = await seedSession(store);
      await assert.rejects(store.insertSession(sampleSession(browser.id, account.id)));
      same((await store.openSessionsOfBrowser(browser.id)).map((s) => s.id), [session.id]);
      await store.insertSession(sampleSession(browser.id, account.id, { endedAt: NOW, endReason: 'logout' }));
      const other = sampleAccount();
      await store.insertAccount(other);
      await store.insertSession(sampleSession(browser.id, other.id));
      assert.equal((await store.openSessionsOfBrowser(browser.id)).length, 2, 'another account on the same browser is its own session');
    });

    test('an open but expired (unswept) session of the pair is ended by the ending path and a new one created, in the same operation', async (store) => {
      const { browser, account, session } = await seedSession(store, { idleExpiresAt: NOW - 1 });
      const r = record(browser.id, account.id);
      const result = await recorded(store, r);
      assert.equal(result.created, true);
      same(result.endings.map((e) => [e.reason, e.sessions.map((s) => s.id)]), [['expired_idle', [session.id]]]);
      const old = await store.sessionById(session.id);
      assert.equal(old?.endReason, 'expired_idle');
      assert.equal(old?.endedBy, 'system');
      same(await eventsOf(store, session.id), ['session.ended']);
      same((await store.openSessionsOfBrowser(browser.id)).map((s) => s.id), [r.session.id]);
    });

    test('a new session past maxSessionsPerAccount ends the oldest (reason limit) in the same operation', async (store) => {
      const { account, session: oldest } = await seedSession(store, { createdAt: NOW - 20 });
      const r = record(randomUUID(), account.id, NOW, { maxSessionsPerAccount: 1 });
      const result = await recorded(store, r);
      same(result.endings.map((e) => [e.reason, e.sessions.map((s) => s.id)]), [['limit', [oldest.id]]]);
      assert.equal((await store.sessionById(oldest.id))?.endReason, 'limit');
      same((await store.listSessions({ accountId: account.id, limit: 10 })).map((s) => s.id), [r.session.id]);
    });

    test('issue 11 §1: a sign-in that fails part-way (its session violates a constraint) leaves nothing written', async (store) => {
      const fresh = record(randomUUID(), randomUUID()); // no such account: the session row is refused
      await assert.rejects(store.recordSignIn(fresh));
      assert.equal(await store.browserById(fresh.browser.id), undefined, 'the new browser is rolled back');
      const { browser, account } = await seedSession(store, { idleExpiresAt: NOW - 1 });
      const bad = record(browser.id, account.id);
      bad.session.acr = null as unknown as string; // NOT NULL: refused after the stale session was ended
      await assert.rejects(store.recordSignIn(bad));
      same(await store.browserById(browser.id), browser, 'the cookie hash is not replaced');
      assert.equal((await store.openSessionsOfBrowser(browser.id)).length, 1, 'the stale session is not ended');
      same(await store.listEvents({ limit: 20 }), []);
    });

    test('issue 11 §1: a sign-in that answers its request writes the participant and the code with the session, consuming the interaction', async (store) => {
      const account = sampleAccount();
      await store.insertAccount(account);
      const a = await answering(store);
      const r = record(randomUUID(), account.id, NOW, { authorization: a });
      const result = await recorded(store, r);
      same(result?.participant, { sessionId: r.session.id, clientId: 'web', sid: a.sid, firstAuthAt: NOW, lastAuthAt: NOW, lastSeenAt: NOW });
      same(await store.participantsOf(r.session.id), [result?.participant]);
      assert.equal(await store.interactionById(a.interactionId), undefined, 'consumed');
      const redeemed = await store.redeemCode(a.code.hash, NOW + 1, randomUUID());
      same(redeemed?.code, {
        ...a.code, clientId: 'web', accountId: account.id, sessionId: r.session.id, sid: a.sid, authTime: NOW, acr: 'mfa', amr: ['pwd', 'otp'],
        familyId: redeemed?.code.familyId, usedAt: redeemed?.code.usedAt,
      });
      assert.equal(redeemed?.replayed, false);
    });

    test('DESIGN.md "Domain model": re-authentication keeps the participant\'s sid (stable per session and client)', async (store) => {
      const { browser, account, session } = await seedSession(store);
      await store.upsertParticipant({ sessionId: session.id, clientId: 'web', sid: 'sid-kept', firstAuthAt: NOW - 50, lastAuthAt: NOW - 50, lastSeenAt: NOW - 50 });
      const a = await answering(store);
      const result = await store.recordSignIn(record(browser.id, account.id, NOW, { authorization: a }));
      same(result?.participant, { sessionId: session.id, clientId: 'web', sid: 'sid-kept', firstAuthAt: NOW - 50, lastAuthAt: NOW, lastSeenAt: NOW });
      assert.equal((await store.redeemCode(a.code.hash, NOW + 1, randomUUID()))?.code.sid, 'sid-kept');
    });

    test('a sign-in whose interaction was already completed writes nothing and answers undefined', async (store) => {
      const account = sampleAccount();
      await store.insertAccount(account);
      const a = await answering(store);
      await store.deleteInteraction(a.interactionId);
      const r = record(randomUUID(), account.id, NOW, { authorization: a });
      assert.equal(await store.recordSignIn(r), undefined);
      assert.equal(await store.browserById(r.browser.id), undefined);
      assert.equal(await store.sessionById(r.session.id), undefined);
      assert.equal(await store.redeemCode(a.code.hash, NOW, randomUUID()), undefined);
    });

    test('issue 11 §1: a code that violates a constraint rolls back the session, browser, participant, event and interaction consumption', async (store) => {
      const { code: taken } = await seedFamily(store); // a stored code whose hash the sign-in reuses
      const account = sampleAccount();
      await store.insertAccount(account);
      const a = await answering(store);
      a.code.hash = taken.hash;
      const r = record(randomUUID(), account.id, NOW, { authorization: a });
      await assert.rejects(store.recordSignIn(r));
      assert.equal(await store.browserById(r.browser.id), undefined);
      assert.equal(await store.sessionById(r.session.id), undefined);
      assert.equal(await store.participantBySid(a.sid), undefined);
      assert.ok(await store.interactionById(a.interactionId), 'the interaction is still there to retry');
      same(await eventsOf(store, r.session.id), []);
    });
  });
};
