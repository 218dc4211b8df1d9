/** The InteractionStore contract (oauth/authorize/interaction-store.ts). */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe } from 'node:test';
import { type MakeStore, NOW, same, sampleInteraction, storeTest } from './samples.js';

export const interactionStoreContract = (makeStore: MakeStore): void => {
  const test = storeTest(makeStore);

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
};
