/** The KeyStore contract (tokens/key-store.ts). */
import assert from 'node:assert/strict';
import { describe } from 'node:test';
import { type MakeStore, NOW, same, sampleKey, storeTest } from './samples.js';

export const keyStoreContract = (makeStore: MakeStore): void => {
  const test = storeTest(makeStore);

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

    test('inserts first keys only for the algorithms with no unretired key, so instances starting together keep one set (issue 11 §2)', async (store) => {
      const retired = sampleKey({ createdAt: NOW - 10, retiredAt: NOW - 5, publishUntil: NOW + 100 });
      await store.insertKey(retired);
      const first = [sampleKey(), sampleKey({ alg: 'ES256' })];
      same(await store.insertFirstKeys(first), first, 'a retired key does not count');
      const second = [sampleKey(), sampleKey({ alg: 'ES256' })];
      same(await store.insertFirstKeys(second), [], 'the second instance inserts nothing');
      same((await store.listKeys()).map((k) => k.kid).sort(), [retired, ...first].map((k) => k.kid).sort());
      // Two at once: each algorithm ends with one unretired key.
      await Promise.all([store.retireKeys('RS256', NOW, NOW), store.retireKeys('ES256', NOW, NOW)]);
      await Promise.all([store.insertFirstKeys([sampleKey(), sampleKey({ alg: 'ES256' })]), store.insertFirstKeys([sampleKey(), sampleKey({ alg: 'ES256' })])]);
      const unretired = (await store.listKeys()).filter((k) => k.retiredAt === undefined).map((k) => k.alg).sort();
      same(unretired, ['ES256', 'RS256']);
    });

    test('rejects a second key with the same kid', async (store) => {
      const k = sampleKey();
      await store.insertKey(k);
      await assert.rejects(store.insertKey(k));
    });
  });
};
