/** The TokenStore contract (tokens/token-store.ts): codes, token families, refresh tokens, the access-token denylist. */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe } from 'node:test';
import { type MakeStore, NOW, same, sampleCode, sampleRefresh, seedFamily, seedSession, storeTest } from './samples.js';

export const tokenStoreContract = (makeStore: MakeStore): void => {
  const test = storeTest(makeStore);

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

  describe('access token denylist (RFC 7009 §2.1)', () => {
    test('revokeAccessToken makes isAccessTokenRevoked true, idempotently', async (store) => {
      assert.equal(await store.isAccessTokenRevoked('jti-1'), false);
      await store.revokeAccessToken('jti-1', NOW + 600);
      await store.revokeAccessToken('jti-1', NOW + 600);
      assert.equal(await store.isAccessTokenRevoked('jti-1'), true);
      assert.equal(await store.isAccessTokenRevoked('jti-2'), false);
    });
  });
};
