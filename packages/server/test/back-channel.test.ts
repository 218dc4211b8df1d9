/**
 * Back-Channel Logout 1.0 as an application sees it: real receivers (node:http on 127.0.0.1),
 * the real provider in-process with its delivery worker, a real SQLite file. Each test cites the
 * section it checks; DESIGN.md "Back-channel delivery" is the reliability contract.
 */
import assert from 'node:assert/strict';
import { createServer as createTcpServer, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { after, describe, it } from 'node:test';
import { createRemoteJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import { ManualClock } from '../src/clock.js';
import { endSessions } from '../src/sessions/end.js';
import { sweepExpiredSessions } from '../src/sessions/sweep.js';
import { BACKCHANNEL_LOGOUT_EVENT } from '../src/logout/back-channel/logout-token.js';
import { startDeliveries } from '../src/deliveries.js';
import type { Provider } from '../src/provider.js';
import { TestBrowser } from './helpers/browser.js';
import { CLIENTS, type TestProvider, USERS, clientsWithBackChannel, startProvider } from './helpers/provider.js';
import { type Receiver, eventually, startReceiver } from './helpers/receiver.js';
import { codeFlow, discover } from './helpers/rp.js';

const cleanups: (() => Promise<void>)[] = [];
after(async () => {
  for (const c of cleanups.reverse()) await c();
});
const receiver = async (...args: Parameters<typeof startReceiver>): Promise<Receiver> => {
  const r = await startReceiver(...args);
  cleanups.push(r.close);
  return r;
};
const provider = async (...args: Parameters<typeof startProvider>): Promise<TestProvider> => {
  const op = await startProvider(...args);
  cleanups.push(op.close);
  return op;
};

/** Signs alice in to `web` through a fresh browser; returns the ID token claims and the session. */
const signInWeb = async (op: TestProvider, browser = new TestBrowser(op.issuer)) => {
  const { tokens } = await codeFlow(await discover(op.issuer, 'web'), 'web', browser, { user: USERS.alice });
  const claims = tokens.claims();
  assert.ok(claims?.sid);
  const participant = await op.provider.store.participantBySid(claims.sid as string);
  assert.ok(participant);
  return { browser, claims, sessionId: participant.sessionId };
};

/** Makes more clients participants of a session, as signing in to them would. */
const joinClients = async (p: Provider, sessionId: string, clientIds: string[]): Promise<void> => {
  for (const clientId of clientIds) {
    await p.store.upsertParticipant({ sessionId, clientId, sid: `sid-${clientId}-${sessionId}`, firstAuthAt: 1, lastAuthAt: 1, lastSeenAt: 1 });
  }
};

const endAsAdmin = (p: Provider, sessionId: string) => endSessions({ sessions: p.store, clock: p.clock, wake: p.outbox.wake }, { sessionId }, 'admin', 'admin:test');

const deliveriesOf = (p: Provider, sessionId: string) => p.store.listDeliveries({ sessionId, limit: 100 });

describe('Back-Channel Logout 1.0 §2.1: discovery', () => {
  it('advertises backchannel_logout_supported and backchannel_logout_session_supported', async () => {
    const op = await provider();
    const doc = (await (await fetch(`${op.issuer}/.well-known/openid-configuration`)).json()) as Record<string, unknown>;
    assert.equal(doc.backchannel_logout_supported, true);
    assert.equal(doc.backchannel_logout_session_supported, true);
  });
});

describe('Back-Channel Logout 1.0 §2.4–§2.6: the logout token passes the RP validation rules of §2.6', () => {
  it('is POSTed form-encoded, signed with each client\'s ID token alg (RS256 and ES256), typ logout+jwt, with iss, aud, iat, exp ≤ 2 min, jti, the event, sub and the ID token\'s sid, and no nonce', async () => {
    const rx = await receiver();
    const op = await provider({ clients: clientsWithBackChannel({ web: `${rx.url}?app=web`, post: `${rx.url}?app=post` }) }, { deliveries: true });
    const browser = new TestBrowser(op.issuer);
    const web = await codeFlow(await discover(op.issuer, 'web'), 'web', browser, { user: USERS.alice });
    const post = await codeFlow(await discover(op.issuer, 'post'), 'post', browser); // SSO: no second sign-in
    const idClaims = { web: web.tokens.claims(), post: post.tokens.claims() };
    assert.ok(idClaims.web?.sid && idClaims.post?.sid && idClaims.web.sid !== idClaims.post.sid, 'one sid per client (§1.3)');
    const sessionId = (await op.provider.store.participantBySid(idClaims.web.sid as string))?.sessionId as string;
    await endAsAdmin(op.provider, sessionId);
    const requests = await rx.waitFor(2);
    const jwks = createRemoteJWKSet(new URL(`${op.issuer}/jwks`));
    for (const r of requests) {
      const app = new URL(r.path, 'http://x').searchParams.get('app') as 'web' | 'post';
      const alg = app === 'post' ? 'ES256' : 'RS256';
      assert.equal(r.method, 'POST');
      assert.equal(r.contentType, 'application/x-www-form-urlencoded', '§2.5');
      assert.deepEqual([...new URLSearchParams(r.body).keys()], ['logout_token']);
      const header = decodeProtectedHeader(r.logoutToken);
      assert.equal(header.typ, 'logout+jwt', '§2.4: explicit typing');
      assert.equal(header.alg, alg, '§2.4: the alg of the client\'s ID tokens, never none');
      const { payload } = await jwtVerify(r.logoutToken, jwks, {
        issuer: op.issuer, audience: CLIENTS[app].client_id, typ: 'logout+jwt', algorithms: [alg], maxTokenAge: '2 minutes',
      });
      assert.deepEqual(payload.events, { [BACKCHANNEL_LOGOUT_EVENT]: {} }, '§2.4: the event member is an empty object');
      assert.equal(payload.sid, idClaims[app]?.sid, '§2.4: the sid this client got in its ID tokens');
      assert.equal(payload.sub, idClaims[app]?.sub);
      assert.equal(payload.nonce, undefined, '§2.4: a logout token never carries a nonce');
      assert.ok(typeof payload.jti === 'string' && payload.jti.length >= 16);
      assert.ok(typeof payload.iat === 'number' && Math.abs(payload.iat - Date.now() / 1000) < 5);
      assert.ok(typeof payload.exp === 'number' && payload.exp > payload.iat && payload.exp - payload.iat <= 120, '§2.4 (errata): exp within two minutes');
    }
    assert.deepEqual((await deliveriesOf(op.provider, sessionId)).map((d) => d.status), ['delivered', 'delivered']);
  });
});

describe('Back-Channel Logout 1.0 §2.8 and DESIGN.md "Back-channel delivery": retries', () => {
  it('an application answering 503 three times then 200 is delivered, with a fresh token (jti, iat, exp) per attempt', async () => {
    const rx = await receiver((n) => (n <= 3 ? 503 : 200));
    const op = await provider({ clients: clientsWithBackChannel({ web: rx.url }) }, { deliveries: { backoff: () => 20 } });
    const { sessionId } = await signInWeb(op);
    await endAsAdmin(op.provider, sessionId);
    const requests = await rx.waitFor(4, 3000);
    assert.equal(new Set(requests.map((r) => r.logoutToken)).size, 4, 'a fresh logout token per attempt');
    const [row] = await eventually(async () => {
      const rows = await deliveriesOf(op.provider, sessionId);
      return rows[0]?.status === 'delivered' ? rows : undefined;
    }, 'the delivery to be recorded');
    assert.equal(row?.attempts, 4);
    const metrics = await (await fetch(`${op.management}/metrics`)).text();
    assert.match(metrics, /^signoff_backchannel_retried_total 3$/m);
    assert.match(metrics, /^signoff_backchannel_delivered_total 1$/m);
    assert.match(metrics, /^signoff_backchannel_pending 0$/m);
  });

  it('a hanging application: the ending (a sign-in past the session limit) returns before the attempt is given up; the attempt is abandoned at its timeout and retried', async () => {
    const rx = await receiver((n) => (n === 1 ? 'hang' : 204));
    const op = await provider(
      { clients: clientsWithBackChannel({ web: rx.url }), session: { maxSessionsPerAccount: 1 }, backchannel: { attemptTimeout: '3s' } },
      { deliveries: { backoff: () => 50 } },
    );
    const first = await signInWeb(op);
    await signInWeb(op); // a second browser: the limit ends the first session
    const signedInAt = Date.now();
    // Ordering, not speed (issue 10 §9): had the sign-in waited for the application, it could
    // only have been answered after the provider gave up on the hanging attempt.
    const [hung, retried] = await rx.waitFor(2, 10_000);
    assert.ok(hung?.aborted, 'the provider hung up on the hanging attempt');
    assert.ok(signedInAt < (hung?.endedAt ?? 0), 'the sign-in that ended a session was answered while the application still hung');
    assert.ok((retried?.at ?? 0) >= (hung?.endedAt ?? Infinity), 'the retry came after the attempt was given up');
    const rows = await eventually(async () => {
      const r = await deliveriesOf(op.provider, first.sessionId);
      return r[0]?.status === 'delivered' ? r : undefined;
    }, 'delivered');
    assert.equal(rows[0]?.reason, 'limit');
    assert.match(rows[0]?.lastError ?? '', /^$|no response within 3000 ms/);
  });
});

describe('Back-Channel Logout 1.0 §2.8: a terminal answer is kept as failed, counted and logged', () => {
  it('an application answering 400 is marked failed with its reason, one log line, counted in /metrics', async () => {
    const rx = await receiver(() => 400);
    const op = await provider({ clients: clientsWithBackChannel({ web: rx.url }) });
    const lines: { obj: Record<string, unknown>; msg: string }[] = [];
    const stop = startDeliveries(op.provider, { warn: (obj, msg) => lines.push({ obj: obj as Record<string, unknown>, msg }), error: () => {} });
    cleanups.push(async () => void (await stop()));
    const { sessionId } = await signInWeb(op);
    await endAsAdmin(op.provider, sessionId);
    await rx.waitFor(1);
    const [row] = await eventually(async () => {
      const r = await op.provider.store.listDeliveries({ status: 'failed', limit: 10 });
      return r.length ? r : undefined;
    }, 'the failed row');
    assert.equal(row?.lastError, 'HTTP 400');
    assert.equal(row?.attempts, 1, 'a 4xx is not retried');
    assert.equal(lines.length, 1);
    assert.equal(lines[0]?.obj.delivery, row?.id);
    const metrics = await (await fetch(`${op.management}/metrics`)).text();
    assert.match(metrics, /^signoff_backchannel_failed 1$/m);
    assert.match(metrics, /^signoff_backchannel_failed_total 1$/m);
  });
});

describe('DESIGN.md "Back-channel delivery": the SSRF guard and misbehaving applications', () => {
  it('with outbound.allowPrivateNetworks false, targets on loopback (by name or literal) are refused, nothing is sent, the rows fail with the reason', async () => {
    const rx = await receiver();
    const op = await provider(
      { clients: clientsWithBackChannel({ web: `http://localhost:${rx.port}/bcl`, post: rx.url }), outbound: { allowPrivateNetworks: false } },
      { deliveries: true },
    );
    const { sessionId } = await signInWeb(op);
    await joinClients(op.provider, sessionId, ['post']);
    await endAsAdmin(op.provider, sessionId);
    const rows = await eventually(async () => {
      const r = await deliveriesOf(op.provider, sessionId);
      return r.length === 2 && r.every((d) => d.status === 'failed') ? r : undefined;
    }, 'both rows failed');
    for (const d of rows) assert.match(d.lastError ?? '', /^refused: .* resolves to the non-public address (127\.0\.0\.1|::1).*allowPrivateNetworks/);
    assert.equal(rx.received.length, 0);
  });

  it('IPv6 forms that embed a loopback IPv4 (IPv4-compatible, NAT64) are refused through the real worker: rows failed with the reason, nothing sent (issue 10 §6)', async () => {
    const rx = await receiver();
    const op = await provider(
      {
        clients: clientsWithBackChannel({ web: `http://[::7f00:1]:${rx.port}/bcl`, post: `http://[64:ff9b::7f00:1]:${rx.port}/bcl` }),
        outbound: { allowPrivateNetworks: false },
      },
      { deliveries: true },
    );
    const { sessionId } = await signInWeb(op);
    await joinClients(op.provider, sessionId, ['post']);
    await endAsAdmin(op.provider, sessionId);
    const rows = await eventually(async () => {
      const r = await deliveriesOf(op.provider, sessionId);
      return r.length === 2 && r.every((d) => d.status === 'failed') ? r : undefined;
    }, 'both rows failed');
    const reasons = rows.map((d) => d.lastError ?? '').sort();
    assert.match(reasons[0] ?? '', /^refused: \[64:ff9b::7f00:1\] resolves to the non-public address 64:ff9b::7f00:1 .*allowPrivateNetworks/);
    assert.match(reasons[1] ?? '', /^refused: \[::7f00:1\] resolves to the non-public address ::7f00:1 .*allowPrivateNetworks/);
    assert.equal(rx.received.length, 0);
  });

  it('a redirect (not followed: terminal), garbage, an endless body (read no further than 4 KiB) do not slow a healthy application', async () => {
    const healthy = await receiver();
    let redirectTargetHit = false;
    const target = await receiver(() => {
      redirectTargetHit = true;
      return 204;
    });
    const redirecting = await receiver((_n, _req, res) => {
      res.writeHead(302, { location: target.url }).end();
      return 'custom';
    });
    let endlessBytes = 0;
    // The endless body starts only once the healthy application has its notification: were the
    // attempts made one after another, the healthy one would wait for this one's timeout.
    const endless = await receiver((_n, _req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain' }).flushHeaders();
      const chunk = Buffer.alloc(16 * 1024, 'x');
      const pump = () => {
        while (!res.destroyed && endlessBytes < 64 * 1024 * 1024 && res.write(chunk)) endlessBytes += chunk.length;
        if (!res.destroyed) res.once('drain', pump);
      };
      void healthy.waitFor(1, 10_000).then(pump, pump);
      return 'custom';
    });
    const sockets = new Set<Socket>();
    const garbage = createTcpServer((s) => {
      sockets.add(s);
      s.on('error', () => {});
      s.end('NOT HTTP AT ALL\r\n\r\n');
    });
    await new Promise<void>((r) => garbage.listen(0, '127.0.0.1', r));
    cleanups.push(() => new Promise((r) => { for (const s of sockets) s.destroy(); garbage.close(() => r()); }));
    const garbageUrl = `http://127.0.0.1:${(garbage.address() as AddressInfo).port}/bcl`;
    const op = await provider(
      { clients: clientsWithBackChannel({ web: healthy.url, post: redirecting.url, spa: garbageUrl, consent: endless.url }) },
      { deliveries: { backoff: () => 60_000 } },
    );
    const { sessionId } = await signInWeb(op);
    await joinClients(op.provider, sessionId, ['post', 'spa', 'consent']);
    await endAsAdmin(op.provider, sessionId);
    const [ok] = await healthy.waitFor(1, 10_000);
    const rows = await eventually(async () => {
      const r = await deliveriesOf(op.provider, sessionId);
      return r.every((d) => d.attempts > 0 && d.leaseOwner === undefined) ? new Map(r.map((d) => [d.clientId, d])) : undefined;
    }, 'every first attempt recorded');
    assert.equal(rows.get('web')?.status, 'delivered');
    assert.deepEqual([rows.get('post')?.status, rows.get('post')?.lastError], ['failed', 'HTTP 302'], 'a redirect is not followed and is terminal');
    assert.equal(redirectTargetHit, false);
    assert.equal(rows.get('spa')?.status, 'pending', 'an unparseable answer is retried');
    assert.match(rows.get('spa')?.lastError ?? '', /^network error/);
    assert.equal(rows.get('consent')?.status, 'delivered', '200 with a body: the body is not needed');
    const endlessEnded = await eventually(async () => endless.received[0]?.endedAt, 'the provider to hang up on the endless body');
    assert.ok(endlessBytes < 8 * 1024 * 1024, `read ${endlessBytes} bytes of an endless body`);
    assert.ok((ok?.at ?? Infinity) <= endlessEnded, 'the healthy application was notified while the endless body was still being sent');
  });
});

describe('an application that hangs holds at most its share of the delivery slots (issue 5: "does not slow other deliveries")', () => {
  it('with 30 of its notifications due at once, another application\'s notification still leaves at once', async () => {
    const hanging = await receiver(() => 'hang');
    const healthy = await receiver();
    const op = await provider(
      { clients: clientsWithBackChannel({ web: hanging.url, post: healthy.url }), backchannel: { concurrency: 8, concurrencyPerClient: 4, attemptTimeout: 3 } },
      { deliveries: { backoff: () => 60_000 } },
    );
    // 30 sessions signed in to the hanging application, ended before the healthy one's.
    const hangingSessions: string[] = [];
    for (let i = 0; i < 30; i++) hangingSessions.push((await signInWeb(op)).sessionId);
    const { sessionId } = await signInWeb(op);
    await joinClients(op.provider, sessionId, ['post']);
    for (const id of hangingSessions) await endAsAdmin(op.provider, id);
    await endAsAdmin(op.provider, sessionId);
    const [ok] = await healthy.waitFor(1, 10_000);
    // Ordering, not speed (issue 10 §9): with every slot held by the hanging application, the
    // healthy one would get its turn only when the first hanging attempt was given up.
    const okAt = ok?.at ?? Infinity;
    assert.ok(hanging.received.every((r) => (r.endedAt ?? Infinity) > okAt), 'the healthy application was notified while every hanging attempt was still held');
    const held = hanging.received.filter((r) => r.at <= okAt).length;
    assert.ok(held <= 4, `the hanging application held ${held} attempts at once (share: 4)`);
  });
});

describe('Every ending reason delivers (issue 5): expiry through the sweeper', () => {
  it('idle expiry found by the sweeper (injected clock) sends a logout token with the expiry as reason', async () => {
    const clock = new ManualClock();
    const rx = await receiver();
    const op = await provider({ clients: clientsWithBackChannel({ web: rx.url }) }, { clock, deliveries: true });
    const { sessionId, claims } = await signInWeb(op);
    clock.advance(31 * 60); // past the 30 min idle timeout
    assert.equal(await sweepExpiredSessions({ sessions: op.provider.store, clock, wake: op.provider.outbox.wake }), 1);
    const [r] = await rx.waitFor(1);
    const payload = JSON.parse(Buffer.from((r?.logoutToken ?? '').split('.')[1] ?? '', 'base64url').toString()) as Record<string, unknown>;
    assert.equal(payload.sid, claims.sid);
    const [row] = await eventually(async () => {
      const rows = await deliveriesOf(op.provider, sessionId);
      return rows[0]?.status === 'delivered' ? rows : undefined;
    }, 'delivered');
    assert.equal(row?.reason, 'expired_idle');
  });
});

describe('backchannel.giveUpAfter (issue 10 §7, §9): retries go on until the give-up time itself', () => {
  it('a retry the backoff would put past the give-up time is made at that time; the row is failed only by an attempt at or after it, with the real time in its reason', async () => {
    const clock = new ManualClock();
    const rx = await receiver(() => 503);
    const op = await provider({ clients: clientsWithBackChannel({ web: rx.url }), backchannel: { giveUpAfter: '30s' } }, { clock, deliveries: { backoff: () => 20_000 } });
    const { sessionId } = await signInWeb(op);
    await endAsAdmin(op.provider, sessionId);
    /** The row once the worker has recorded its `n`th attempt. */
    const afterAttempt = (n: number) =>
      eventually(async () => {
        const [row] = await deliveriesOf(op.provider, sessionId);
        return row && row.attempts === n && row.leaseOwner === undefined && row.lastError !== undefined ? row : undefined;
      }, `attempt ${n} recorded`);
    const first = await afterAttempt(1);
    const giveUpAt = first.createdAt + 30;
    assert.equal(first.status, 'pending');
    clock.advance(first.nextAttemptAt - clock.nowMs() / 1000 + 0.001); // 20 s in: the next backoff (20 s) would pass the give-up time
    op.provider.outbox.wake();
    const second = await afterAttempt(2);
    assert.equal(second.status, 'pending', 'not failed while the give-up time is 10 s away');
    assert.equal(second.nextAttemptAt, giveUpAt, 'the last retry is scheduled at the give-up time itself');
    clock.advance(giveUpAt - clock.nowMs() / 1000 + 0.001);
    op.provider.outbox.wake();
    const last = await eventually(async () => {
      const [row] = await deliveriesOf(op.provider, sessionId);
      return row?.status === 'failed' ? row : undefined;
    }, 'the row failed after the attempt at the give-up time');
    assert.equal(last.attempts, 3);
    assert.equal(rx.received.length, 3);
    assert.match(last.lastError ?? '', /^gave up after 3 attempt\(s\) over 30 s \(backchannel\.giveUpAfter 30 s\); last: HTTP 503$/);
  });
});

describe('an application back from an outage (issue 10 §7): the first success brings its other notifications forward', () => {
  it('five notifications refused with 503 wait 10 min in backoff; after the application answers one, the other five go at once', async () => {
    const rx = await receiver((n) => (n <= 5 ? 503 : 204)); // down for the first five requests, then back
    const op = await provider({ clients: clientsWithBackChannel({ web: rx.url }) }, { deliveries: { backoff: () => 600_000 } });
    for (let i = 0; i < 5; i++) await signInWeb(op);
    const alice = await op.provider.store.accountByUsername('alice');
    assert.ok(alice);
    await endSessions({ sessions: op.provider.store, clock: op.provider.clock, wake: op.provider.outbox.wake }, { accountId: alice.id }, 'admin', 'admin:test');
    const waiting = await eventually(async () => {
      const r = await op.provider.store.listDeliveries({ limit: 100 });
      return r.length === 5 && r.every((d) => d.attempts === 1 && d.leaseOwner === undefined && d.lastError === 'HTTP 503') ? r : undefined;
    }, 'five refused first attempts');
    const before = new Map(waiting.map((d) => [d.id, d.nextAttemptAt]));
    for (const at of before.values()) assert.ok(at > Date.now() / 1000 + 500, 'each waits about 10 min in backoff');
    // The application is back: the next notification (another session ending) is its first success.
    const { sessionId } = await signInWeb(op);
    await endAsAdmin(op.provider, sessionId);
    const done = await eventually(async () => {
      const r = await op.provider.store.listDeliveries({ limit: 100 });
      return r.length === 6 && r.every((d) => d.status === 'delivered') ? r : undefined;
    }, 'all six delivered without waiting for the backoff');
    for (const d of done.filter((x) => before.has(x.id))) {
      assert.equal(d.attempts, 2);
      assert.ok((d.finishedAt ?? Infinity) < (before.get(d.id) ?? 0), 'delivered before its backoff would have allowed');
    }
    assert.equal(rx.received.length, 11);
  });
});
