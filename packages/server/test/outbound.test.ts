/**
 * The one outbound delivery engine (issue 16 §1): back-channel logout tokens and Shared Signals
 * SETs (RFC 8935) drained by the same worker, each row sent and judged by its kind. Real
 * receivers (node:http on 127.0.0.1), the real provider in-process, a real SQLite file.
 */
import assert from 'node:assert/strict';
import type { IncomingHttpHeaders } from 'node:http';
import { after, describe, it } from 'node:test';
import type { LogoutDelivery, NewDelivery } from '../src/logout/back-channel/outbox.js';
import { type MakeSet, SET_CONTENT_TYPE, SET_ERROR_CODES, judgePush, ssfPushKind } from '../src/signals/push.js';
import { type TestProvider, startProvider } from './helpers/provider.js';
import { type Receiver, eventually, startReceiver } from './helpers/receiver.js';

const cleanups: (() => Promise<void>)[] = [];
after(async () => {
  for (const c of cleanups.reverse()) await c();
});

const row = (id: string, kind: string, createdAt = Math.floor(Date.now() / 1000)): NewDelivery => ({
  id,
  kind,
  streamId: kind === 'ssf_push' ? `stream-${id}` : undefined,
  payload: kind === 'ssf_push' ? '{"type":"session-revoked"}' : undefined,
  clientId: 'web',
  sessionId: '',
  accountId: '',
  sid: '',
  reason: 'logout',
  createdAt,
});

const FAKE_SET = (id: string): string => `eyJhbGciOiJSUzI1NiIsInR5cCI6InNlY2V2ZW50K2p3dCJ9.${Buffer.from(JSON.stringify({ jti: id })).toString('base64url')}.c2ln`;

describe('RFC 8935 §2.2, §2.3: what a SET Recipient\'s answer means (judgePush)', () => {
  it('202 is the acknowledgement; 200 and 204 are not (§2.2 says 202) and are not retried', () => {
    assert.deepEqual(judgePush(202, ''), { kind: 'delivered', status: 202 });
    for (const s of [200, 204]) {
      const o = judgePush(s, '');
      assert.equal(o.kind, 'failed', `${s}`);
      assert.match(o.kind === 'failed' ? o.error : '', /RFC 8935 §2\.2/);
    }
  });
  it('400 with {err, description} is final and the reason names both, for every registered err code (§2.3)', () => {
    for (const err of SET_ERROR_CODES) {
      const o = judgePush(400, JSON.stringify({ err, description: `about ${err}` }));
      assert.deepEqual(o, { kind: 'failed', error: `HTTP 400: SET refused: ${err} (about ${err})` });
    }
    assert.deepEqual(judgePush(400, '{"err":"invalid_audience"}'), { kind: 'failed', error: 'HTTP 400: SET refused: invalid_audience' });
  });
  it('a 400 whose body is not an error object is still final, its text kept short and printable; control characters in err are dropped', () => {
    const o = judgePush(400, `not json\u0000${'x'.repeat(500)}`);
    assert.ok(o.kind === 'failed' && o.error.startsWith('HTTP 400: not json x') && o.error.length <= 210);
    assert.equal(judgePush(400, '["invalid_key"]').kind, 'failed');
    const hostile = judgePush(400, JSON.stringify({ err: `invalid_key\n\u001b[31m${'y'.repeat(400)}`, description: 42 }));
    assert.ok(hostile.kind === 'failed' && !/[\n\u001b]/.test(hostile.error) && hostile.error.length < 260, hostile.kind === 'failed' ? hostile.error : '');
  });
  it('401 and 403 are final (the stream\'s credentials); 408, 429 and 5xx are retried; redirects and other 4xx are final', () => {
    assert.deepEqual([401, 403].map((s) => judgePush(s, '').kind), ['failed', 'failed']);
    assert.deepEqual([408, 429, 500, 502, 503, 504].map((s) => judgePush(s, '').kind), Array(6).fill('retry'));
    assert.deepEqual([201, 301, 302, 307, 404, 410].map((s) => judgePush(s, '').kind), Array(6).fill('failed'));
  });
});

describe('RFC 8935 §2.1: the ssf_push kind builds its request from the SET it is given', () => {
  const base = { id: 'r1', kind: 'ssf_push', clientId: 'web', sessionId: '', accountId: '', sid: '', reason: 'logout', createdAt: 1, status: 'pending', attempts: 1, nextAttemptAt: 1 } satisfies LogoutDelivery;
  it('the SET is the body, application/secevent+jwt, Accept: application/json, and the stream\'s Authorization when given', async () => {
    const seen: LogoutDelivery[] = [];
    const kind = ssfPushKind({
      makeSet: async (r) => {
        seen.push(r);
        return { uri: 'https://rx.example/events', set: 'a.b.c', authorization: 'Bearer s3cret' };
      },
    });
    const m = await kind.prepare(base);
    assert.deepEqual(seen, [base], 'makeSet gets the row');
    assert.ok(!('failed' in m));
    assert.deepEqual([m.uri, m.body, m.contentType, m.headers], ['https://rx.example/events', 'a.b.c', SET_CONTENT_TYPE, { accept: 'application/json', authorization: 'Bearer s3cret' }]);
    const none = await ssfPushKind({ makeSet: async () => ({ uri: 'https://rx.example/events', set: 'a.b.c' }) }).prepare(base);
    assert.ok(!('failed' in none) && none.headers?.authorization === undefined, 'no Authorization header when the stream has none');
  });
  it('a row makeSet cannot send is failed with its reason, nothing built', async () => {
    assert.deepEqual(await ssfPushKind({ makeSet: async () => ({ failed: 'stream deleted' }) }).prepare(base), { failed: 'stream deleted' });
  });
});

