/**
 * The contract of StreamStore (issue 16 §2; SSF 1.0 §8.1): streams owned by one receiver,
 * subjects, and where a queued event goes by the stream's delivery method and status — the
 * outbox for an enabled push stream, the poll queue for a poll stream or a paused push stream,
 * nowhere for a disabled one (§8.1.2) — and the poll queue's order, limit and acknowledgement (RFC 8936 §2.4).
 */
import assert from 'node:assert/strict';
import { describe } from 'node:test';
import { SSF_EVENT_URIS, type SignalEvent } from '../../../src/signals/events.js';
import { POLL, PUSH, type Stream } from '../../../src/signals/store.js';
import type { Store } from '../../../src/store/types.js';
import { type MakeStore, NOW, sampleClient, seedSession, storeTest } from './samples.js';

const sampleStream = (id: string, method: typeof PUSH | typeof POLL, over: Partial<Stream> = {}): Stream => ({
  id,
  clientId: 'receiver',
  config: {
    stream_id: id,
    iss: 'https://op.example',
    aud: 'https://receiver.example',
    events_supported: [],
    events_requested: [],
    events_delivered: [],
    delivery: method === PUSH ? { method: PUSH, endpoint_url: 'https://receiver.example/set' } : { method: POLL, endpoint_url: `https://op.example/ssf/poll?stream_id=${id}` },
  },
  status: 'enabled',
  createdAt: NOW,
  updatedAt: NOW,
  ...over,
});

const revoked: SignalEvent = { type: 'session-revoked', accountId: 'acc-1', sessionId: 'sess-1', reason: 'logout', actor: 'user', at: NOW };
const verification = (state: string): SignalEvent => ({ type: 'verification', state, at: NOW });

const pushRows = async (store: Store, streamId: string) =>
  (await store.listDeliveries({ limit: 100 })).filter((d) => d.kind === 'ssf_push' && d.streamId === streamId);

