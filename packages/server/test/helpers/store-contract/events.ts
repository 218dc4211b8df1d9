/** The EventStore contract (sessions/events.ts). */
import { describe } from 'node:test';
import { type MakeStore, NOW, same, storeTest } from './samples.js';

export const eventStoreContract = (makeStore: MakeStore): void => {
  const test = storeTest(makeStore);

  describe('audit events', () => {
    test('events: the latest N oldest first, the next ones after an id, by session', async (store) => {
      for (let i = 0; i < 5; i++) await store.appendEvent({ at: NOW + i, type: 'session.created', sessionId: i % 2 ? 'odd' : 'even', actor: 'user' });
      const latest = await store.listEvents({ limit: 3 });
      same(latest.map((e) => e.at), [NOW + 2, NOW + 3, NOW + 4]);
      same((await store.listEvents({ afterId: latest[0]?.id, limit: 10 })).map((e) => e.at), [NOW + 3, NOW + 4]);
      same((await store.listEvents({ sessionId: 'odd', limit: 10 })).map((e) => e.at), [NOW + 1, NOW + 3]);
    });
  });
};
