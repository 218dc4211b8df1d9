/**
 * The Store contract (DESIGN.md "Layout": one typed interface with one contract test suite that
 * every implementation passes). Call `runStoreContract(name, makeStore)` from a test file with a
 * factory that returns a fresh, empty, migrated store; every test gets its own store and closes it.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, it } from 'node:test';
import type { Client } from '../../src/clients/store.js';
import type { Account } from '../../src/accounts/store.js';
import type { AuthorizationCode, RefreshToken } from '../../src/tokens/token-store.js';
import type { Browser, Session } from '../../src/sessions/store.js';
import type { Interaction } from '../../src/oauth/authorize/interaction-store.js';
import type { SigningKey } from '../../src/tokens/key-store.js';
import type { Store } from '../../src/store/types.js';

export const NOW = 1_750_000_000;

/**
 * Deep equality of plain data, where an absent optional field and one set to undefined are the
 * same (stores differ in which they return).
 */
const plain = (x: unknown): unknown => (x === undefined ? undefined : JSON.parse(JSON.stringify(x)));
export const same = (actual: unknown, expected: unknown, message?: string): void => assert.deepEqual(plain(actual), plain(expected), message);

export const sampleAccount = (over: Partial<Account> = {}): Account => ({
  id: randomUUID(),
  username: `user-${randomUUID().slice(0, 8)}`,
  passwordHash: '$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA',
  claims: { name: 'Some One', email: 'some@example.test', email_verified: true, nested: { a: [1, 2] } },
  disabled: false,
  createdAt: NOW,
  updatedAt: NOW,
  ...over,
});

export const sampleClient = (over: Partial<Client> = {}): Client => ({
  client_id: `client-${randomUUID().slice(0, 8)}`,
  client_name: 'Sample',
  redirect_uris: ['https://app.example.test/cb', 'http://127.0.0.1:8080/cb'],
  post_logout_redirect_uris: ['https://app.example.test/'],
  backchannel_logout_uri: 'https://app.example.test/bcl',
  backchannel_logout_session_required: true,
  frontchannel_logout_uri: undefined,
  frontchannel_logout_session_required: false,
  token_endpoint_auth_method: 'client_secret_basic',
  grant_types: ['authorization_code', 'refresh_token'],
  response_types: ['code'],
  scope: 'openid profile email offline_access',
  id_token_signed_response_alg: 'ES256',
  require_consent: true,
  require_pkce: false,
  allowed_origins: ['https://spa.example.test'],
  client_secret_hash: 'c2hhMjU2LW9mLXRoZS1zZWNyZXQtYmFzZTY0dXJsLWVuYw',
  source: 'cli',
  ...over,
});

export const sampleKey = (over: Partial<SigningKey> = {}): SigningKey => {
  const kid = over.kid ?? randomUUID();
  return {
    kid,
    alg: 'RS256',
    privateJwk: { kty: 'RSA', kid, n: 'AQAB-n', e: 'AQAB', d: 'private-d' },
    publicJwk: { kty: 'RSA', kid, n: 'AQAB-n', e: 'AQAB', use: 'sig' },
    createdAt: NOW,
    ...over,
  };
};

export const sampleSession = (browserId: string, accountId: string, over: Partial<Session> = {}): Session => ({
  id: randomUUID(),
  browserId,
  accountId,
  createdAt: NOW,
  authTime: NOW,
  lastSeen: NOW,
  idleExpiresAt: NOW + 1800,
  absoluteExpiresAt: NOW + 36000,
  amr: ['pwd', 'otp'],
  acr: '0',
  rememberMe: false,
  createdIp: '127.0.0.1',
  createdUserAgent: 'agent/1',
  lastIp: '127.0.0.1',
  lastUserAgent: 'agent/1',
  ...over,
});

export const sampleCode = (sessionId: string, accountId: string, over: Partial<AuthorizationCode> = {}): AuthorizationCode => ({
  hash: `code-hash-${randomUUID()}`,
  clientId: 'web',
  accountId,
  sessionId,
  sid: `sid-${randomUUID()}`,
  redirectUri: 'https://app.example.test/cb',
  scope: ['openid', 'profile'],
  nonce: 'n-0S6_WzA2Mj',
  codeChallenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
  authTime: NOW - 5,
  acr: '0',
  amr: ['pwd'],
  expiresAt: NOW + 60,
  ...over,
});

