/**
 * Issue 16 §2-§3: the transmitter end to end. A receiver discovers Signoff, creates a stream with a
 * client-credentials token and adds a user as its subject; every way that user's sessions and
 * credentials change produces the right SET (CAEP 1.0 §3.1 session-revoked, §3.2
 * credential-change; RISC account-disabled/enabled), verified with jose, on both stores.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ManualClock } from '../src/clock.js';
import { SSF_EVENT_URIS } from '../src/signals/events.js';
import { POLL, PUSH } from '../src/signals/store.js';
import { sweepExpiredSessions } from '../src/sessions/sweep.js';
import { TestBrowser } from './helpers/browser.js';
import { freshDatabase, usePostgres } from './helpers/postgres.js';
import { type TestProvider, USERS, defaultClients, startProvider } from './helpers/provider.js';
import { type Receiver, eventually, startReceiver } from './helpers/receiver.js';
import { basicAuth, codeFlow, discover, postForm } from './helpers/rp.js';
import { SsfReceiver, type VerifiedSet } from './helpers/ssf-receiver.js';

const RECEIVER = { client_id: 'caep-receiver', client_secret: 'caep-receiver-secret-0123456789-01234' } as const;
const ADMIN = { client_id: 'ops', client_secret: 'ops-secret-0123456789-0123456789-0123' } as const;
const ALL_EVENTS = [SSF_EVENT_URIS['session-revoked'], SSF_EVENT_URIS['credential-change'], SSF_EVENT_URIS['account-disabled'], SSF_EVENT_URIS['account-enabled']];

const clients = () => [
  ...defaultClients(),
  { ...RECEIVER, grant_types: ['client_credentials'], scope: 'ssf.manage ssf.read' },
  { ...ADMIN, grant_types: ['client_credentials'], scope: 'signoff.sessions.manage signoff.users.manage' },
];

/** The suite, on the store `store` gives (SQLite or PostgreSQL). */
const transmitterSuite = (name: string, store: () => Promise<{ store?: Record<string, unknown>; drop?: () => Promise<void> }>) => {
  describe(`the transmitter end to end (${name})`, () => {
    const clock = new ManualClock();
    let op: TestProvider;
    let rx: SsfReceiver;
    let poll: string;
    let adminToken: string;
    let drop: (() => Promise<void>) | undefined;
    let aliceId: string;
    let pushed: Receiver;

    const admin = async (method: string, path: string, body?: unknown): Promise<Response> =>
      fetch(`${op.issuer}/admin/v1${path}`, {
        method,
        headers: { authorization: `Bearer ${adminToken}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });

    /** Alice signs in to `web` in a fresh browser; her session's id. */
    const signIn = async (): Promise<{ sessionId: string; browser: TestBrowser }> => {
      const browser = new TestBrowser(op.issuer);
      await codeFlow(await discover(op.issuer, 'web'), 'web', browser, { user: USERS.alice });
      const [session] = await op.provider.store.listSessions({ accountId: aliceId, limit: 1 });
      assert.ok(session);
      return { sessionId: session.id, browser };
    };

    const next = (count: number): Promise<VerifiedSet[]> => rx.pollUntil(poll, RECEIVER.client_id, count);

    before(async () => {
      const s = await store();
      drop = s.drop;
      // Access tokens outlive the test's idle expiry (the clock moves an hour on), so the receiver's and the admin's stay valid.
      // The push receiver is down for its first two attempts (503), then takes SETs (RFC 8935 §2.2: 202).
      pushed = await startReceiver((n) => (n <= 2 ? 503 : 202));
      op = await startProvider(
        { clients: clients(), tokens: { accessTokenTtl: '4h' }, outbound: { allowPrivateNetworks: true }, ...(s.store ? { store: s.store } : {}) },
        { clock, deliveries: { backoff: () => 20 } },
      );
      aliceId = (await op.provider.store.accountByUsername(USERS.alice.username))?.id as string;
      const t = await postForm(`${op.issuer}/token`, { grant_type: 'client_credentials' }, { authorization: basicAuth(ADMIN.client_id, ADMIN.client_secret) });
      adminToken = ((await t.json()) as { access_token: string }).access_token;
      rx = await new SsfReceiver(op.issuer, RECEIVER).discover();
      const stream = await rx.createStream({ method: POLL }, ALL_EVENTS);
      poll = stream.delivery.endpoint_url;
      await rx.addSubject(stream.stream_id, { format: 'iss_sub', iss: op.issuer, sub: aliceId });
    });
    after(async () => {
      await op?.close();
      await pushed?.close();
      await drop?.();
    });

    it('CAEP session-revoked for a session an administrator ends: complex subject (the user by iss_sub, the session opaque), initiating_entity admin', async () => {
      const { sessionId } = await signIn();
      assert.equal((await admin('DELETE', `/sessions/${sessionId}`)).status, 204);
      const [set] = await next(1);
      assert.equal(set?.type, SSF_EVENT_URIS['session-revoked']);
      assert.deepEqual(set?.payload.sub_id, { format: 'complex', user: { format: 'iss_sub', iss: op.issuer, sub: aliceId }, session: { format: 'opaque', id: sessionId } });
      assert.equal(set?.event.initiating_entity, 'admin');
      assert.equal(typeof set?.event.event_timestamp, 'number');
    });

    it('push (RFC 8935): the same session-revoked reaches a push stream as application/secevent+jwt with its Authorization, retried while the receiver answers 503 and delivered on its 202', async () => {
      const push = await rx.createStream({ method: PUSH, endpoint_url: pushed.url, authorization_header: 'Bearer receiver-secret' }, [SSF_EVENT_URIS['session-revoked']]);
      const pushStream = push.stream_id;
      // A subject by email (RFC 9493 §3.2.2) names the same user.
      await rx.addSubject(pushStream, { format: 'email', email: USERS.alice.claims.email });
      const before = pushed.received.length;
      const { sessionId } = await signIn();
      assert.equal((await admin('DELETE', `/sessions/${sessionId}`)).status, 204);
      await next(1);
      // Two refusals (503, retried) and then the 202; the test's clock moves on for the retries to fall due.
      await eventually(async () => {
        clock.advance(1);
        op.provider.outbox.wake();
        return pushed.received.length >= before + 3 ? true : undefined;
      }, 'three attempts');
      const got = pushed.received;
      assert.equal(new Set(got.slice(before).map((r) => r.body)).size, 1, 'every attempt sends the same SET');
      const last = got.at(-1);
      assert.equal(last?.contentType, 'application/secevent+jwt');
      assert.equal(last?.headers.authorization, 'Bearer receiver-secret');
      const set = await rx.verify(last?.body ?? '', RECEIVER.client_id);
      assert.equal(set.type, SSF_EVENT_URIS['session-revoked']);
      assert.equal((set.payload.sub_id as { session: { id: string } }).session.id, sessionId);
      const row = await eventually(async () => (await op.provider.store.listDeliveries({ sessionId, limit: 10 })).find((r) => r.kind === 'ssf_push' && r.status === 'delivered'), 'the push row delivered');
      assert.equal(row.attempts, 3);
      assert.equal(row?.streamId, pushStream);
      assert.equal(set.jti, row?.id, 'the SET\'s jti is its outbox row\'s, the same on every attempt');
    });

    it('session-revoked for a logout (initiating_entity user) and for an idle expiry (policy)', async () => {
      const first = await signIn();
      const end = new URL(`${op.issuer}/logout`);
      await first.browser.navigate(end.toString());
      const forms = await first.browser.request(end.toString());
      // Without a hint the user confirms (RP-Initiated Logout §2): this account on this browser.
      const action = /<form method="post" action="([^"]+)"/.exec(forms.body)?.[1];
      const csrf = /name="csrf_token" value="([^"]+)"/.exec(forms.body)?.[1];
      assert.ok(action && csrf, forms.body.slice(0, 300));
      await first.browser.request(new URL(action.replace(/&amp;/g, '&'), end).toString(), { form: { csrf_token: csrf, logout_scope: 'session' } });
      const [byUser] = await next(1);
      assert.equal(byUser?.event.initiating_entity, 'user');
      assert.equal((byUser?.payload.sub_id as { session: { id: string } }).session.id, first.sessionId);

      const second = await signIn();
      clock.advance(60 * 60);
      await sweepExpiredSessions({ sessions: op.provider.store, clock });
      const [byPolicy] = await next(1);
      assert.equal(byPolicy?.event.initiating_entity, 'policy');
      assert.equal((byPolicy?.payload.sub_id as { session: { id: string } }).session.id, second.sessionId);
    });

    it('a password change: CAEP credential-change (password, update) and session-revoked for the session it ended', async () => {
      const { sessionId } = await signIn();
      const res = await admin('PATCH', `/users/${aliceId}`, { password: 'alice-new-battery-staple-horse' });
      assert.equal(res.status, 200, await res.text());
      const sets = await next(2);
      const change = sets.find((s) => s.type === SSF_EVENT_URIS['credential-change']);
      assert.deepEqual({ type: change?.event.credential_type, change: change?.event.change_type }, { type: 'password', change: 'update' });
      assert.deepEqual(change?.payload.sub_id, { format: 'iss_sub', iss: op.issuer, sub: aliceId });
      const revoked = sets.find((s) => s.type === SSF_EVENT_URIS['session-revoked']);
      assert.equal((revoked?.payload.sub_id as { session: { id: string } }).session.id, sessionId);
    });

    it('RISC account-disabled, then account-enabled; every SET\'s jti is unique', async () => {
      assert.equal((await admin('PATCH', `/users/${aliceId}`, { disabled: true })).status, 200);
      assert.equal((await next(1))[0]?.type, SSF_EVENT_URIS['account-disabled']);
      assert.equal((await admin('PATCH', `/users/${aliceId}`, { disabled: false })).status, 200);
      assert.equal((await next(1))[0]?.type, SSF_EVENT_URIS['account-enabled']);
      assert.equal(rx.duplicates, 0);
    });

    it('another user (not a subject of the stream) produces nothing for it (default_subjects NONE)', async () => {
      const bob = (await op.provider.store.accountByUsername(USERS.bob.username))?.id as string;
      assert.equal((await admin('PATCH', `/users/${bob}`, { disabled: true })).status, 200);
      const r = await rx.call<{ sets: Record<string, string> }>('POST', poll, { maxEvents: 10, returnImmediately: true });
      assert.deepEqual(r.sets, {});
    });
  });
};

transmitterSuite('SQLite', async () => ({}));
const postgresServer = usePostgres();
transmitterSuite('PostgreSQL', async () => {
  const db = await freshDatabase(await postgresServer());
  return { store: { postgres: db.url, poolSize: 4 }, drop: db.drop };
});