export const streamStoreContract = (makeStore: MakeStore): void => {
  const test = storeTest(makeStore);

  describe('StreamStore (issue 16 §2, SSF 1.0 §8.1)', () => {
    test('a stream is stored as given, listed for its receiver only, replaced, and deleted', async (store) => {
      const s = sampleStream('s1', PUSH, { statusReason: 'new', verifiedAt: NOW + 1 });
      await store.insertStream(s);
      await store.insertStream(sampleStream('s2', POLL, { clientId: 'other' }));
      assert.deepEqual(await store.streamById('s1'), s);
      assert.deepEqual((await store.streamsOfClient('receiver')).map((x) => x.id), ['s1']);
      const changed = { ...s, config: { ...s.config, description: 'changed' }, updatedAt: NOW + 5 };
      assert.equal(await store.updateStream(changed), true);
      assert.equal((await store.streamById('s1'))?.config.description, 'changed');
      assert.equal(await store.updateStream(sampleStream('nope', PUSH)), false);
      assert.equal(await store.deleteStream('s1'), true);
      assert.equal(await store.streamById('s1'), undefined);
      assert.equal(await store.deleteStream('s1'), false);
    });

    test('subjects are keyed per stream: adding twice keeps one, removing an unknown one is false', async (store) => {
      await store.insertStream(sampleStream('s1', POLL));
      const subject = { streamId: 's1', key: 'iss_sub|https://op.example|acc-1', subject: { format: 'iss_sub', iss: 'https://op.example', sub: 'acc-1' }, accountId: 'acc-1', addedAt: NOW };
      await store.addSubject(subject);
      await store.addSubject(subject);
      assert.equal(await store.removeSubject('s1', subject.key), true);
      assert.equal(await store.removeSubject('s1', subject.key), false);
    });

    test('an enabled push stream\'s event is an ssf_push outbox row with the jti as id and the time as iat and due time', async (store) => {
      await store.insertStream(sampleStream('p1', PUSH));
      await store.queueSignal('p1', 'jti-1', revoked, NOW + 3);
      const [row, ...rest] = await pushRows(store, 'p1');
      assert.equal(rest.length, 0);
      assert.equal(row?.id, 'jti-1');
      assert.equal(row.clientId, 'receiver');
      assert.equal(row.status, 'pending');
      assert.equal(row.createdAt, NOW + 3);
      assert.equal(row.nextAttemptAt, NOW + 3);
      assert.deepEqual(JSON.parse(row.payload ?? 'null'), revoked);
      assert.deepEqual((await store.pollEvents('p1', 10)).events, []);
    });

    test('an ending\'s traceparent is kept on every row it queues — back-channel and ssf_push — and on no other (issue 17 §2)', async (store) => {
      const { account, session } = await seedSession(store);
      const client = { ...sampleClient(), backchannel_logout_uri: 'https://rp.example/bcl' };
      await store.upsertClient(client);
      await store.upsertParticipant({ sessionId: session.id, clientId: client.client_id, sid: 'sid-1', firstAuthAt: NOW, lastAuthAt: NOW, lastSeenAt: NOW });
      const stream = sampleStream('p1', PUSH);
      await store.insertStream({ ...stream, config: { ...stream.config, events_delivered: [SSF_EVENT_URIS['session-revoked']] } });
      await store.addSubject({ streamId: 'p1', key: `iss_sub|https://op.example|${account.id}`, subject: { format: 'iss_sub', iss: 'https://op.example', sub: account.id }, accountId: account.id, addedAt: NOW });
      await store.queueSignal('p1', 'earlier', verification('v'), NOW);
      const traceParent = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
      await store.endSessions({ sessionId: session.id }, { reason: 'logout', actor: 'user', at: NOW, traceParent });
      const rows = await store.listDeliveries({ limit: 100 });
      assert.deepEqual(rows.map((r) => [r.kind, r.id === 'earlier' ? 'earlier' : 'ending', r.traceParent]).sort(), [
        ['backchannel_logout', 'ending', traceParent],
        ['ssf_push', 'earlier', undefined],
        ['ssf_push', 'ending', traceParent],
      ]);
      const claimed = await store.claimDeliveries({ owner: 'w', now: NOW, leaseSeconds: 30, limit: 10 });
      assert.equal(claimed.filter((r) => r.traceParent === traceParent).length, 2, 'a claimed row brings its traceparent to the worker');
    });

    test('a poll stream\'s events wait oldest first; maxEvents limits and moreAvailable says more wait (RFC 8936 §2.4)', async (store) => {
      await store.insertStream(sampleStream('q1', POLL));
      for (const n of [1, 2, 3]) await store.queueSignal('q1', `j${n}`, verification(`st${n}`), NOW + n);
      const first = await store.pollEvents('q1', 2);
      assert.deepEqual(first.events.map((e) => e.jti), ['j1', 'j2']);
      assert.equal(first.more, true);
      assert.deepEqual(first.events[0]?.event, verification('st1'));
      assert.equal(first.events[0]?.createdAt, NOW + 1);
      assert.deepEqual(await store.acknowledgeEvents('q1', ['j1', 'j2', 'unknown']), ['unknown']);
      const rest = await store.pollEvents('q1', 2);
      assert.deepEqual(rest.events.map((e) => e.jti), ['j3']);
      assert.equal(rest.more, false);
      assert.deepEqual(await pushRows(store, 'q1'), []);
    });

    test('acknowledging names only this stream\'s events: another stream\'s jti is unknown and stays', async (store) => {
      await store.insertStream(sampleStream('q1', POLL));
      await store.insertStream(sampleStream('q2', POLL, { clientId: 'other' }));
      await store.queueSignal('q2', 'theirs', verification('x'), NOW);
      assert.deepEqual(await store.acknowledgeEvents('q1', ['theirs']), ['theirs']);
      assert.equal((await store.pollEvents('q2', 10)).events.length, 1);
    });

    test('a paused push stream holds its events; enabling it moves them into the outbox, same jti and time (SSF 1.0 §8.1.2)', async (store) => {
      const s = sampleStream('p1', PUSH, { status: 'paused' });
      await store.insertStream(s);
      await store.queueSignal('p1', 'held-1', revoked, NOW + 1);
      await store.queueSignal('p1', 'held-2', verification('v'), NOW + 2);
      assert.deepEqual(await pushRows(store, 'p1'), []);
      assert.equal(await store.updateStream({ ...s, status: 'enabled', updatedAt: NOW + 10 }), true);
      const rows = await pushRows(store, 'p1');
      assert.deepEqual(rows.map((r) => r.id).sort(), ['held-1', 'held-2']);
      const held1 = rows.find((r) => r.id === 'held-1');
      assert.equal(held1?.createdAt, NOW + 1);
      assert.equal(held1?.nextAttemptAt, NOW + 10);
      assert.equal(held1?.sessionId, 'sess-1');
      assert.equal(held1?.reason, 'logout');
      assert.deepEqual(JSON.parse(held1?.payload ?? 'null'), revoked);
      assert.deepEqual((await store.pollEvents('p1', 10)).events, []);
    });

    test('a disabled stream gets nothing, and disabling drops what was waiting (SSF 1.0 §8.1.2)', async (store) => {
      const q = sampleStream('q1', POLL);
      const p = sampleStream('p1', PUSH);
      await store.insertStream(q);
      await store.insertStream(p);
      await store.queueSignal('q1', 'a', verification('a'), NOW);
      await store.queueSignal('p1', 'b', verification('b'), NOW);
      await store.updateStream({ ...q, status: 'disabled' });
      await store.updateStream({ ...p, status: 'disabled' });
      assert.deepEqual((await store.pollEvents('q1', 10)).events, []);
      assert.deepEqual(await pushRows(store, 'p1'), []);
      await store.queueSignal('q1', 'c', verification('c'), NOW);
      await store.queueSignal('p1', 'd', verification('d'), NOW);
      assert.deepEqual((await store.pollEvents('q1', 10)).events, []);
      assert.deepEqual(await pushRows(store, 'p1'), []);
    });

    test('deleting a stream removes its waiting events and pending pushes; an unknown stream queues nothing', async (store) => {
      await store.insertStream(sampleStream('q1', POLL));
      await store.insertStream(sampleStream('p1', PUSH));
      await store.queueSignal('q1', 'a', verification('a'), NOW);
      await store.queueSignal('p1', 'b', verification('b'), NOW);
      await store.queueSignal('gone', 'c', verification('c'), NOW);
      await store.deleteStream('q1');
      await store.deleteStream('p1');
      assert.deepEqual((await store.pollEvents('q1', 10)).events, []);
      assert.deepEqual(await pushRows(store, 'p1'), []);
      assert.equal((await store.listDeliveries({ limit: 100 })).length, 0);
    });
  });
};