/** The records a session needs to exist (foreign keys): an account and a browser. */
export const seedSession = async (store: Store, over: Partial<Session> = {}): Promise<{ account: Account; browser: Browser; session: Session }> => {
  const account = sampleAccount();
  await store.insertAccount(account);
  const browser: Browser = { id: randomUUID(), secretHash: `browser-hash-${randomUUID()}`, createdAt: NOW };
  await store.insertBrowser(browser);
  const session = sampleSession(browser.id, account.id, over);
  await store.insertSession(session);
  return { account, browser, session };
};

/** A redeemed code's family, to hang refresh tokens on. */
export const seedFamily = async (store: Store, over: Partial<AuthorizationCode> = {}): Promise<{ familyId: string; code: AuthorizationCode }> => {
  const { account, session } = await seedSession(store);
  const code = sampleCode(session.id, account.id, over);
  await store.insertCode(code);
  const familyId = randomUUID();
  const redeemed = await store.redeemCode(code.hash, NOW, familyId);
  assert.equal(redeemed?.replayed, false);
  return { familyId, code };
};

export const sampleRefresh = (familyId: string, over: Partial<RefreshToken> = {}): RefreshToken => ({
  hash: `refresh-hash-${randomUUID()}`,
  familyId,
  clientId: 'web',
  scope: ['openid', 'offline_access'],
  createdAt: NOW,
  expiresAt: NOW + 86400,
  ...over,
});

const sampleInteraction = (over: Partial<Interaction> = {}): Interaction => ({
  id: randomUUID(),
  bindingHash: `binding-${randomUUID()}`,
  csrfToken: `csrf-${randomUUID()}`,
  request: { clientId: 'web', scope: ['openid'], state: 'st', prompt: [], nested: { ok: true } },
  createdAt: NOW,
  expiresAt: NOW + 600,
  step: 'login',
  ...over,
});

/** A test-declaring function whose tests each get their own fresh store, always closed. */
export const storeTest =
  (makeStore: () => Promise<Store>) =>
  (title: string, fn: (store: Store) => Promise<void>): void => {
    it(title, async () => {
      const store = await makeStore();
      try {
        await fn(store);
      } finally {
        await store.close();
      }
    });
  };