describe('issue 16 §1: one worker drains back-channel and ssf_push rows alike', () => {
  let op: TestProvider;
  let rx: Receiver;
  const headers = new Map<string, IncomingHttpHeaders>();
  const flakyCalls = { n: 0 };
  const makeSet: MakeSet = async (r) => {
    if (r.id === 'push-unsendable') return { failed: 'stream stream-push-unsendable no longer exists' };
    const path = { 'push-ok': '/accept', 'push-refused': '/refuse', 'push-flaky': '/flaky' }[r.id] ?? '/accept';
    return { uri: `${rx.url.replace('/backchannel-logout', '')}${path}?row=${r.id}`, set: FAKE_SET(r.id), authorization: `Bearer token-for-${r.streamId}` };
  };

  it('a pushed SET is POSTed as application/secevent+jwt; 202 delivered, 400 {err} failed with it, 503 retried then delivered, an unknown kind failed', async () => {
    rx = await startReceiver((_n, req, res) => {
      const url = new URL(req.url ?? '/', 'http://x');
      headers.set(url.searchParams.get('row') ?? '', req.headers);
      if (url.pathname === '/refuse') {
        res.writeHead(400, { 'content-type': 'application/json' }).end('{"err":"invalid_audience","description":"aud is not this receiver"}');
        return 'custom';
      }
      if (url.pathname === '/flaky') return ++flakyCalls.n === 1 ? 503 : 202;
      return 202;
    });
    cleanups.push(rx.close);
    op = await startProvider({}, { deliveries: { backoff: () => 20, makeSet } });
    cleanups.push(op.close);
    await op.provider.store.insertDeliveries([row('push-ok', 'ssf_push'), row('push-refused', 'ssf_push'), row('push-flaky', 'ssf_push'), row('push-unsendable', 'ssf_push'), row('mystery', 'carrier_pigeon')]);
    op.provider.outbox.wake();
    const rows = await eventually(async () => {
      const r = await op.provider.store.listDeliveries({ limit: 10 });
      return r.length === 5 && r.every((d) => d.status !== 'pending') ? new Map(r.map((d) => [d.id, d])) : undefined;
    }, 'every row settled');

    assert.deepEqual([rows.get('push-ok')?.status, rows.get('push-ok')?.attempts], ['delivered', 1]);
    assert.deepEqual([rows.get('push-refused')?.status, rows.get('push-refused')?.attempts], ['failed', 1], 'a §2.3 refusal is not retried');
    assert.equal(rows.get('push-refused')?.lastError, 'HTTP 400: SET refused: invalid_audience (aud is not this receiver)');
    assert.deepEqual([rows.get('push-flaky')?.status, rows.get('push-flaky')?.attempts], ['delivered', 2], '503 then 202');
    assert.deepEqual([rows.get('push-unsendable')?.status, rows.get('push-unsendable')?.lastError], ['failed', 'stream stream-push-unsendable no longer exists']);
    assert.equal(rows.get('mystery')?.status, 'failed');
    assert.match(rows.get('mystery')?.lastError ?? '', /^unknown delivery kind "carrier_pigeon"/);

    const ok = rx.received.find((r) => r.path.includes('row=push-ok'));
    assert.ok(ok, 'the SET reached the receiver');
    assert.deepEqual([ok.method, ok.contentType, ok.body], ['POST', SET_CONTENT_TYPE, FAKE_SET('push-ok')], 'the body is the SET itself (§2.1), not form-encoded');
    assert.equal(headers.get('push-ok')?.accept, 'application/json');
    assert.equal(headers.get('push-ok')?.authorization, 'Bearer token-for-stream-push-ok');
    assert.equal(rx.received.filter((r) => r.path.includes('row=push-flaky')).length, 2);
    assert.equal(rx.received.filter((r) => r.path.includes('row=mystery') || r.path.includes('row=push-unsendable')).length, 0, 'nothing sent for rows that cannot be sent');

    const metrics = await (await fetch(`${op.management}/metrics`)).text();
    assert.match(metrics, /^signoff_outbound_deliveries_total\{kind="ssf_push",outcome="delivered"\} 2$/m);
    assert.match(metrics, /^signoff_outbound_deliveries_total\{kind="ssf_push",outcome="retried"\} 1$/m);
    assert.match(metrics, /^signoff_backchannel_delivered_total 0$/m, 'the back-channel counters count logout tokens only');
  });

  it('with the provider\'s own SET builder, an ssf_push row whose stream does not exist is failed, naming it', async () => {
    const plain = await startProvider({}, { deliveries: true });
    cleanups.push(plain.close);
    await plain.provider.store.insertDeliveries([row('unwired', 'ssf_push')]);
    plain.provider.outbox.wake();
    const [d] = await eventually(async () => {
      const r = await plain.provider.store.listDeliveries({ status: 'failed', limit: 10 });
      return r.length ? r : undefined;
    }, 'the failed row');
    assert.equal(d?.id, 'unwired');
    assert.match(d?.lastError ?? '', /stream .* no longer exists/);
  });
});
