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

    test('events by account and by type, each filter narrowing, oldest first after an id (issue 12 §3)', async (store) => {
      const types = ['account.created', 'session.created', 'session.ended', 'account.updated'] as const;
      for (const [i, type] of types.entries()) await store.appendEvent({ at: NOW + i, type, accountId: 'acct-1', actor: 'client:ops' });
      await store.appendEvent({ at: NOW + 9, type: 'session.created', accountId: 'acct-2', actor: 'user' });
      same((await store.listEvents({ afterId: 0, accountId: 'acct-1', limit: 10 })).map((e) => e.type), [...types]);
      same((await store.listEvents({ afterId: 0, type: 'session.created', limit: 10 })).map((e) => e.accountId), ['acct-1', 'acct-2']);
      same((await store.listEvents({ afterId: 0, accountId: 'acct-2', type: 'session.ended', limit: 10 })), []);
      const [firstOfAcct1] = await store.listEvents({ afterId: 0, accountId: 'acct-1', limit: 1 });
      same((await store.listEvents({ afterId: firstOfAcct1?.id, accountId: 'acct-1', limit: 2 })).map((e) => e.type), ['session.created', 'session.ended']);
    });
  });
};