/** Runs the whole Store contract against fresh stores from `makeStore`. */
export const runStoreContract = (name: string, makeStore: () => Promise<Store>): void => {
  const test = storeTest(makeStore);

  describe(`Store contract: ${name}`, () => {
    test('answers ping while open', async (store) => {
      assert.equal(await store.ping(), true);
    });

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

      test('updates only the patched fields and reports whether the account exists', async (store) => {
        const a = sampleAccount();
        await store.insertAccount(a);
        assert.equal(await store.updateAccount(a.id, { disabled: true, updatedAt: NOW + 10 }), true);
        same(await store.accountById(a.id), { ...a, disabled: true, updatedAt: NOW + 10 });
        assert.equal(await store.updateAccount(a.id, { passwordHash: 'new-hash', claims: { name: 'X' } }), true);
        same(await store.accountById(a.id), { ...a, disabled: true, updatedAt: NOW + 10, passwordHash: 'new-hash', claims: { name: 'X' } });
        assert.equal(await store.updateAccount(randomUUID(), { disabled: true }), false);
      });
    });

    describe('clients', () => {
      test('round-trips a client with its metadata, secret hash and source', async (store) => {
        const c = sampleClient();
        await store.upsertClient(c);
        const got = await store.clientById(c.client_id);
        assert.ok(got);
        same(JSON.parse(JSON.stringify(got)), JSON.parse(JSON.stringify(c)));
        assert.equal(got.client_secret_hash, c.client_secret_hash);
        assert.equal(await store.clientById('nobody'), undefined);
      });

      test('a public client has no secret hash', async (store) => {
        const c = sampleClient({ token_endpoint_auth_method: 'none', client_secret_hash: undefined, source: 'config' });
        await store.upsertClient(c);
        const got = await store.clientById(c.client_id);
        assert.equal(got?.client_secret_hash, undefined);
        assert.equal(got?.source, 'config');
      });

      test('upsert replaces an existing client', async (store) => {
        const c = sampleClient();
        await store.upsertClient(c);
        await store.upsertClient({ ...c, redirect_uris: ['https://new.example.test/cb'], client_secret_hash: 'other', source: 'config' });
        const got = await store.clientById(c.client_id);
        same(got?.redirect_uris, ['https://new.example.test/cb']);
        assert.equal(got?.client_secret_hash, 'other');
        assert.equal(got?.source, 'config');
        assert.equal((await store.listClients()).length, 1);
      });

      test('lists clients by id and removes one once', async (store) => {
        await store.upsertClient(sampleClient({ client_id: 'b' }));
        await store.upsertClient(sampleClient({ client_id: 'a' }));
        same((await store.listClients()).map((c) => c.client_id), ['a', 'b']);
        assert.equal(await store.removeClient('a'), true);
        assert.equal(await store.removeClient('a'), false);
        same((await store.listClients()).map((c) => c.client_id), ['b']);
      });
    });

    describe('signing keys', () => {
      test('round-trips keys, newest first', async (store) => {
        const old = sampleKey({ createdAt: NOW - 100 });
        const newer = sampleKey({ alg: 'ES256', createdAt: NOW, privateJwk: { kty: 'EC', crv: 'P-256', d: 'd' }, publicJwk: { kty: 'EC', crv: 'P-256' } });
        await store.insertKey(old);
        await store.insertKey(newer);
        same(await store.listKeys(), [newer, old]);
      });

      test('retires only the current keys of one algorithm and reports how many', async (store) => {
        const rsOld = sampleKey({ createdAt: NOW - 10, retiredAt: NOW - 5, publishUntil: NOW + 100 });
        const rs = sampleKey({ createdAt: NOW - 1 });
        const es = sampleKey({ alg: 'ES256', createdAt: NOW - 2 });
        for (const k of [rsOld, rs, es]) await store.insertKey(k);
        assert.equal(await store.retireKeys('RS256', NOW, NOW + 3600), 1);
        const byKid = new Map((await store.listKeys()).map((k) => [k.kid, k]));
        assert.equal(byKid.get(rs.kid)?.retiredAt, NOW);
        assert.equal(byKid.get(rs.kid)?.publishUntil, NOW + 3600);
        assert.equal(byKid.get(rsOld.kid)?.retiredAt, NOW - 5, 'an already retired key keeps its dates');
        assert.equal(byKid.get(rsOld.kid)?.publishUntil, NOW + 100);
        assert.equal(byKid.get(es.kid)?.retiredAt, undefined, 'other algorithms are untouched');
        assert.equal(await store.retireKeys('RS256', NOW + 1, NOW + 1), 0);
      });

      test('finds a key by kid and round-trips its activation time (issue 10 §5)', async (store) => {
        const k = sampleKey({ activatesAt: NOW + 70 });
        await store.insertKey(k);
        same(await store.keyByKid(k.kid), k);
        assert.equal(await store.keyByKid('nope'), undefined);
      });

      test('replaces the stored private key of one key only', async (store) => {
        const [a, b] = [sampleKey(), sampleKey()];
        for (const k of [a, b]) await store.insertKey(k);
        const sealed = { enc: 'A256GCM', kek: 'x', iv: 'i', tag: 't', ct: 'c' };
        assert.equal(await store.updateKeyPrivateJwk(a.kid, sealed), true);
        assert.equal(await store.updateKeyPrivateJwk('nope', sealed), false);
        same((await store.keyByKid(a.kid))?.privateJwk, sealed);
        same((await store.keyByKid(b.kid))?.privateJwk, b.privateJwk);
      });

      test('revokes a key once, ending its signing and publication at that time (issue 10 §5)', async (store) => {
        const current = sampleKey();
        const retired = sampleKey({ retiredAt: NOW - 5, publishUntil: NOW + 100 });
        const later = sampleKey({ retiredAt: NOW + 50, publishUntil: NOW + 500 });
        for (const k of [current, retired, later]) await store.insertKey(k);
        for (const k of [current, retired, later]) assert.equal(await store.revokeKey(k.kid, NOW), true);
        assert.equal(await store.revokeKey(current.kid, NOW + 1), false, 'already revoked');
        assert.equal(await store.revokeKey('nope', NOW), false);
        const byKid = new Map((await store.listKeys()).map((k) => [k.kid, k]));
        same([current, retired, later].map((k) => byKid.get(k.kid)).map((k) => [k?.revokedAt, k?.retiredAt, k?.publishUntil]), [
          [NOW, NOW, NOW],
          [NOW, NOW - 5, NOW],
          [NOW, NOW, NOW],
        ]);
      });

      test('rejects a second key with the same kid', async (store) => {
        const k = sampleKey();
        await store.insertKey(k);
        await assert.rejects(store.insertKey(k));
      });
    });

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

      test('each client of a session is its own participant with its own sid', async (store) => {
        const { session } = await seedSession(store);
        const a = await store.upsertParticipant({ sessionId: session.id, clientId: 'a', sid: 'sid-a', firstAuthAt: NOW, lastAuthAt: NOW, lastSeenAt: NOW });
        const b = await store.upsertParticipant({ sessionId: session.id, clientId: 'b', sid: 'sid-b', firstAuthAt: NOW, lastAuthAt: NOW, lastSeenAt: NOW });
        assert.equal(a.sid, 'sid-a');
        assert.equal(b.sid, 'sid-b');
        assert.equal((await store.participantBySid('sid-b'))?.clientId, 'b');
      });
    });

    describe('interactions', () => {
      test('round-trips an interaction with its request', async (store) => {
        const i = sampleInteraction();
        await store.insertInteraction(i);
        same(await store.interactionById(i.id), i);
        assert.equal(await store.interactionById(randomUUID()), undefined);
      });

      test('updates the session, the step and the request, each patch keeping the other fields', async (store) => {
        const i = sampleInteraction({ step: 'choose' });
        await store.insertInteraction(i);
        await store.updateInteraction(i.id, { sessionId: 'sess-1' });
        same(await store.interactionById(i.id), { ...i, sessionId: 'sess-1' });
        const request = { ...i.request, loginHint: 'alice' };
        await store.updateInteraction(i.id, { step: 'login', request });
        same(await store.interactionById(i.id), { ...i, sessionId: 'sess-1', step: 'login', request });
      });

      test('deleteInteraction is true once, then false (consumed once)', async (store) => {
        const i = sampleInteraction();
        await store.insertInteraction(i);
        assert.equal(await store.deleteInteraction(i.id), true);
        assert.equal(await store.deleteInteraction(i.id), false);
        assert.equal(await store.interactionById(i.id), undefined);
      });

      test('concurrent deleteInteraction calls consume it exactly once', async (store) => {
        const i = sampleInteraction();
        await store.insertInteraction(i);
        const results = await Promise.all([store.deleteInteraction(i.id), store.deleteInteraction(i.id), store.deleteInteraction(i.id)]);
        assert.equal(results.filter(Boolean).length, 1);
      });

      test('deleteExpiredInteractions removes those expired at `now` and reports how many', async (store) => {
        const expired = sampleInteraction({ expiresAt: NOW - 1 });
        const edge = sampleInteraction({ expiresAt: NOW });
        const live = sampleInteraction({ expiresAt: NOW + 1 });
        for (const i of [expired, edge, live]) await store.insertInteraction(i);
        assert.equal(await store.deleteExpiredInteractions(NOW), 2);
        assert.equal(await store.interactionById(expired.id), undefined);
        assert.equal(await store.interactionById(edge.id), undefined);
        same(await store.interactionById(live.id), live);
        assert.equal(await store.deleteExpiredInteractions(NOW), 0);
      });
    });

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

    describe('authorization codes and token families (RFC 6749 §4.1.2: single use; a replay revokes what it issued)', () => {
      test('redeemCode of an unknown code is undefined', async (store) => {
        assert.equal(await store.redeemCode('unknown-hash', NOW, randomUUID()), undefined);
      });

      test('the first redeem is not a replay and creates the family from the code', async (store) => {
        const { session, account } = await seedSession(store);
        const code = sampleCode(session.id, account.id, { scope: ['openid', 'offline_access'] });
        await store.insertCode(code);
        const familyId = randomUUID();
        const first = await store.redeemCode(code.hash, NOW + 1, familyId);
        assert.ok(first);
        assert.equal(first.replayed, false);
        assert.equal(first.code.hash, code.hash);
        assert.equal(first.code.clientId, code.clientId);
        assert.equal(first.code.sid, code.sid);
        assert.equal(first.code.redirectUri, code.redirectUri);
        same(first.code.scope, code.scope);
        assert.equal(first.code.nonce, code.nonce);
        assert.equal(first.code.codeChallenge, code.codeChallenge);
        same(first.code.amr, code.amr);
        assert.equal(first.code.expiresAt, code.expiresAt);
        same(await store.familyById(familyId), {
          id: familyId, clientId: code.clientId, accountId: account.id, sessionId: session.id, offline: true, sid: code.sid,
          scope: code.scope, authTime: code.authTime, acr: code.acr, amr: code.amr, createdAt: NOW + 1, revokedAt: undefined,
        });
      });

      test('a code without nonce or challenge round-trips them as undefined; a family without offline_access is not offline', async (store) => {
        const { session, account } = await seedSession(store);
        const code = sampleCode(session.id, account.id, { nonce: undefined, codeChallenge: undefined });
        await store.insertCode(code);
        const familyId = randomUUID();
        const r = await store.redeemCode(code.hash, NOW, familyId);
        assert.equal(r?.code.nonce, undefined);
        assert.equal(r?.code.codeChallenge, undefined);
        assert.equal((await store.familyById(familyId))?.offline, false);
      });

      test('the second redeem is a replay and revokes the family the first created', async (store) => {
        const { familyId, code } = await seedFamily(store);
        const second = await store.redeemCode(code.hash, NOW + 30, randomUUID());
        assert.ok(second);
        assert.equal(second.replayed, true);
        assert.equal(second.code.familyId, familyId);
        assert.equal((await store.familyById(familyId))?.revokedAt, NOW + 30);
        const third = await store.redeemCode(code.hash, NOW + 40, randomUUID());
        assert.equal(third?.replayed, true);
        assert.equal((await store.familyById(familyId))?.revokedAt, NOW + 30, 'the first revocation time is kept');
      });

      test('concurrent redeems of one code let exactly one through', async (store) => {
        const { session, account } = await seedSession(store);
        const code = sampleCode(session.id, account.id);
        await store.insertCode(code);
        const results = await Promise.all([1, 2, 3].map(() => store.redeemCode(code.hash, NOW, randomUUID())));
        assert.equal(results.filter((r) => r && !r.replayed).length, 1);
        assert.equal(results.filter((r) => r?.replayed).length, 2);
      });

      test('revokeFamily sets the revocation time once', async (store) => {
        const { familyId } = await seedFamily(store);
        assert.equal((await store.familyById(familyId))?.revokedAt, undefined);
        await store.revokeFamily(familyId, NOW + 10);
        await store.revokeFamily(familyId, NOW + 20);
        assert.equal((await store.familyById(familyId))?.revokedAt, NOW + 10);
        await store.revokeFamily(randomUUID(), NOW); // unknown: no error
        assert.equal(await store.familyById(randomUUID()), undefined);
      });

      test('deleteExpiredCodes removes codes expired at `now` and reports how many', async (store) => {
        const { session, account } = await seedSession(store);
        const old = sampleCode(session.id, account.id, { expiresAt: NOW - 1 });
        const edge = sampleCode(session.id, account.id, { expiresAt: NOW });
        const live = sampleCode(session.id, account.id, { expiresAt: NOW + 1 });
        for (const c of [old, edge, live]) await store.insertCode(c);
        assert.equal(await store.deleteExpiredCodes(NOW), 2);
        assert.equal(await store.redeemCode(old.hash, NOW, randomUUID()), undefined);
        assert.equal((await store.redeemCode(live.hash, NOW, randomUUID()))?.replayed, false);
      });
    });

    describe('refresh tokens (RFC 6749 §6, rotation)', () => {
      test('round-trips a refresh token by hash', async (store) => {
        const { familyId } = await seedFamily(store);
        const t = sampleRefresh(familyId);
        await store.insertRefreshToken(t);
        same(await store.refreshTokenByHash(t.hash), { ...t, usedAt: undefined });
        assert.equal(await store.refreshTokenByHash('unknown'), undefined);
      });

      test('markRefreshTokenUsed is true once, then false', async (store) => {
        const { familyId } = await seedFamily(store);
        const t = sampleRefresh(familyId);
        await store.insertRefreshToken(t);
        assert.equal(await store.markRefreshTokenUsed(t.hash, NOW + 5), true);
        assert.equal(await store.markRefreshTokenUsed(t.hash, NOW + 6), false);
        assert.equal((await store.refreshTokenByHash(t.hash))?.usedAt, NOW + 5);
        assert.equal(await store.markRefreshTokenUsed('unknown', NOW), false);
      });

      test('concurrent markRefreshTokenUsed calls succeed exactly once', async (store) => {
        const { familyId } = await seedFamily(store);
        const t = sampleRefresh(familyId);
        await store.insertRefreshToken(t);
        const results = await Promise.all([1, 2, 3].map((n) => store.markRefreshTokenUsed(t.hash, NOW + n)));
        assert.equal(results.filter(Boolean).length, 1);
      });

      test('a refresh token needs an existing family', async (store) => {
        await assert.rejects(store.insertRefreshToken(sampleRefresh(randomUUID())));
      });
    });

    describe('back-channel outbox (Back-Channel Logout 1.0 §2.5; DESIGN.md "Back-channel delivery")', () => {
      /** Ends a session with `n` participant clients that have a backchannel_logout_uri: n pending rows. */
      const seedDeliveries = async (store: Store, n: number): Promise<string[]> => {
        const { session } = await seedSession(store);
        for (let i = 0; i < n; i++) {
          const client = sampleClient();
          await store.upsertClient(client);
          await store.upsertParticipant({ sessionId: session.id, clientId: client.client_id, sid: `sid-${randomUUID()}`, firstAuthAt: NOW, lastAuthAt: NOW, lastSeenAt: NOW });
        }
        await store.endSessions({ sessionId: session.id }, { reason: 'logout', actor: 'user', at: NOW });
        return (await store.listDeliveries({ sessionId: session.id, limit: 100 })).map((d) => d.id);
      };
      const claim = (store: Store, owner: string, now = NOW, limit = 10) => store.claimDeliveries({ owner, now, leaseSeconds: 30, limit });

      test('the ending path writes one pending row per participant with a backchannel_logout_uri, due at once', async (store) => {
        const ids = await seedDeliveries(store, 2);
        assert.equal(ids.length, 2);
        const rows = await store.listDeliveries({ status: 'pending', limit: 10 });
        assert.deepEqual(rows.map((r) => [r.status, r.attempts, r.nextAttemptAt, r.reason]), [['pending', 0, NOW, 'logout'], ['pending', 0, NOW, 'logout']]);
        same(await store.countDeliveries(), { pending: 2, delivered: 0, failed: 0 });
      });

      test('claimDeliveries leases due rows once, counts the attempt, and respects the limit', async (store) => {
        await seedDeliveries(store, 3);
        const first = await claim(store, 'w1', NOW, 2);
        assert.equal(first.length, 2);
        for (const r of first) {
          assert.equal(r.leaseOwner, 'w1');
          assert.equal(r.leaseUntil, NOW + 30);
          assert.equal(r.attempts, 1);
        }
        const second = await claim(store, 'w2');
        assert.equal(second.length, 1, 'only the row nobody holds');
        assert.ok(!first.some((r) => r.id === second[0]?.id));
        assert.equal((await claim(store, 'w3')).length, 0);
      });

      test('claimDeliveries passes over the rows of the clients it is told to skip', async (store) => {
        await seedDeliveries(store, 3);
        const all = await store.listDeliveries({ limit: 10 });
        const skipped = [all[0]?.clientId, all[1]?.clientId] as string[];
        const claimed = await store.claimDeliveries({ owner: 'w', now: NOW, leaseSeconds: 30, limit: 10, skipClients: skipped });
        assert.deepEqual(claimed.map((r) => r.clientId), [all[2]?.clientId]);
      });

      test('two claimers racing get disjoint rows', async (store) => {
        await seedDeliveries(store, 6);
        const [a, b] = await Promise.all([claim(store, 'a', NOW, 4), claim(store, 'b', NOW, 4)]);
        const ids = [...(a ?? []), ...(b ?? [])].map((r) => r.id);
        assert.equal(ids.length, 6);
        assert.equal(new Set(ids).size, 6);
      });

      test('an expired lease is claimable again; a row not yet due is not', async (store) => {
        const [id] = await seedDeliveries(store, 1);
        await claim(store, 'crashed');
        assert.equal((await claim(store, 'w', NOW + 29.5)).length, 0);
        const again = await claim(store, 'w', NOW + 30);
        assert.equal(again[0]?.id, id);
        assert.equal(again[0]?.attempts, 2);
        assert.equal(await store.rescheduleDelivery(id as string, 'w', NOW + 31.25, 'HTTP 503'), true);
        assert.equal((await claim(store, 'w', NOW + 31)).length, 0);
        assert.equal((await claim(store, 'w', NOW + 31.25)).length, 1, 'fractional seconds are kept');
      });

      test('outcomes are recorded only by the lease holder and clear the lease', async (store) => {
        const [a, b, c] = (await seedDeliveries(store, 3)) as [string, string, string];
        await claim(store, 'w');
        assert.equal(await store.markDelivered(a, 'intruder', NOW + 1), false);
        assert.equal(await store.markDelivered(a, 'w', NOW + 1), true);
        assert.equal(await store.markDelivered(a, 'w', NOW + 2), false, 'settled once');
        assert.equal(await store.rescheduleDelivery(b, 'w', NOW + 5, 'HTTP 503'), true);
        assert.equal(await store.markDeliveryFailed(c, 'w', NOW + 1, 'HTTP 400'), true);
        const rows = new Map((await store.listDeliveries({ limit: 10 })).map((r) => [r.id, r]));
        assert.deepEqual([rows.get(a)?.status, rows.get(a)?.finishedAt, rows.get(a)?.leaseOwner], ['delivered', NOW + 1, undefined]);
        assert.deepEqual([rows.get(b)?.status, rows.get(b)?.nextAttemptAt, rows.get(b)?.lastError, rows.get(b)?.leaseOwner], ['pending', NOW + 5, 'HTTP 503', undefined]);
        assert.deepEqual([rows.get(c)?.status, rows.get(c)?.lastError, rows.get(c)?.finishedAt], ['failed', 'HTTP 400', NOW + 1]);
        same(await store.countDeliveries(), { pending: 1, delivered: 1, failed: 1 });
        same((await store.listDeliveries({ status: 'failed', limit: 10 })).map((r) => r.id), [c]);
      });

      test('bringDeliveriesForward makes the rows of one client waiting for a later retry due now, and no others (issue 10 §7)', async (store) => {
        const [a, c] = (await seedDeliveries(store, 2)) as [string, string];
        const clientA = (await store.listDeliveries({ limit: 10 })).find((r) => r.id === a)?.clientId as string;
        // b: a second row for a's client, from another session's ending.
        const { session } = await seedSession(store);
        await store.upsertParticipant({ sessionId: session.id, clientId: clientA, sid: `sid-${randomUUID()}`, firstAuthAt: NOW, lastAuthAt: NOW, lastSeenAt: NOW });
        await store.endSessions({ sessionId: session.id }, { reason: 'logout', actor: 'user', at: NOW });
        const [b] = (await store.listDeliveries({ sessionId: session.id, limit: 10 })).map((r) => r.id) as [string];
        await claim(store, 'w');
        for (const id of [a, b, c]) await store.rescheduleDelivery(id, 'w', NOW + 600, 'HTTP 503');
        assert.equal(await store.bringDeliveriesForward(clientA, NOW + 10), 2, 'one statement for every waiting row of the client');
        const after = new Map((await store.listDeliveries({ limit: 10 })).map((r) => [r.id, r]));
        assert.deepEqual([after.get(a)?.nextAttemptAt, after.get(b)?.nextAttemptAt, after.get(a)?.attempts, after.get(c)?.nextAttemptAt], [NOW + 10, NOW + 10, 1, NOW + 600]);
        assert.equal(await store.bringDeliveriesForward(clientA, NOW + 10), 0, 'rows already due are left as they are');
        assert.equal(await store.bringDeliveriesForward(randomUUID(), NOW + 10), 0);
      });

      test('releaseDeliveries hands back the rows one owner holds: lease cleared, due now, the attempt not counted (issue 10 §7)', async (store) => {
        const [a, b, c] = (await seedDeliveries(store, 3)) as [string, string, string];
        await claim(store, 'stopping', NOW, 2);
        const held = (await store.listDeliveries({ limit: 10 })).filter((r) => r.leaseOwner === 'stopping').map((r) => r.id);
        assert.equal(held.length, 2);
        const other = await claim(store, 'other');
        assert.equal(other.length, 1);
        await store.markDelivered(held[1] as string, 'stopping', NOW + 1);
        assert.equal(await store.releaseDeliveries('stopping', NOW + 2), 1, 'only the pending row it still holds');
        const rows = new Map((await store.listDeliveries({ limit: 10 })).map((r) => [r.id, r]));
        const released = rows.get(held[0] as string);
        assert.deepEqual([released?.status, released?.leaseOwner, released?.leaseUntil, released?.attempts, released?.nextAttemptAt], ['pending', undefined, undefined, 0, NOW]);
        assert.equal(rows.get(other[0]?.id as string)?.leaseOwner, 'other', 'another owner\'s lease is untouched');
        assert.equal((await claim(store, 'next', NOW + 2)).map((r) => r.id).join(), held[0], 'claimable at once');
        assert.ok([a, b, c].includes(held[0] as string));
      });

      test('retryDelivery makes a failed row due now and restarts its attempts; a delivered row stays delivered', async (store) => {
        const [a, b] = (await seedDeliveries(store, 2)) as [string, string];
        await claim(store, 'w');
        await store.markDeliveryFailed(a, 'w', NOW + 1, 'HTTP 400');
        await store.markDelivered(b, 'w', NOW + 1);
        assert.equal(await store.retryDelivery(a, NOW + 100), true);
        assert.equal(await store.retryDelivery(b, NOW + 100), false);
        assert.equal(await store.retryDelivery(randomUUID(), NOW + 100), false);
        const [row] = await store.listDeliveries({ status: 'pending', limit: 10 });
        assert.deepEqual([row?.id, row?.attempts, row?.nextAttemptAt, row?.retriedAt, row?.finishedAt], [a, 0, NOW + 100, NOW + 100, undefined]);
        assert.equal((await claim(store, 'w', NOW + 100))[0]?.id, a);
      });

      test('retryDeliveries retries several rows all or none; retryClientDeliveries every pending or failed row of one client (issue 10 §7)', async (store) => {
        const [a, b, c] = (await seedDeliveries(store, 3)) as [string, string, string];
        await claim(store, 'w');
        await store.markDeliveryFailed(a, 'w', NOW + 1, 'HTTP 400');
        await store.rescheduleDelivery(b, 'w', NOW + 600, 'HTTP 503');
        await store.markDelivered(c, 'w', NOW + 1);
        const missing = randomUUID();
        same(await store.retryDeliveries([a, b, c, missing], NOW + 5), { retried: 0, unknown: [c, missing] });
        assert.equal((await store.listDeliveries({ status: 'failed', limit: 10 }))[0]?.id, a, 'nothing changed');
        same(await store.retryDeliveries([a, b, a], NOW + 5), { retried: 2, unknown: [] });
        const rows = new Map((await store.listDeliveries({ limit: 10 })).map((r) => [r.id, r]));
        for (const id of [a, b]) same([rows.get(id)?.status, rows.get(id)?.attempts, rows.get(id)?.nextAttemptAt, rows.get(id)?.retriedAt], ['pending', 0, NOW + 5, NOW + 5]);
        await store.markDeliveryFailed(a, 'w', NOW + 6, 'HTTP 400'); // no lease: nothing changes
        const clientB = rows.get(b)?.clientId as string;
        assert.equal(await store.retryClientDeliveries(clientB, NOW + 9), 1);
        assert.equal((await store.listDeliveries({ limit: 10 })).find((r) => r.id === b)?.nextAttemptAt, NOW + 9);
        assert.equal(await store.retryClientDeliveries(rows.get(c)?.clientId as string, NOW + 9), 0, 'a delivered row is not retried');
      });
    });

    describe('access token denylist (RFC 7009 §2.1)', () => {
      test('revokeAccessToken makes isAccessTokenRevoked true, idempotently', async (store) => {
        assert.equal(await store.isAccessTokenRevoked('jti-1'), false);
        await store.revokeAccessToken('jti-1', NOW + 600);
        await store.revokeAccessToken('jti-1', NOW + 600);
        assert.equal(await store.isAccessTokenRevoked('jti-1'), true);
        assert.equal(await store.isAccessTokenRevoked('jti-2'), false);
      });
    });
  });
};
