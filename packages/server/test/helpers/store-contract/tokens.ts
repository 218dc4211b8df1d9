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
      const families = [randomUUID(), randomUUID(), randomUUID()];
      const results = await Promise.all(families.map((f) => store.redeemCode(code.hash, NOW, f)));
      assert.equal(results.filter((r) => r && !r.replayed).length, 1);
      assert.equal(results.filter((r) => r?.replayed).length, 2);
      // The replays came after the winner's commit, so they revoked the family it created (RFC 6749 §4.1.2).
      const winner = families[results.findIndex((r) => r && !r.replayed)] as string;
      assert.equal((await store.familyById(winner))?.revokedAt, NOW);
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

    test('refreshTokenWithFamily reads a token and its family together (issue 18: one round trip)', async (store) => {
      const { familyId } = await seedFamily(store);
      const t = sampleRefresh(familyId);
      await store.insertRefreshToken(t);
      const found = await store.refreshTokenWithFamily(t.hash);
      same(found?.token, { ...t, usedAt: undefined });
      same(found?.family, await store.familyById(familyId));
      await store.revokeFamily(familyId, NOW + 3);
      assert.equal((await store.refreshTokenWithFamily(t.hash))?.family?.revokedAt, NOW + 3);
      assert.equal(await store.refreshTokenWithFamily('unknown'), undefined);
    });

    test('rotateRefreshToken spends the token and stores its successor once; a spent token stores nothing (RFC 9700 §4.14.2)', async (store) => {
      const { familyId } = await seedFamily(store);
      const t = sampleRefresh(familyId);
      await store.insertRefreshToken(t);
      const next = sampleRefresh(familyId, { createdAt: NOW + 5, scope: ['openid'] });
      assert.equal(await store.rotateRefreshToken(t.hash, NOW + 5, next), true);
      assert.equal((await store.refreshTokenByHash(t.hash))?.usedAt, NOW + 5);
      same(await store.refreshTokenByHash(next.hash), { ...next, usedAt: undefined });
      const again = sampleRefresh(familyId);
      assert.equal(await store.rotateRefreshToken(t.hash, NOW + 6, again), false);
      assert.equal(await store.refreshTokenByHash(again.hash), undefined, 'no successor for a replay');
      assert.equal(await store.rotateRefreshToken('unknown', NOW, sampleRefresh(familyId)), false);
    });

    test('concurrent rotations of one refresh token: exactly one stores a successor', async (store) => {
      const { familyId } = await seedFamily(store);
      const t = sampleRefresh(familyId);
      await store.insertRefreshToken(t);
      const nexts = [1, 2, 3].map(() => sampleRefresh(familyId));
      const results = await Promise.all(nexts.map((n, i) => store.rotateRefreshToken(t.hash, NOW + i, n)));
      assert.equal(results.filter(Boolean).length, 1);
      const stored = await Promise.all(nexts.map((n) => store.refreshTokenByHash(n.hash)));
      assert.equal(stored.filter(Boolean).length, 1);
      assert.equal(stored.findIndex(Boolean), results.findIndex(Boolean));
    });

    test('redeemCode with a refresh token stores it with the new family, from the code’s client and scope; a replay stores none', async (store) => {
      const { session, account } = await seedSession(store);
      const code = sampleCode(session.id, account.id);
      await store.insertCode(code);
      const familyId = randomUUID();
      assert.equal((await store.redeemCode(code.hash, NOW, familyId, { hash: 'rt-first', expiresAt: NOW + 100 }))?.replayed, false);
      same(await store.refreshTokenByHash('rt-first'), {
        hash: 'rt-first', familyId, clientId: code.clientId, scope: code.scope, createdAt: NOW, expiresAt: NOW + 100, usedAt: undefined,
      });
      assert.equal((await store.redeemCode(code.hash, NOW + 1, randomUUID(), { hash: 'rt-replay', expiresAt: NOW + 100 }))?.replayed, true);
      assert.equal(await store.refreshTokenByHash('rt-replay'), undefined);
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
