/** The DeliveryStore contract (logout/back-channel/outbox.ts). */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe } from 'node:test';
import type { Store } from '../../../src/store/types.js';
import { type MakeStore, NOW, same, sampleClient, seedSession, storeTest } from './samples.js';

export const deliveryStoreContract = (makeStore: MakeStore): void => {
  const test = storeTest(makeStore);

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

    test('insertDeliveries queues rows of any kind with their stream and payload, pending and due when asked; claimDeliveries returns them as written (issue 16 §1)', async (store) => {
      await store.insertDeliveries([]);
      await store.insertDeliveries([
        { id: 'push-1', kind: 'ssf_push', streamId: 'stream-1', payload: '{"type":"session-revoked"}', clientId: 'rp', sessionId: '', accountId: 'acct', sid: '', reason: 'logout', createdAt: NOW },
        { id: 'push-2', kind: 'ssf_push', streamId: 'stream-1', payload: '{"type":"credential-change"}', clientId: 'rp', sessionId: '', accountId: '', sid: '', reason: 'logout', createdAt: NOW, nextAttemptAt: NOW + 20 },
      ]);
      same(await store.countDeliveries(), { pending: 2, delivered: 0, failed: 0 });
      const claimed = await claim(store, 'w');
      assert.deepEqual(
        claimed.map((r) => [r.id, r.kind, r.streamId, r.payload, r.clientId, r.accountId, r.createdAt, r.nextAttemptAt, r.attempts]),
        [['push-1', 'ssf_push', 'stream-1', '{"type":"session-revoked"}', 'rp', 'acct', NOW, NOW, 1]],
        'only the row that is due',
      );
      const later = await claim(store, 'w', NOW + 20); // push-1 is still leased
      assert.deepEqual(later.map((r) => [r.id, r.payload]), [['push-2', '{"type":"credential-change"}']]);
      await assert.rejects(store.insertDeliveries([{ id: 'push-1', kind: 'ssf_push', clientId: 'rp', sessionId: '', accountId: '', sid: '', reason: 'logout', createdAt: NOW }]), 'an id is queued once');
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

    test('markDeliveredAll settles the rows the owner still holds in one call, and brings forward the waiting rows of their clients only (issue 18 P4)', async (store) => {
      const [a, b, c] = (await seedDeliveries(store, 3)) as [string, string, string];
      const clientA = (await store.listDeliveries({ limit: 10 })).find((r) => r.id === a)?.clientId as string;
      // d: a second row for a's client, from another session's ending, waiting in backoff.
      const { session } = await seedSession(store);
      await store.upsertParticipant({ sessionId: session.id, clientId: clientA, sid: `sid-${randomUUID()}`, firstAuthAt: NOW, lastAuthAt: NOW, lastSeenAt: NOW });
      await store.endSessions({ sessionId: session.id }, { reason: 'logout', actor: 'user', at: NOW });
      const [d] = (await store.listDeliveries({ sessionId: session.id, limit: 10 })).map((r) => r.id) as [string];
      await claim(store, 'w');
      await store.rescheduleDelivery(d, 'w', NOW + 600, 'HTTP 503');
      await store.rescheduleDelivery(c, 'w', NOW + 600, 'HTTP 503');
      same(await store.markDeliveredAll([], 'w', NOW + 1, NOW + 1), { delivered: [], broughtForward: 0 });
      const intruder = await store.markDeliveredAll([a, b], 'intruder', NOW + 1, NOW + 1);
      same(intruder, { delivered: [], broughtForward: 0 });
      const r = await store.markDeliveredAll([a, b, c, randomUUID()], 'w', NOW + 1, NOW + 1.5);
      same([...r.delivered].sort(), [a, b].sort(), 'the rescheduled row is no longer held, an unknown id is nothing');
      assert.equal(r.broughtForward, 1, "only the waiting row of a's client");
      const rows = new Map((await store.listDeliveries({ limit: 10 })).map((x) => [x.id, x]));
      for (const id of [a, b]) same([rows.get(id)?.status, rows.get(id)?.finishedAt, rows.get(id)?.leaseOwner, rows.get(id)?.leaseUntil], ['delivered', NOW + 1, undefined, undefined]);
      same([rows.get(d)?.status, rows.get(d)?.nextAttemptAt], ['pending', NOW + 1.5]);
      same([rows.get(c)?.status, rows.get(c)?.nextAttemptAt], ['pending', NOW + 600], 'a client that did not answer keeps its backoff');
      same(await store.markDeliveredAll([a, b], 'w', NOW + 2, NOW + 2), { delivered: [], broughtForward: 0 }, 'settled once');
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

    test('listDeliveries pages oldest first by (created_at, id) after a key, and narrows by client and status (issue 12 §3)', async (store) => {
      const first = await seedDeliveries(store, 3);
      const second = await seedDeliveries(store, 2);
      const all = await store.listDeliveries({ limit: 100 });
      same(all.map((d) => d.id).sort(), [...first, ...second].sort());
      for (let i = 1; i < all.length; i++) {
        const [p, d] = [all[i - 1]!, all[i]!];
        assert.ok(p.createdAt < d.createdAt || (p.createdAt === d.createdAt && Buffer.compare(Buffer.from(p.id), Buffer.from(d.id)) < 0), 'ordered by (created_at, id)');
      }
      const seen: string[] = [];
      let after: { createdAt: number; id: string } | undefined;
      for (;;) {
        const page = await store.listDeliveries({ after, limit: 2 });
        if (page.length === 0) break;
        seen.push(...page.map((d) => d.id));
        const last = page.at(-1)!;
        after = { createdAt: last.createdAt, id: last.id };
      }
      same(seen, all.map((d) => d.id), 'every row once, in order');
      const one = all[0]!;
      same((await store.listDeliveries({ clientId: one.clientId, limit: 10 })).map((d) => d.id), [one.id]);
      same(await store.listDeliveries({ clientId: one.clientId, status: 'failed', limit: 10 }), []);
    });
  });
};
